"""Audit entries name what changed, never case content: the auditor reads them
and is not cleared for a problem's description or a 被反映人's name."""

import json

import pytest

from clues import services as clue_services
from clues.models import Clue
from rounds.models import Problem
from rounds.services import problem_update
from tests.test_clues_pages import PERSON, advance, build_world, draft
from tests.test_rounds_problems import Cast
from xuncha.audit.models import AuditEntry
from xuncha.audit.redaction import redact_entry
from xuncha.audit.services import log_action, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


@pytest.fixture
def cast(office_user):
    return Cast(office_user)


def text_of(entry: AuditEntry) -> str:
    return json.dumps(entry.data, ensure_ascii=False) + entry.object_repr


def test_a_clue_returned_with_a_reason_naming_the_person_keeps_no_such_text(w):
    clue = advance(w, draft(w), Clue.Status.SUBMITTED)
    reason = f"{PERSON}的问题材料不全，请补充谈话笔录。"
    clue_services.clue_return(clue=clue, user=w.officer, reason=reason)
    entry = AuditEntry.objects.get(action="clue.return", object_id=str(clue.pk))
    assert entry.data == {"withheld": ["reason"]}
    assert PERSON not in text_of(entry)
    assert entry.object_repr == f"问题线索 {clue.number}"
    for other in AuditEntry.objects.filter(object_type__startswith="clues."):
        assert PERSON not in text_of(other)
    assert verify_chain()[1] is None


def test_a_problem_edit_records_field_names_only(cast):
    problem = cast.problem(description="某局长违规发放津贴补贴问题")
    problem_update(
        problem=problem,
        user=cast.member,
        description="张某某违规收受礼金问题",
        severity=Problem.Severity.GRAVE,
    )
    entry = AuditEntry.objects.get(action="problem.update", object_id=str(problem.pk))
    assert entry.data["changed"] == ["description", "severity"]
    assert "description" not in entry.data.get("before", {})
    assert "description" not in entry.data.get("after", {})
    assert entry.data["after"]["severity"] == Problem.Severity.GRAVE  # a code, not content
    assert "张某某" not in text_of(entry)
    assert "津贴" not in text_of(entry)
    assert entry.object_repr == f"{Problem._meta.verbose_name} #{problem.pk}"


def test_a_returned_problem_keeps_its_states_but_not_the_note(cast):
    from rounds.services import problem_transition

    problem = cast.problem(status=Problem.Status.TEAM_REVIEW)
    problem_transition(
        problem=problem, user=cast.leader, action="team_return", note="请补充张某某的谈话"
    )
    entry = AuditEntry.objects.filter(action__startswith="problem.").latest("id")
    assert entry.data["from"] == Problem.Status.TEAM_REVIEW
    assert entry.data["withheld"] == ["note"]
    assert "张某某" not in text_of(entry)


@pytest.mark.parametrize(
    ("object_type", "action", "data", "expected"),
    [
        pytest.param(
            "rectification.item",
            "evidence.add",
            {"evidence": 3, "name": "张三谈话记录.pdf", "version": 1, "sha256": "ab12"},
            {"evidence": 3, "version": 1, "sha256": "ab12", "withheld": ["name"]},
            id="evidence-file-name",
        ),
        pytest.param(
            "",
            "clue.export",
            {"filters": {"q": "张三", "status": "received"}, "numbers": ["XC2026-00001"]},
            {"filters": {"status": "received", "withheld": ["q"]}, "numbers": ["XC2026-00001"]},
            id="export-search-text",
        ),
        pytest.param(
            "rounds.problem",
            "problem.attach",
            {"file": "举报信-李四.docx", "sha256": "ff", "size": 10},
            {"sha256": "ff", "size": 10, "withheld": ["file"]},
            id="attachment-name",
        ),
        pytest.param(
            "rounds.worklog",
            "worklog.create",
            {"interviews": 12, "narrative": "与王五谈话", "date": "2025-03-03"},
            {"interviews": 12, "date": "2025-03-03", "withheld": ["narrative"]},
            id="worklog-narrative",
        ),
        pytest.param(
            "orgs.organization",
            "organization.create",
            {"code": "IP-001", "name": "中共测试局委员会"},
            {"code": "IP-001", "name": "中共测试局委员会"},
            id="not-case-data",
        ),
    ],
)
def test_case_values_are_withheld_and_the_rest_kept(object_type, action, data, expected):
    assert redact_entry(object_type, action, data) == expected


def test_an_entry_with_case_content_is_stored_redacted_and_still_verifies():
    entry = log_action(None, "clue.reopen", None, {"reason": "王五又有新情况"})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.data == {"withheld": ["reason"]}
    assert verify_chain() == (1, None)


def test_the_team_still_reads_the_return_note_on_the_problem_page_but_the_auditor_does_not(
    cast, client
):
    from django.urls import reverse

    from rounds.services import problem_transition
    from tests.factories import make_user
    from xuncha.accounts.roles import Role

    problem = cast.problem(status=Problem.Status.TEAM_REVIEW)
    problem_transition(
        problem=problem, user=cast.leader, action="team_return", note="补充张某某谈话"
    )
    client.force_login(cast.member)
    page = client.get(reverse("rounds:problem_detail", args=[problem.pk])).content.decode()
    assert "意见：补充张某某谈话" in page
    client.force_login(make_user(Role.AUDITOR))
    page = client.get(reverse("audit:entry_list")).content.decode()
    assert "张某某" not in page
    assert "内容不记入日志" in page and "说明" in page

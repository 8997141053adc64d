"""The audit log reads in Chinese: phrases for actions, the person's name,
objects as their kind and number, changed fields by their names."""

import io

import openpyxl
import pytest
from django.urls import reverse

from rounds.models import Problem
from tests.factories import OrganizationFactory, UserFactory, make_user
from tests.rounds_factories import ProblemFactory
from xuncha.accounts.roles import Role
from xuncha.audit.labels import ACTION_LABELS, action_label
from xuncha.audit.services import log_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(client):
    user = make_user(Role.AUDITOR)
    client.force_login(user)
    return user


def test_actions_read_as_chinese_phrases_with_the_code_beside():
    assert action_label("ledger.transfer") == "整改台账转账"
    assert action_label("clue.return") == "退回问题线索"
    # An action written elsewhere and missing from the table still reads in Chinese.
    assert action_label("organization.delete") == "单位删除"
    assert action_label("unknown.thing") == "unknown.thing"
    assert all(str(label) for label in ACTION_LABELS.values())


def test_entry_list_shows_names_kinds_numbers_and_field_names(client, auditor, office_user):
    office_user.full_name = "王审计对象"
    office_user.save()
    problem = ProblemFactory(description="不应出现的问题描述文字")
    log_action(
        office_user,
        "problem.update",
        problem,
        {"before": {"description": "旧"}, "after": {"description": "新"}},
    )
    log_action(office_user, "ledger.transfer", OrganizationFactory(name="中共示例局委员会"), {})
    page = client.get(reverse("audit:entry_list")).content.decode()
    html = page[page.index("<table") : page.index("</table>")]
    assert "王审计对象" in html
    assert office_user.username in html  # small, beside the name
    assert "修改问题" in html and "整改台账转账" in html
    assert f"{Problem._meta.verbose_name} #{problem.pk}" in html
    assert "修改的字段" in html and "问题描述" in html
    assert "不应出现的问题描述文字" not in html
    assert "{&#x27;" not in html and '{"' not in html  # no raw dicts
    assert "党组织：中共示例局委员会" in html


def test_the_page_no_longer_tells_the_auditor_to_run_a_shell_command(client, auditor):
    html = client.get(reverse("audit:entry_list")).content.decode()
    assert "manage.py" not in html
    assert "audit_verify" not in html


def test_export_reads_in_chinese(client, auditor, office_user):
    log_action(office_user, "clue.return", None, {"reason": "某某人"})
    response = client.get(reverse("audit:entry_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "退回问题线索" in values
    assert "某某人" not in " ".join(str(v) for v in values)
    assert "内容不记入日志：理由" in values


def test_entries_written_before_redaction_are_shown_without_their_case_content(
    client, auditor, office_user
):
    """Old entries keep what they were written with (the chain covers it), but
    the page reads them through the same redaction."""
    from tests.test_audit_log import tampering

    problem = ProblemFactory(description="旧日志里的问题描述")
    entry = log_action(office_user, "problem.team_return", problem, {"from": "team_review"})
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET object_repr = %s, data = %s WHERE id = %s",
            ["旧日志里的问题描述", '{"from": "team_review", "note": "找赵某某核实"}', entry.pk],
        )
    page = client.get(reverse("audit:entry_list")).content.decode()
    assert "旧日志里的问题描述" not in page
    assert "赵某某" not in page
    assert f"{Problem._meta.verbose_name} #{problem.pk}" in page
    assert "内容不记入日志" in page


def test_filters_take_the_chinese_phrase_and_the_persons_name(client, auditor, office_user):
    office_user.full_name = "李过滤"
    office_user.save()
    log_action(office_user, "ledger.transfer", None, {})
    log_action(None, "clue.read", None, {})
    url = reverse("audit:entry_list")
    page = client.get(url, {"action": "转账"}).content.decode()
    assert "整改台账转账" in page and "查阅问题线索" not in page
    page = client.get(url, {"actor": "李过滤"}).content.decode()
    assert "整改台账转账" in page and "查阅问题线索" not in page
    page = client.get(url, {"action": "clue."}).content.decode()
    assert "查阅问题线索" in page and "整改台账转账" not in page


def test_entry_list_queries_do_not_grow_with_the_entries(
    client, auditor, office_user, django_assert_max_num_queries
):
    url = reverse("audit:entry_list")
    log_action(office_user, "ledger.transfer", OrganizationFactory(), {})
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _n in range(30):
        log_action(UserFactory(), "clue.read", ProblemFactory(), {"note": "x"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_an_unlabelled_action_reads_as_one_phrase_in_each_language():
    """An action code without its own label is read from its two words; in
    English they are not glued together ("Problem cluesExport")."""
    from django.utils import translation

    from xuncha.audit.labels import ACTION_LABELS, OBJECT_WORDS, VERBS, action_label

    noun, verb = next(
        (n, v) for n in OBJECT_WORDS for v in VERBS if f"{n}.{v}" not in ACTION_LABELS
    )
    with translation.override("zh-hans"):
        assert action_label(f"{noun}.{verb}") == f"{OBJECT_WORDS[noun]}{VERBS[verb]}"
    with translation.override("en"):
        assert action_label(f"{noun}.{verb}") == f"{OBJECT_WORDS[noun]}: {VERBS[verb]}"

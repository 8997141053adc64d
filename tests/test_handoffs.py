"""Every hand-off tells the person who must act next, with a link that opens
for them, and the notification resolves itself when the awaited act is done."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from clues import services as clue_services
from rectification import services as rect_services
from rectification.models import Item, Plan
from rounds.models import ProblemCategory
from rounds.services.problems import problem_create, problem_transition
from tests import rect_fixtures
from tests.test_clues_pages import PDF_BYTES, advance, build_world, draft, final_disposition
from xuncha.notifications.models import Notification

pytestmark = pytest.mark.django_db


def pending(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, resolved_at__isnull=True))


def opens_for(client, notification: Notification) -> None:
    client.force_login(notification.recipient)
    response = client.get(notification.url)
    assert response.status_code == 200, (notification.title, notification.url)


@pytest.fixture
def cw(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def test_department_is_sent_to_a_page_it_may_open_and_the_notice_resolves_at_receipt(
    cw, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        clue = advance(cw, draft(cw, urgent=True), "submitted")
    [to_approve] = pending(cw.officer)
    assert "待审批" in to_approve.title and to_approve.awaits == f"clue:{clue.pk}:approve"
    opens_for(client, to_approve)

    with django_capture_on_commit_callbacks(execute=True):
        clue_services.clue_approve(clue=clue, user=cw.officer)
    # The officer's 待审批 is done, without anyone opening it.
    to_approve.refresh_from_db()
    assert to_approve.resolved_at is not None and to_approve.read_at is not None
    [to_receive] = pending(cw.dept_user)
    assert to_receive.title.startswith("【直报快车道】有问题线索待签收")
    # Not the clue itself (a 404 before receipt), but the 待签收 list that names it.
    assert str(clue.pk) not in to_receive.url.split("#")[0]
    opens_for(client, to_receive)
    assert clue.number in client.get(to_receive.url).content.decode()
    assert pending(cw.other_dept_user) == []

    with django_capture_on_commit_callbacks(execute=True):
        clue_services.clue_receive(clue=clue, user=cw.dept_user)
    assert pending(cw.dept_user) == []

    with django_capture_on_commit_callbacks(execute=True):
        final_disposition(cw, fresh_clue(clue))
    [to_close] = pending(cw.officer)
    assert "待销号" in to_close.title
    opens_for(client, to_close)
    with django_capture_on_commit_callbacks(execute=True):
        clue_services.clue_close(clue=fresh_clue(clue), user=cw.officer)
    assert pending(cw.officer) == []


def fresh_clue(clue):
    return type(clue).objects.get(pk=clue.pk)


def test_a_returned_clue_goes_back_to_its_drafter(cw, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        clue = advance(cw, draft(cw), "submitted")
        clue_services.clue_return(clue=clue, user=cw.officer, reason="材料不全")
    assert pending(cw.officer) == []
    [returned] = pending(cw.member)
    assert "退回修改" in returned.title
    opens_for(client, returned)


def test_a_rolled_back_action_tells_nobody(cw, django_capture_on_commit_callbacks):
    clue = draft(cw)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        # Only the leader signs: refused, and nobody is told.
        clue_services.clue_submit(clue=clue, user=cw.member)
    assert not Notification.objects.exists()


def test_a_problem_goes_to_its_reviewers_and_back_to_its_finder(
    cw, client, django_capture_on_commit_callbacks
):
    category, _ = ProblemCategory.objects.get_or_create(code="T-HO", defaults={"name": "违纪"})
    problem = problem_create(
        target=cw.target,
        category=category,
        description="公款吃喝",
        source="interview",
        severity="serious",
        user=cw.member,
    )
    with django_capture_on_commit_callbacks(execute=True):
        problem_transition(problem=problem, action="submit", user=cw.member)
    [to_review] = pending(cw.leader)
    assert "待组内研判" in to_review.title
    opens_for(client, to_review)
    assert pending(cw.other_leader) == []

    with django_capture_on_commit_callbacks(execute=True):
        problem_transition(problem=problem, action="team_return", user=cw.leader, note="补证据")
    assert pending(cw.leader) == []
    [returned] = pending(cw.member)
    assert "退回修改" in returned.title
    opens_for(client, returned)

    with django_capture_on_commit_callbacks(execute=True):
        problem_transition(problem=problem, action="submit", user=cw.member)
        problem_transition(problem=problem, action="team_approve", user=cw.leader)
    assert pending(cw.member) == [] and pending(cw.leader) == []
    [to_check] = pending(cw.officer)
    assert "待巡察办审核" in to_check.title
    opens_for(client, to_check)
    with django_capture_on_commit_callbacks(execute=True):
        problem_transition(problem=problem, action="office_approve", user=cw.officer)
    assert pending(cw.officer) == []


@pytest.fixture
def rw(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return rect_fixtures.world(problems=2, other_problems=1)


def _fresh_plan(w) -> Plan:
    """A new draft plan for the other organization's third target."""
    target = rect_fixtures.make_fed_back_target(
        organization=w.organization,
        round_=rect_fixtures.make_round(w.office),
        problems=1,
        found_by=w.office_user,
    )
    return rect_services.plan_open(target=target, user=w.contact)


def test_a_plan_goes_to_the_top_leader_then_the_office_and_back_to_the_unit(
    rw, client, django_capture_on_commit_callbacks
):
    plan = _fresh_plan(rw)
    with django_capture_on_commit_callbacks(execute=True):
        rect_fixtures.fill_plan(plan, rw.contact)
    [to_sign] = pending(rw.leader)
    assert to_sign.title.startswith("整改方案待您签字背书")
    opens_for(client, to_sign)
    # Filling in another field does not ask twice.
    with django_capture_on_commit_callbacks(execute=True):
        rect_services.item_plan_update(
            item=plan.items.first(), user=rw.contact, responsible_department="办公室"
        )
    assert len(pending(rw.leader)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        rect_services.plan_sign(plan=plan, user=rw.leader)
    assert pending(rw.leader) == [] or all("待报送" in n.title for n in pending(rw.leader))
    [to_submit] = [n for n in pending(rw.contact) if "待报送" in n.title]
    opens_for(client, to_submit)

    with django_capture_on_commit_callbacks(execute=True):
        rect_services.plan_submit(plan=plan, user=rw.contact)
    assert [n for n in pending(rw.contact) if "待报送" in n.title] == []
    [to_review] = pending(rw.office_user)
    assert to_review.title.startswith("整改方案待审核")
    opens_for(client, to_review)

    with django_capture_on_commit_callbacks(execute=True):
        rect_services.plan_review(plan=plan, user=rw.office_user, accept=False, reason="措施不具体")
    assert pending(rw.office_user) == []
    [returned] = [n for n in pending(rw.contact) if "退回" in n.title]
    opens_for(client, returned)


def test_a_ledger_item_goes_to_the_office_and_back_to_the_unit(
    rw, client, django_capture_on_commit_callbacks
):
    item = Item.objects.filter(plan=rw.plan).first()
    upload = SimpleUploadedFile("整改报告.pdf", PDF_BYTES, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        rect_services.ledger_hand_in(
            item=item, user=rw.contact, expected_version=item.version, note="已完成", files=[upload]
        )
    [to_check] = pending(rw.office_user)
    assert "待查账" in to_check.title
    opens_for(client, to_check)

    item = rect_fixtures.fresh(item)
    with django_capture_on_commit_callbacks(execute=True):
        rect_services.ledger_check(
            item=item,
            user=rw.office_user,
            expected_version=item.version,
            accept=False,
            note="佐证不足",
        )
    assert pending(rw.office_user) == []
    [returned] = pending(rw.contact)
    assert "退回" in returned.title
    opens_for(client, returned)
    assert pending(rw.other_contact) == []

    item = rect_fixtures.fresh(item)
    with django_capture_on_commit_callbacks(execute=True):
        rect_services.ledger_report(
            item=item, user=rw.contact, expected_version=item.version, progress=80, note="补充中"
        )
    assert pending(rw.contact) == []

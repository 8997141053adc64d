"""The ledger (五账) and the plan (三单): every action allowed and refused, by
the item's state and by who asks; concurrent actions; signing the plan."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.urls import reverse

from rectification import selectors, services
from rectification.models import Item, LedgerEntry, Plan
from rounds.models import Target
from tests.factories import make_user
from tests.rect_fixtures import (
    URLS,
    accepted_plan,
    fill_plan,
    fresh,
    make_fed_back_target,
    pdf_file,
    set_item,
    world,
)
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

pytestmark = pytest.mark.urls(URLS)

ST = Item.State
A = LedgerEntry.Action
STATES = [ST.PLANNING, ST.IN_PROGRESS, ST.HANDED_IN, ST.TRANSFERRED, ST.ACCEPTED, ST.CLOSED]
ROLES = [
    "contact",  # the unit's own contact
    "leader",  # the unit's top leader (an account of the unit too)
    "other_contact",  # another unit's contact
    "office",
    "leadership",
    "receiving_dept",  # the department the item is (or would be) passed to
    "discipline",  # a discipline-commission user: co-signs, never carries
]

# The specification, written out independently of services.ledger.RULES.
SOURCES = {
    A.REPORT: {ST.IN_PROGRESS, ST.TRANSFERRED},
    A.HAND_IN: {ST.IN_PROGRESS, ST.TRANSFERRED},
    A.TRANSFER: {ST.IN_PROGRESS, ST.HANDED_IN, ST.TRANSFERRED},
    A.CHECK_ACCEPT: {ST.HANDED_IN},
    A.CHECK_RETURN: {ST.HANDED_IN},
    A.CLOSE: {ST.ACCEPTED},
    A.REOPEN: {ST.CLOSED},
}
OFFICE_ACTIONS = {A.TRANSFER, A.CHECK_ACCEPT, A.CHECK_RETURN, A.CLOSE, A.REOPEN}
AFTER = {
    A.REPORT: None,  # unchanged
    A.HAND_IN: ST.HANDED_IN,
    A.TRANSFER: ST.TRANSFERRED,
    A.CHECK_ACCEPT: ST.ACCEPTED,
    A.CHECK_RETURN: ST.IN_PROGRESS,
    A.CLOSE: ST.CLOSED,
    A.REOPEN: ST.IN_PROGRESS,
}


def expected(role: str, state: str, action: str) -> str:
    """ "ok", "state" (refused: not in this state) or "role" (refused: not this person)."""
    if action == A.REOPEN:
        # 回头看 asks who before what: only the office may look back at all.
        if role != "office":
            return "role"
        return "ok" if state in SOURCES[action] else "state"
    if state not in SOURCES[action]:
        return "state"
    if action in OFFICE_ACTIONS:
        return "ok" if role == "office" else "role"
    carrier = {"receiving_dept"} if state == ST.TRANSFERRED else {"contact", "leader"}
    return "ok" if role in carrier else "role"


def perform(action: str, item: Item, user, w, version: int | None = None):
    version = item.version if version is None else version
    common = {"item": item, "user": user, "expected_version": version}
    if action == A.REPORT:
        return services.ledger_report(**common, progress=60, note="已清退 60%")
    if action == A.HAND_IN:
        return services.ledger_hand_in(
            **common, note="已全部清退", files=[pdf_file()], rules_made=2, money_recovered=1000
        )
    if action == A.TRANSFER:
        return services.ledger_transfer(**common, note="涉及行业监管", department=w.department)
    if action == A.CHECK_ACCEPT:
        return services.ledger_check(
            **common, accept=True, note="材料齐全", cosigners=[w.discipline, w.organization_dept]
        )
    if action == A.CHECK_RETURN:
        return services.ledger_check(**common, accept=False, note="缺少银行回单")
    if action == A.CLOSE:
        return services.ledger_close(**common, note="同意销号")
    if action == A.REOPEN:
        return services.follow_up_check(**common, held=False, note="问题反弹")
    raise AssertionError(action)


def put_in_state(item: Item, state: str, w) -> Item:
    transferred_to = w.department if state == ST.TRANSFERRED else None
    closed_at = item.updated_at if state == ST.CLOSED else None
    return set_item(item, state=state, transferred_to=transferred_to, closed_at=closed_at)


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return world()


def user_for(role: str, w):
    return {
        "contact": w.contact,
        "leader": w.leader,
        "other_contact": w.other_contact,
        "office": w.office_user,
        "leadership": w.leadership,
        "receiving_dept": w.other_dept,
        "discipline": w.discipline,
    }[role]


@pytest.mark.parametrize("action", list(SOURCES))
@pytest.mark.parametrize("role", ROLES)
def test_every_action_is_allowed_or_refused_by_state_and_role(w, role, action):
    user = user_for(role, w)
    for state in STATES:
        savepoint = transaction.savepoint()
        item = put_in_state(w.item, state, w)
        entries, audit = LedgerEntry.objects.count(), AuditEntry.objects.count()
        outcome = expected(role, state, action)
        allowed = action in services.allowed_actions(user, item)
        assert allowed == (outcome == "ok"), (role, state, action)
        if outcome == "ok":
            perform(action, item, user, w)
            after = fresh(item)
            want = AFTER[action] or state
            assert after.state == want, (role, state, action)
            assert after.version == item.version + 1
            entry = LedgerEntry.objects.filter(item=item).latest("pk")
            assert (entry.action, entry.actor, entry.state_before) == (action, user, state)
            assert AuditEntry.objects.filter(action=f"ledger.{action}").exists()
        else:
            error = ValidationError if outcome == "state" else PermissionDenied
            with pytest.raises(error) as refused:
                perform(action, item, user, w)
            message = " ".join(getattr(refused.value, "messages", [str(refused.value)]))
            assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # said in Chinese
            assert fresh(item).version == item.version
            assert fresh(item).state == state
            assert LedgerEntry.objects.count() == entries
            assert AuditEntry.objects.count() == audit
        transaction.savepoint_rollback(savepoint)


def test_refusal_names_the_state_in_chinese(w):
    with pytest.raises(ValidationError) as refused:
        services.ledger_close(item=w.item, user=w.office_user, expected_version=w.item.version)
    assert refused.value.messages == [
        "只有查验通过的事项才能销账（销号）。该事项当前为「整改中」。"
    ]


def test_only_accepted_items_can_be_closed_and_the_full_ledger_runs(w):
    item = w.item
    services.ledger_report(
        item=item, user=w.contact, expected_version=0, progress=30, note="正在清退"
    )
    services.ledger_hand_in(
        item=item, user=w.contact, expected_version=1, note="已清退", files=[pdf_file()]
    )
    services.ledger_check(
        item=item, user=w.office_user, expected_version=2, accept=False, note="缺少凭证"
    )
    assert fresh(item).state == ST.IN_PROGRESS
    # Sent back, it is as far as its last 报账 said, not the 100% of the hand-in.
    assert fresh(item).progress == 30
    services.ledger_hand_in(
        item=item, user=w.contact, expected_version=3, note="补充凭证", files=[]
    )  # the evidence already handed in counts
    entry = services.ledger_check(
        item=item,
        user=w.office_user,
        expected_version=4,
        accept=True,
        note="同意",
        cosigners=[w.discipline, w.organization_dept],
    )
    assert set(entry.cosigners.all()) == {w.discipline, w.organization_dept}
    services.ledger_close(item=item, user=w.office_user, expected_version=5)
    item = fresh(item)
    assert item.state == ST.CLOSED and item.closed_at is not None
    actions = list(item.entries.values_list("action", flat=True))
    assert actions == [A.REPORT, A.HAND_IN, A.CHECK_RETURN, A.HAND_IN, A.CHECK_ACCEPT, A.CLOSE]


def test_ledger_entries_cannot_be_edited(w):
    entry = services.ledger_report(
        item=w.item, user=w.contact, expected_version=0, progress=10, note="开始"
    )
    entry.note = "改写历史"
    with pytest.raises(PermissionError):
        entry.save()


def test_hand_in_needs_evidence(w):
    with pytest.raises(ValidationError, match="交账须上传佐证材料"):
        services.ledger_hand_in(
            item=w.item, user=w.contact, expected_version=0, note="完成", files=[]
        )
    assert fresh(w.item).state == ST.IN_PROGRESS


def test_return_needs_a_reason_and_cosigners_must_be_discipline_or_organization(w):
    item = set_item(w.item, state=ST.HANDED_IN)
    with pytest.raises(ValidationError, match="退回须说明理由"):
        services.ledger_check(
            item=item, user=w.office_user, expected_version=0, accept=False, note=" "
        )
    with pytest.raises(ValidationError, match="不能会签"):
        services.ledger_check(
            item=item,
            user=w.office_user,
            expected_version=0,
            accept=True,
            note="",
            cosigners=[w.contact],
        )
    with pytest.raises(ValidationError, match="不能会签"):
        services.ledger_check(
            item=item,
            user=w.office_user,
            expected_version=0,
            accept=True,
            note="",
            cosigners=[w.other_dept],  # a department, but neither 纪委监委 nor 组织部
        )
    assert fresh(item).state == ST.HANDED_IN


def test_transfer_needs_one_destination_and_a_reason(w):
    common = {"item": w.item, "user": w.office_user, "expected_version": 0}
    with pytest.raises(ValidationError, match="二者选一"):
        services.ledger_transfer(**common, note="理由")
    with pytest.raises(ValidationError, match="二者选一"):
        services.ledger_transfer(**common, note="理由", department=w.department, long_term=True)
    with pytest.raises(ValidationError, match="须说明理由"):
        services.ledger_transfer(**common, note="", long_term=True)
    services.ledger_transfer(**common, note="需长期坚持", long_term=True)
    item = fresh(w.item)
    assert (item.state, item.kind, item.transferred_to) == (ST.IN_PROGRESS, Item.Kind.ONGOING, None)


def test_receiving_department_sees_and_carries_the_item_only_after_transfer(w):
    item, dept_user = w.item, w.other_dept
    # Before: nothing to see, nothing to do.
    with pytest.raises(Http404):
        selectors.get_item_for_user(dept_user, item.pk)
    assert services.allowed_actions(dept_user, item) == []
    with pytest.raises(PermissionDenied):
        services.ledger_report(
            item=item, user=dept_user, expected_version=0, progress=5, note="越权"
        )

    services.ledger_transfer(
        item=item,
        user=w.office_user,
        expected_version=0,
        note="转行业主管部门",
        department=w.department,
    )
    item = selectors.get_item_for_user(dept_user, item.pk)
    assert set(services.allowed_actions(dept_user, item)) == {A.REPORT, A.HAND_IN}
    # The unit no longer carries it, and the discipline commission never does.
    assert services.allowed_actions(w.contact, item) == []
    with pytest.raises(PermissionDenied):
        services.ledger_report(item=item, user=w.contact, expected_version=1, progress=5, note="x")
    with pytest.raises(Http404):
        selectors.get_item_for_user(w.discipline, item.pk)

    services.ledger_hand_in(
        item=item, user=dept_user, expected_version=1, note="部门已整改", files=[pdf_file()]
    )
    services.ledger_check(
        item=item, user=w.office_user, expected_version=2, accept=False, note="再核实"
    )
    # Sent back to whoever carried it: the department.
    assert fresh(item).state == ST.TRANSFERRED
    assert set(services.allowed_actions(dept_user, fresh(item))) == {A.REPORT, A.HAND_IN}


def test_follow_up_that_held_leaves_the_item_closed(w):
    item = set_item(w.item, state=ST.CLOSED, closed_at=w.item.updated_at)
    follow_up = services.follow_up_check(item=item, user=w.office_user, held=True, note="未反弹")
    assert follow_up.held
    assert fresh(item).state == ST.CLOSED
    assert not item.entries.exists()
    with pytest.raises(ValidationError, match="回头看只针对已销号的事项"):
        services.follow_up_check(item=w.items[1], user=w.office_user, held=True, note="x")


def test_follow_up_that_failed_reopens_with_the_reason_logged(w):
    item = set_item(w.item, state=ST.CLOSED, closed_at=w.item.updated_at)
    services.follow_up_check(
        item=item, user=w.office_user, held=False, note="津补贴又在发放", expected_version=0
    )
    item = fresh(item)
    assert (item.state, item.closed_at, item.progress) == (ST.IN_PROGRESS, None, 0)
    entry = item.entries.get()
    assert (entry.action, entry.note) == (A.REOPEN, "津补贴又在发放")
    assert AuditEntry.objects.filter(action="follow_up.check").exists()


# --- Concurrency ---------------------------------------------------------------


def test_two_actions_with_the_same_version_one_is_refused(w):
    item = w.item
    services.ledger_report(item=item, user=w.contact, expected_version=0, progress=20, note="甲")
    with pytest.raises(services.ConcurrentActionError, match="刚刚已被他人处理"):
        services.ledger_hand_in(
            item=item, user=w.contact, expected_version=0, note="乙", files=[pdf_file()]
        )
    item = fresh(item)
    assert (item.state, item.version, item.progress) == (ST.IN_PROGRESS, 1, 20)
    assert list(item.entries.values_list("note", flat=True)) == ["甲"]
    assert not item.evidence.exists()


def test_office_and_unit_acting_at_once_only_the_first_counts(w):
    """The office transfers while the unit hands in, both having seen version 0."""
    services.ledger_transfer(
        item=w.item, user=w.office_user, expected_version=0, note="转办", department=w.department
    )
    with pytest.raises(services.ConcurrentActionError):
        services.ledger_report(
            item=w.item, user=w.contact, expected_version=0, progress=5, note="x"
        )


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_on_one_item_exactly_one_succeeds(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs row locks: PostgreSQL only")
    settings.MEDIA_ROOT = tmp_path
    w = world(problems=1, other_problems=1)
    item, contact = w.item, w.contact
    assert contact.roles  # loaded before the threads start
    barrier = threading.Barrier(2, timeout=10)
    results: list[str] = []

    def act(progress: int) -> None:
        try:
            mine = Item.objects.get(pk=item.pk)
            barrier.wait()
            services.ledger_report(
                item=mine, user=contact, expected_version=0, progress=progress, note=f"{progress}%"
            )
            results.append("ok")
        except services.ConcurrentActionError:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(p,)) for p in (40, 70)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["conflict", "ok"]
    item = fresh(item)
    assert item.version == 1
    assert item.entries.count() == 1
    assert item.progress == item.entries.get().progress


# --- The plan (三单) --------------------------------------------------------------


@pytest.fixture
def draft(db, settings, tmp_path):
    """A fed-back target with an opened, empty plan."""
    settings.MEDIA_ROOT = tmp_path
    w = world(problems=1, other_problems=1)
    target = make_fed_back_target(
        organization=w.organization,
        round_=_second_round(w),
        problems=2,
        found_by=w.office_user,
    )
    plan = services.plan_open(target=target, user=w.contact)
    w.extra.update(target=target, plan=plan)
    return w


def _second_round(w):
    from tests.rect_fixtures import make_round

    return make_round(w.office)


def test_plan_open_makes_one_item_per_fed_back_problem_only(draft):
    plan = draft.extra["plan"]
    descriptions = list(plan.items.values_list("problem__description", flat=True))
    assert len(descriptions) == 2
    assert all("未反馈" not in d for d in descriptions)
    assert set(plan.items.values_list("state", flat=True)) == {ST.PLANNING}
    # Idempotent: opening again adds nothing.
    assert services.plan_open(target=draft.extra["target"], user=draft.contact) == plan
    assert plan.items.count() == 2


def test_plan_open_refused_before_feedback_and_to_outsiders(draft):
    target = draft.extra["target"]
    with pytest.raises(PermissionDenied):
        services.plan_open(target=target, user=draft.other_contact)
    with pytest.raises(PermissionDenied):
        services.plan_open(target=target, user=make_user(Role.TEAM_MEMBER, username="member"))
    Target.objects.filter(pk=target.pk).update(status=Target.Status.REPORTING)
    target.refresh_from_db()
    with pytest.raises(ValidationError, match="巡察反馈后"):
        services.plan_open(target=target, user=draft.contact)


@pytest.mark.parametrize("who", ["contact", "office_user", "other_contact", "leadership"])
def test_only_the_top_leader_may_sign(draft, who):
    plan = draft.extra["plan"]
    fill_plan(plan, draft.contact)
    with pytest.raises(PermissionDenied, match="主要负责人签字背书"):
        services.plan_sign(plan=plan, user=getattr(draft, who))
    # Another organization's leader is not this one's.
    other_leader = draft.other_organization.leader_user
    with pytest.raises(PermissionDenied):
        services.plan_sign(plan=plan, user=other_leader)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


@pytest.mark.parametrize(
    ("blank", "says"),
    [
        ({"measures": ""}, "尚未填写整改措施"),
        ({"responsible_person": ""}, "尚未明确责任人"),
        ({"deadline": None}, "尚未明确完成时限"),
    ],
)
def test_signing_refused_while_an_item_lacks_measures_responsible_or_deadline(draft, blank, says):
    plan = draft.extra["plan"]
    fill_plan(plan, draft.contact)
    services.item_plan_update(item=plan.items.first(), user=draft.contact, **blank)
    with pytest.raises(ValidationError) as refused:
        services.plan_sign(plan=plan, user=draft.leader)
    assert any(says in message for message in refused.value.messages)
    assert refused.value.messages == services.plan_missing(plan)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


def test_ongoing_items_need_no_deadline(draft):
    plan = draft.extra["plan"]
    fill_plan(plan, draft.contact)
    services.item_plan_update(
        item=plan.items.first(), user=draft.contact, kind=Item.Kind.ONGOING, deadline=None
    )
    assert services.plan_sign(plan=plan, user=draft.leader).status == Plan.Status.SIGNED


def test_changing_a_signed_plan_voids_the_signature(draft):
    plan = draft.extra["plan"]
    fill_plan(plan, draft.contact)
    services.plan_sign(plan=plan, user=draft.leader)
    services.item_plan_update(item=plan.items.first(), user=draft.contact, measures="改了措施")
    plan.refresh_from_db()
    assert (plan.status, plan.signed_by) == (Plan.Status.DRAFT, None)
    with pytest.raises(ValidationError, match="签字背书后才能报送"):
        services.plan_submit(plan=plan, user=draft.contact)


def test_submit_review_return_and_accept(draft):
    plan = draft.extra["plan"]
    fill_plan(plan, draft.contact)
    services.plan_sign(plan=plan, user=draft.leader)
    with pytest.raises(PermissionDenied):
        services.plan_submit(plan=plan, user=draft.other_contact)
    services.plan_submit(plan=plan, user=draft.contact)
    with pytest.raises(ValidationError, match="已报送，不能修改"):
        services.item_plan_update(item=plan.items.first(), user=draft.contact, measures="x")
    with pytest.raises(PermissionDenied):
        services.plan_review(plan=plan, user=draft.contact, accept=True)
    with pytest.raises(ValidationError, match="退回须说明理由"):
        services.plan_review(plan=plan, user=draft.office_user, accept=False)
    services.plan_review(plan=plan, user=draft.office_user, accept=False, reason="措施不具体")
    plan.refresh_from_db()
    assert (plan.status, plan.return_reason, plan.signed_by) == (
        Plan.Status.RETURNED,
        "措施不具体",
        None,
    )
    services.plan_sign(plan=plan, user=draft.leader)
    services.plan_submit(plan=plan, user=draft.contact)
    services.plan_review(plan=plan, user=draft.office_user, accept=True)
    assert set(plan.items.values_list("state", flat=True)) == {ST.IN_PROGRESS}
    assert Target.objects.get(pk=plan.target_id).status == Target.Status.RECTIFYING


def test_accepted_plan_helper_puts_items_in_progress(draft):
    target = make_fed_back_target(
        organization=draft.other_organization,
        round_=_second_round(draft),
        problems=1,
        found_by=draft.office_user,
    )
    plan = accepted_plan(
        target,
        contact=draft.other_contact,
        leader=draft.other_organization.leader_user,
        office_user=draft.office_user,
    )
    assert plan.status == Plan.Status.ACCEPTED


# --- Through the pages --------------------------------------------------------------


def action_url(item, action):
    return reverse("rectification:item_action", args=[item.pk, action])


def test_stale_version_through_the_page_is_refused_and_said(w, client):
    client.force_login(w.contact)
    item = w.item
    services.ledger_report(item=item, user=w.contact, expected_version=0, progress=10, note="先")
    response = client.post(
        action_url(item, "report"), {"version": 0, "progress": 50, "note": "后"}, follow=True
    )
    assert "该事项刚刚已被他人处理" in response.content.decode()
    assert list(fresh(item).entries.values_list("note", flat=True)) == ["先"]


def test_action_refused_by_state_through_the_page_shows_the_reason(w, client):
    client.force_login(w.office_user)
    response = client.post(action_url(w.item, "close"), {"version": 0, "note": ""})
    assert response.status_code == 200
    assert "只有查验通过的事项才能销账" in response.content.decode()
    assert not w.item.entries.exists()


def test_action_refused_by_role_through_the_page_is_403(w, client):
    item = set_item(w.item, state=ST.ACCEPTED)
    client.force_login(w.leadership)  # sees the item, may not close it
    response = client.post(action_url(item, "close"), {"version": 0})
    assert response.status_code == 403
    client.force_login(w.contact)
    response = client.post(action_url(item, "close"), {"version": 0})
    assert response.status_code == 403
    assert fresh(item).state == ST.ACCEPTED


def test_report_through_the_page(w, client):
    client.force_login(w.contact)
    response = client.post(
        action_url(w.item, "report"),
        {"version": 0, "progress": 45, "note": "已清退一半", "files": [pdf_file()]},
    )
    assert response.status_code == 302
    item = fresh(w.item)
    assert (item.progress, item.version) == (45, 1)
    assert item.entries.get().evidence.count() == 1


def test_check_through_the_page_with_cosigners(w, client):
    item = set_item(w.item, state=ST.HANDED_IN)
    client.force_login(w.office_user)
    response = client.post(
        action_url(item, "check"),
        {
            "version": 0,
            "decision": "accept",
            "note": "同意",
            "cosigners": [w.discipline.pk, w.organization_dept.pk],
        },
    )
    assert response.status_code == 302
    entry = fresh(item).entries.get()
    assert entry.action == A.CHECK_ACCEPT
    assert set(entry.cosigners.all()) == {w.discipline, w.organization_dept}


def test_follow_up_through_the_page_reopens(w, client):
    item = set_item(w.item, state=ST.CLOSED, closed_at=w.item.updated_at)
    client.force_login(w.office_user)
    response = client.post(
        action_url(item, "follow_up"), {"version": 0, "held": "0", "note": "反弹"}
    )
    assert response.status_code == 302
    assert fresh(item).state == ST.IN_PROGRESS


def test_unknown_action_is_404(w, client):
    client.force_login(w.office_user)
    assert client.post(action_url(w.item, "delete"), {"version": 0}).status_code == 404


def test_plan_sign_through_the_page_lists_what_is_missing(draft, client):
    plan = draft.extra["plan"]
    client.force_login(draft.leader)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "签字背书" in page and "尚未填写整改措施" in page
    response = client.post(reverse("rectification:plan_sign", args=[plan.pk]), follow=True)
    content = response.content.decode()
    assert "方案还不完整" in content and "尚未明确责任人" in content
    client.force_login(draft.contact)
    assert client.post(reverse("rectification:plan_sign", args=[plan.pk])).status_code == 403

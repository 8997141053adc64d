"""Tests generated from the rectification rule tables (rectification/workflow.py):
for every state × role × action the service allows or refuses as the table
says, and the page offers exactly the allowed actions (data-action markers)."""

import functools
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from rectification import services
from rectification.models import Assessment, Item, LedgerEntry, Plan, Recommendation
from rectification.workflow import ASSESSMENT, ITEM, PLAN, RECOMMENDATION
from tests.factories import make_user
from tests.rect_fixtures import URLS, fill_plan, make_fed_back_target, make_round, world
from xuncha.accounts.roles import Role
from xuncha.core.workflow import actions_for

pytestmark = pytest.mark.urls(URLS)

P = Plan.Status
PLAN_ROLES = ["contact", "leader", "other_contact", "office", "leadership"]
# The specification, written out apart from the table it checks.
PLAN_SOURCES = {
    "edit": {P.DRAFT, P.RETURNED, P.SIGNED},
    "sign": {P.DRAFT, P.RETURNED},
    "submit": {P.SIGNED},
    "review": {P.SUBMITTED},
    "assess": {P.ACCEPTED},
}
PLAN_WHO = {
    "edit": {"contact", "leader"},  # the leader is also the unit's contact here
    "sign": {"leader"},
    "submit": {"contact", "leader"},
    "review": {"office"},
    "assess": {"office"},
}


def test_the_specification_covers_every_row():
    assert set(PLAN_SOURCES) == {rule.action for rule in PLAN.rules}
    for action, sources in PLAN_SOURCES.items():
        assert set(PLAN.rule(action).sources) == sources, action


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world(problems=1, other_problems=1)
    target = make_fed_back_target(
        organization=w.organization, round_=make_round(w.office), problems=2, found_by=w.office_user
    )
    plan = services.plan_open(target=target, user=w.contact)
    fill_plan(plan, w.contact)
    w.extra.update(target=target, plan=plan)
    return w


def user_for(role, w):
    return {
        "contact": w.contact,
        "leader": w.leader,
        "other_contact": w.other_contact,
        "office": w.office_user,
        "leadership": w.leadership,
    }[role]


def plan_expected(role, state, action) -> str:
    if action == "assess" and role != "office":
        return "role"  # only the office opens an assessment at all
    if PLAN.rule(action).who_first and role not in PLAN_WHO[action]:
        return "role"  # asked before the state: someone who never acts hears so
    if state not in PLAN_SOURCES[action]:
        return "state"
    return "ok" if role in PLAN_WHO[action] else "role"


def plan_perform(action, plan, user):
    if action == "edit":
        return services.item_plan_update(item=plan.items.first(), user=user, measures="改")
    if action == "sign":
        return services.plan_sign(plan=plan, user=user)
    if action == "submit":
        return services.plan_submit(plan=plan, user=user)
    if action == "review":
        return services.plan_review(plan=plan, user=user, accept=True)
    if action == "assess":
        return services.assessment_open(target=plan.target, user=user)
    raise AssertionError(action)


def markers(response) -> set[str]:
    if response.status_code != 200:
        return set()
    return set(re.findall(r'data-action="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize("role", PLAN_ROLES)
def test_plan_table_service_and_page_agree(w, role, client):
    user = user_for(role, w)
    client.force_login(user)
    plan = w.extra["plan"]
    for state in P.values:
        for action in PLAN_SOURCES:
            savepoint = transaction.savepoint()
            Plan.objects.filter(pk=plan.pk).update(status=state)
            current = Plan.objects.get(pk=plan.pk)
            outcome = plan_expected(role, state, action)
            offered = actions_for(PLAN, user, current)
            assert (action in offered and offered[action].allowed) == (outcome == "ok"), (
                role,
                state,
                action,
            )
            page = markers(client.get(current.get_absolute_url()))
            assert (action in page) == (outcome == "ok"), (role, state, action, page)
            if outcome == "ok":
                plan_perform(action, current, user)
            else:
                error = ValidationError if outcome == "state" else PermissionDenied
                with pytest.raises(error):
                    plan_perform(action, current, user)
                assert Plan.objects.get(pk=plan.pk).status == state
                assert not Assessment.objects.filter(target=plan.target).exists()
            transaction.savepoint_rollback(savepoint)


def test_assessment_refused_for_a_target_with_no_plan_or_a_draft_plan(w):
    """On main the office could open 一评估 for any target it could see."""
    plan = w.extra["plan"]
    with pytest.raises(ValidationError, match="审核通过后才能开展整改评估"):
        services.assessment_open(target=plan.target, user=w.office_user)
    bare = make_fed_back_target(
        organization=w.organization, round_=make_round(w.office), problems=1, found_by=w.office_user
    )
    with pytest.raises(ValidationError, match="尚未编制整改方案"):
        services.assessment_open(target=bare, user=w.office_user)
    assert not Assessment.objects.exists()


def test_assessment_open_refusal_is_a_message_on_the_plan_page(w, client):
    plan = w.extra["plan"]
    client.force_login(w.office_user)
    response = client.post(
        reverse("rectification:assessment_open", args=[plan.target_id]), follow=True
    )
    assert "审核通过后才能开展整改评估" in response.content.decode()
    assert not Assessment.objects.exists()


# --- the ledger item: the page offers exactly the allowed actions ---------------

# The item page groups the two 查账 outcomes in one form, and 回头看 is its own.
ITEM_FORM = {
    LedgerEntry.Action.REPORT: "report",
    LedgerEntry.Action.HAND_IN: "hand_in",
    LedgerEntry.Action.TRANSFER: "transfer",
    LedgerEntry.Action.CHECK_ACCEPT: "check",
    LedgerEntry.Action.CHECK_RETURN: "check",
    LedgerEntry.Action.CLOSE: "close",
    LedgerEntry.Action.REOPEN: "follow_up",
}


@pytest.mark.parametrize("role", ["contact", "other_contact", "office", "leadership"])
def test_item_page_offers_exactly_the_table_allowed_forms(w, role, client):
    user = user_for(role, w)
    client.force_login(user)
    item = w.plan.items.first()
    for state in Item.State.values:
        closed_at = item.updated_at if state == Item.State.CLOSED else None
        Item.objects.filter(pk=item.pk).update(state=state, closed_at=closed_at)
        current = Item.objects.get(pk=item.pk)
        allowed = {a for a, offer in actions_for(ITEM, user, current).items() if offer.allowed}
        page = markers(client.get(current.get_absolute_url()))
        assert page == {ITEM_FORM[a] for a in allowed}, (role, state, page)


# --- 巡察建议书 ------------------------------------------------------------------

R = Recommendation.Status


@pytest.mark.parametrize("role", ["office", "department", "other_department"])
def test_recommendation_table_service_and_page_agree(w, role, client):
    import datetime

    recommendation = services.recommendation_issue(
        office=w.office,
        department=w.department,
        title="关于加强津补贴管理的建议",
        content="建议完善制度。",
        due=datetime.date.today() + datetime.timedelta(days=30),
        user=w.office_user,
    )
    user = {
        "office": w.office_user,
        "department": w.other_dept,
        "other_department": w.discipline,
    }[role]
    client.force_login(user)
    for state in R.values:
        for rule in RECOMMENDATION.rules:
            savepoint = transaction.savepoint()
            Recommendation.objects.filter(pk=recommendation.pk).update(status=state)
            current = Recommendation.objects.get(pk=recommendation.pk)
            ok = (
                state in rule.sources
                and ((role == "office") == (rule.roles == ("office_staff",)))
                and role != "other_department"
            )
            page = markers(client.get(current.get_absolute_url()))
            assert (rule.action in page) == ok, (role, state, rule.action)
            call = functools.partial(
                services.recommendation_step,
                recommendation=current,
                action=rule.action,
                note="已落实",
                user=user,
            )
            if ok:
                call()
                assert Recommendation.objects.get(pk=current.pk).status == rule.target
            else:
                with pytest.raises((ValidationError, PermissionDenied)):
                    call()
                assert Recommendation.objects.get(pk=current.pk).status == state
            transaction.savepoint_rollback(savepoint)


# --- 一评估 ----------------------------------------------------------------------


def assessment_perform(action, assessment, user):
    if action == "questionnaire":
        from tests.intake_fixtures import questionnaire

        office = Assessment.objects.get(pk=assessment.pk).target.round.office
        q, _questions = questionnaire(
            make_user(Role.OFFICE, office=office, username="q-author"), name="流程问卷"
        )
        return services.assessment_use_questionnaire(
            assessment=assessment, questionnaire=q, user=user
        )
    if action == "links":
        return services.survey_links_create(
            assessment=assessment, respondent="public", count=2, user=user
        )
    if action == "close":
        return services.survey_close(assessment=assessment, user=user)
    if action == "verdict":
        return services.assessment_decide(
            assessment=assessment, verdict=Assessment.Verdict.values[-1], note="好", user=user
        )
    if action == "accountability":
        return services.accountability_record(
            assessment=assessment,
            person_name="王五",
            position="财务科科长",
            measure="诫勉谈话",
            reason="整改不力",
            user=user,
        )
    raise AssertionError(action)


@pytest.mark.parametrize("role", ["office", "leadership", "contact"])
def test_assessment_table_service_and_page_agree(w, role, client):
    user = user_for(role, w)
    assessment = services.assessment_open(target=w.target, user=w.office_user)
    client.force_login(user)
    for survey_open in (True, False):
        for rule in ASSESSMENT.rules:
            savepoint = transaction.savepoint()
            Assessment.objects.filter(pk=assessment.pk).update(survey_open=survey_open)
            current = Assessment.objects.get(pk=assessment.pk)
            ok = role == "office" and current.survey_state in rule.sources
            offered = actions_for(ASSESSMENT, user, current)
            assert (rule.action in offered and offered[rule.action].allowed) == ok
            page = markers(client.get(current.get_absolute_url()))
            assert (rule.action in page) == ok, (role, survey_open, rule.action, page)
            if ok:
                assessment_perform(rule.action, current, user)
            else:
                with pytest.raises((ValidationError, PermissionDenied)):
                    assessment_perform(rule.action, current, user)
                assert Assessment.objects.get(pk=assessment.pk).survey_open == survey_open
            transaction.savepoint_rollback(savepoint)

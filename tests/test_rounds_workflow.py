"""The round's rule table (rounds/workflow.py): closure that tells the truth,
and tests generated from the table (state × role × action: the service and
the round page agree with it)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rectification.models import Item, Plan
from rounds.models import Round, Target
from rounds.services import round_advance, team_create
from rounds.workflow import ROUND, next_step
from tests.factories import OfficeFactory, make_user
from tests.rect_fixtures import URLS, make_fed_back_target, world
from tests.rounds_factories import RoundFactory
from xuncha.accounts.roles import Role
from xuncha.core.workflow import actions_for, blocking_reasons

pytestmark = pytest.mark.urls(URLS)
ST = Item.State


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world(problems=2, other_problems=1)


def archive_refusal(w) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        round_advance(round_=w.round, user=w.office_user)
    assert Round.objects.get(pk=w.round.pk).status == Round.Status.RECTIFYING
    assert set(w.round.targets.values_list("status", flat=True)) != {Target.Status.CLOSED}
    return refused.value.messages


def page_markers(client, user, obj) -> tuple[str, set[str]]:
    import re

    client.force_login(user)
    response = client.get(obj.get_absolute_url())
    body = response.content.decode() if response.status_code == 200 else ""
    return body, set(re.findall(r'data-action="([^"]+)"', body))


def test_archive_refused_while_items_are_open_and_the_page_lists_what_remains(w, client):
    """On main 归档 went through right after 推进到整改 and every target showed 已完成."""
    messages = archive_refusal(w)
    assert messages == [
        f"「{w.organization.name}」还有 2 项整改事项未完成（整改中 2 项）。",
        f"「{w.other_organization.name}」还有 1 项整改事项未完成（整改中 1 项）。",
    ]
    body, markers = page_markers(client, w.office_user, w.round)
    assert "archive" not in markers and 'data-blocked-action="archive"' in body
    assert messages[0] in body and "条件已具备" not in body
    # The unit does not see its target 已完成 either.
    assert Target.objects.get(pk=w.target.pk).get_status_display() != "已完成"


def test_archive_refused_while_a_plan_is_not_accepted_or_missing(w):
    Item.objects.filter(round=w.round).update(state=ST.CLOSED, closed_at=timezone.now())
    Plan.objects.filter(pk=w.other_plan.pk).update(status=Plan.Status.SUBMITTED)
    no_plan = make_fed_back_target(
        organization=make_user(Role.UNIT_CONTACT, username="third").organization,
        round_=w.round,
        problems=1,
        found_by=w.office_user,
    )
    messages = archive_refusal(w)
    assert messages == [
        f"「{w.other_organization.name}」的整改方案尚未通过审核（当前为「已报送」）。",
        f"「{no_plan.organization.name}」尚未编制整改方案。",
    ]


def test_a_transfer_counts_as_handed_over_only_with_its_receiving_body_named(w, client):
    items = list(Item.objects.filter(round=w.round).order_by("pk"))
    Item.objects.filter(pk__in=[i.pk for i in items[1:]]).update(state=ST.ACCEPTED)
    Item.objects.filter(pk=items[0].pk).update(state=ST.TRANSFERRED, transferred_to=None)
    assert archive_refusal(w) == [
        f"「{w.organization.name}」还有 1 项整改事项未完成（已转办但未明确承接部门 1 项）。"
    ]
    Item.objects.filter(pk=items[0].pk).update(transferred_to=w.department)
    round_advance(round_=w.round, user=w.office_user)
    assert Round.objects.get(pk=w.round.pk).status == Round.Status.ARCHIVED
    assert set(w.round.targets.values_list("status", flat=True)) == {Target.Status.CLOSED}
    # An archived round offers nothing more, and no longer 组建巡察组.
    body, markers = page_markers(client, w.office_user, Round.objects.get(pk=w.round.pk))
    assert markers == set() and "组建巡察组" not in body


# --- generated from the table ---------------------------------------------------

ROLES = ["office", "other_office", "leadership", "unit_contact"]


@pytest.mark.parametrize("role", ROLES)
def test_round_table_service_and_page_agree(db, role, client):
    office = OfficeFactory()
    round_ = RoundFactory(office=office)
    user = {
        "office": make_user(Role.OFFICE, office=office, username="o"),
        "other_office": make_user(Role.OFFICE, office=OfficeFactory(district=True), username="d"),
        "leadership": make_user(Role.LEADERSHIP, office=office, username="l"),
        "unit_contact": make_user(Role.UNIT_CONTACT, username="u"),
    }[role]
    for state in Round.Status.values:
        savepoint = transaction.savepoint()
        Round.objects.filter(pk=round_.pk).update(status=state)
        current = Round.objects.get(pk=round_.pk)
        expected = {
            rule.action
            for rule in ROUND.rules
            if state in rule.sources and role == "office" and not blocking_reasons(rule, current)
        }
        offered = actions_for(ROUND, user, current)
        assert {a for a, offer in offered.items() if offer.allowed} == expected, (role, state)
        _body, markers = page_markers(client, user, current)
        assert markers == expected, (role, state, markers)
        # The service: the next stage, and forming a team.
        step = next_step(current)
        if step is not None:
            if step.action in expected:
                round_advance(round_=current, user=user)
                assert Round.objects.get(pk=round_.pk).status == step.target
            else:
                with pytest.raises((ValidationError, PermissionDenied)):
                    round_advance(round_=current, user=user)
                assert Round.objects.get(pk=round_.pk).status == state
        current = Round.objects.get(pk=round_.pk)
        Round.objects.filter(pk=round_.pk).update(status=state)
        current.status = state
        if "form_team" in expected:
            team_create(round_=current, number=9, user=user)
        else:
            with pytest.raises((ValidationError, PermissionDenied)):
                team_create(round_=current, number=9, user=user)
            assert not current.teams.filter(number=9).exists()
        transaction.savepoint_rollback(savepoint)

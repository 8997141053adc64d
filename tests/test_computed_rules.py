"""Computed rules in one place: an item's done / open / colour is the same
whether a list, a reminder or a row asks; date rules hold in the services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rectification import services
from rectification.models import Item
from rectification.selectors import item_list, overdue_list
from rectification.services.reminders import due_reminders
from tests.rect_fixtures import URLS, set_item, world

pytestmark = pytest.mark.urls(URLS)
ST = Item.State


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RECTIFICATION_GREEN_DAYS, settings.RECTIFICATION_YELLOW_DAYS = 20, 10
    return world(problems=1, other_problems=1)


OFFSETS = [-5, 0, 10, 11, 20, 21, None]


def test_queryset_and_model_agree_for_every_state_and_deadline(w):
    today = timezone.localdate()
    item = w.plan.items.first()
    for state in ST.values:
        for kind in Item.Kind.values:
            for offset in OFFSETS:
                deadline = None if offset is None else today + datetime.timedelta(days=offset)
                closed_at = timezone.now() if state == ST.CLOSED else None
                row = set_item(item, state=state, kind=kind, deadline=deadline, closed_at=closed_at)
                one = Item.objects.filter(pk=row.pk)
                assert one.done().exists() == row.is_done == (state in (ST.ACCEPTED, ST.CLOSED))
                assert one.open().exists() == row.is_open
                for colour in ("red", "yellow", "green"):
                    assert one.coloured(colour, today).exists() == (row.colour(today) == colour), (
                        state,
                        kind,
                        offset,
                        colour,
                    )
                annotated = one.with_colour(today).values_list("colour", flat=True).first()
                assert (annotated or "") == row.warning_level, (state, kind, offset)


def test_lists_and_reminders_use_the_same_colour(w):
    today = timezone.localdate()
    item = w.plan.items.first()
    set_item(
        item,
        state=ST.HANDED_IN,
        kind=Item.Kind.DEADLINE,
        deadline=today - datetime.timedelta(days=1),
    )
    assert list(overdue_list(user=w.office_user)) == [item]
    assert list(item_list(user=w.office_user, filters={"colour": "red"})) == [item]
    assert [(r.item_id, r.level) for r in due_reminders(today)] == [(item.pk, "red")]


def test_deadline_before_feedback_is_refused_by_the_service(w):
    """On main only nothing stopped it: the deadline was accepted before the feedback date."""
    from tests.rect_fixtures import make_fed_back_target, make_round

    target = make_fed_back_target(
        organization=w.organization, round_=make_round(w.office), problems=1, found_by=w.office_user
    )
    plan = services.plan_open(target=target, user=w.contact)
    item = plan.items.first()
    too_early = target.feedback_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.item_plan_update(item=item, user=w.contact, deadline=too_early)
    assert "不能早于反馈日期" in str(refused.value)
    assert Item.objects.get(pk=item.pk).deadline is None
    services.item_plan_update(item=item, user=w.contact, deadline=target.feedback_date)


def test_found_date_after_today_is_refused_by_the_service(office_user):
    """On main only the form said so; the service took a future date."""
    from rounds.models import Problem
    from rounds.services import problem_create, problem_update
    from tests.rounds_factories import category
    from tests.test_rounds_problems import Cast

    cast = Cast(office_user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    fields = {
        "target": cast.target,
        "category": category("C04"),
        "description": "违规向在职人员发放津补贴12.6万元。",
        "source": Problem.Source.DOCUMENTS,
        "severity": Problem.Severity.SERIOUS,
        "user": cast.member,
    }
    with pytest.raises(ValidationError, match="发现日期不能晚于今天"):
        problem_create(**fields, found_on=tomorrow)
    assert not Problem.objects.exists()
    problem = problem_create(**fields)
    with pytest.raises(ValidationError, match="发现日期不能晚于今天"):
        problem_update(problem=problem, user=cast.member, found_on=tomorrow)
    assert Problem.objects.get(pk=problem.pk).found_on == timezone.localdate()

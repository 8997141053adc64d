"""Reads for the checklist: what a round requires, what each target has ticked,
and what is still missing (the guard before 报告 reads the same)."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from checklist.models import ChecklistItem, ChecklistTick
from fieldwork.models import Interview
from rounds.access import active_membership, office_manages
from rounds.models import Round, Target, WorkLog
from rounds.selectors import get_target_for_user
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Office

# The stages in which a team still works on site and ticks its steps.
TICKING_STAGES = (Round.Status.PREPARING, Round.Status.ON_SITE)


def item_list(*, office: Office) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(office=office).select_related("kind")


def required_items(round_: Round) -> list[ChecklistItem]:
    """The active steps of the round's office for the round's kinds, in order;
    a step two of its kinds both name is required once."""
    items = ChecklistItem.objects.filter(
        office_id=round_.office_id, kind__in=round_.kinds.all(), is_active=True
    ).select_related("kind")
    seen: set[str] = set()
    required = []
    for item in items:
        if item.name not in seen:
            seen.add(item.name)
            required.append(item)
    return required


@dataclass
class Row:
    item: ChecklistItem
    tick: ChecklistTick | None


def target_rows(target: Target) -> list[Row]:
    """The target's checklist: every required step with its tick, if any. A tick
    on a step of the same name (from another kind of the round) counts."""
    ticks = {
        tick.item.name: tick
        for tick in ChecklistTick.objects.filter(target=target).select_related(
            "item", "worklog", "interview", "ticked_by"
        )
    }
    return [Row(item, ticks.get(item.name)) for item in required_items(target.round)]


def _within_stay(records: QuerySet, day: str, target: Target) -> QuerySet:
    """``records`` dated (by ``day``) within the team's stay at the target."""
    if target.entry_date:
        records = records.filter(**{f"{day}__gte": target.entry_date})
    if target.exit_date:
        records = records.filter(**{f"{day}__lte": target.exit_date})
    return records


def interviews_for_ticking(target: Target) -> QuerySet[Interview]:
    """The 谈话记录 an interview step at this target may name: the team's own,
    made at this target, within its stay (services._check_interview refuses
    any other, each with its reason)."""
    interviews = Interview.objects.filter(target=target, team_id=target.team_id)
    return _within_stay(interviews, "held_on", target).order_by("-held_on", "-pk")


def worklogs_for_ticking(target: Target) -> QuerySet[WorkLog]:
    """The 工作日报 a step shown by a log may name: the team's own, within its
    stay at the target (services._check_worklog refuses any other)."""
    logs = WorkLog.objects.filter(team_id=target.team_id)
    return _within_stay(logs, "date", target).order_by("-date")


def missing_by_target(round_: Round) -> list[tuple[Target, list[str]]]:
    """Each target with the steps it has not ticked (targets with none missing left out)."""
    required = required_items(round_)
    if not required:
        return []
    ticked: dict[int, set[str]] = {}
    for target_id, name in ChecklistTick.objects.filter(target__round=round_).values_list(
        "target_id", "item__name"
    ):
        ticked.setdefault(target_id, set()).add(name)
    result = []
    for target in round_.targets.select_related("organization").order_by(
        "team__number", "organization__code"
    ):
        missing = [item.name for item in required if item.name not in ticked.get(target.pk, ())]
        if missing:
            result.append((target, missing))
    return result


def round_report_blockers(round_: Round) -> list[str]:
    """The guard's words: one line per target, naming each step still missing."""
    return [
        _("「%(org)s」现场工作清单尚未完成：%(missing)s。")
        % {"org": target.organization.name, "missing": "、".join(missing)}
        for target, missing in missing_by_target(round_)
    ]


def sees_checklist(user, target: Target) -> bool:
    """The office that runs the round and the team's signed members."""
    if user.has_role(Role.OFFICE) and office_manages(user, target.round.office):
        return True
    return active_membership(user, target.team) is not None


def get_target_for_checklist(user, pk: int) -> Target:
    target = get_target_for_user(user, pk)
    if not sees_checklist(user, target):
        raise Http404
    return target


def may_tick(user, target: Target) -> bool:
    return target.round.status in TICKING_STAGES and sees_checklist(user, target)


def get_tick_for_user(user, pk: int) -> ChecklistTick:
    tick = (
        ChecklistTick.objects.select_related("target__round__office", "target__team", "item")
        .filter(pk=pk)
        .first()
    )
    if tick is None:
        raise Http404
    get_target_for_checklist(user, tick.target_id)
    return tick

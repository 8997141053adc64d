"""The office's historical problems, imported from its Excel ledgers.

A problem normally enters through a signed team member (problem_create) and
the review steps. Records of past rounds have no such member any more: the
office imports them directly, already in the report or fed back, through
this one service, which checks and audit-logs every row like any other write.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rounds.access import office_manages
from rounds.models import Membership, Problem, Round, RoundKind, Target, Team
from rounds.workflow import IMPORT_OPEN_STATUSES, import_refusal
from xuncha.audit.services import log_actions
from xuncha.core.bulk import copy_create

IMPORTABLE_STATUSES = (Problem.Status.IN_REPORT, Problem.Status.FED_BACK)
FED_BACK_TARGET = (Target.Status.FED_BACK, Target.Status.RECTIFYING, Target.Status.CLOSED)


def default_status(target: Target) -> str:
    """A fed-back target's problems were fed back; otherwise they stand in the report."""
    return Problem.Status.FED_BACK if target.status in FED_BACK_TARGET else Problem.Status.IN_REPORT


def problem_import_check(*, problem: Problem, user, today: datetime.date | None = None) -> None:
    """Everything that must hold before an imported problem is written, as a
    ValidationError keyed by field. The import's preview runs this alone."""
    errors: dict[str, list[str]] = {}
    target = problem.target
    if not office_manages(user, target.round.office):
        errors.setdefault("target", []).append(
            f"「{target.organization.name}」所在的{target.round.name}不属于本级巡察办，不能导入。"
        )
    if problem.status not in IMPORTABLE_STATUSES:
        errors.setdefault("status", []).append("导入的问题状态只能是“列入报告”或“已反馈”。")
    elif problem.status == Problem.Status.FED_BACK and target.status not in FED_BACK_TARGET:
        errors.setdefault("status", []).append("该巡察对象尚未反馈，问题状态不能为“已反馈”。")
    if not problem.category.is_active:
        errors.setdefault("category", []).append(f"问题类别「{problem.category.name}」已停用。")
    if problem.found_on and problem.found_on > (today or timezone.localdate()):
        errors.setdefault("found_on", []).append("发现日期不能晚于今天。")
    if not (problem.description or "").strip():
        errors.setdefault("description", []).append("问题描述不能为空。")
    if not errors:
        # The model's own field checks; the related rows were loaded by the caller.
        try:
            problem.clean_fields(exclude=["target", "category", "round", "team", "found_by"])
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def problems_import(*, problems: list[Problem], user, job=None) -> list[Problem]:
    """Write imported problems with one bulk insert (a COPY on PostgreSQL),
    each marked as imported in the audit log (with the import job's number).

    ``problems`` are unsaved, with their target, category and fields set and
    each already passed through problem_import_check and the model's field
    validation in this same transaction (the import's check runs just before
    the write, under the job's lock): checking again here would double the
    cost of a 10,000-row import for nothing. The importing office user is
    recorded as who entered them; the problems keep their own dates."""
    for problem in problems:
        problem.round_id = problem.target.round_id
        problem.team_id = problem.target.team_id
        problem.found_by = user
    copy_create(Problem, problems)
    imported = job.pk if job is not None else True
    log_actions(
        user,
        "problem.import",
        [
            (
                problem,
                {"imported": imported, "target": problem.target_id, "found_on": problem.found_on},
            )
            for problem in problems
        ],
    )
    return problems


def people_refusal(round_name: str, status: str, people: list) -> str:
    """Why people may not be imported onto a team of a round in ``status``;
    "" when they may. Only an archived round's teams take people from a sheet:
    they are the record of a past team. A live round's members are added on
    its team page, where recusal is checked and the targets' access granted;
    a membership made by an import would skip both, and once its commitments
    were signed it would open the team's material."""
    if not people or status in IMPORT_OPEN_STATUSES:
        return ""
    return (
        f"{round_name}处于“{Round.Status(status).label}”阶段：只有已归档轮次的巡察组可以导入组长、"
        "副组长、组员；进行中的轮次请在巡察组页面配备人员（须经回避审查并授权）。"
    )


def team_people_refusals(
    round_: Round, team_number: int, people: list, placed: dict
) -> tuple[list[str], list]:
    """What keeps people named for a team of an existing round off it, and
    who of them would join it. ``people`` are (role, cadre) pairs; ``placed``
    the round's memberships as {(round pk, cadre pk): membership}. A person
    already on the team in the same role is simply there; on another team or
    in another role, or a second 组长, is refused (an import adds people,
    and never moves or removes one)."""
    if reason := people_refusal(round_.name, round_.status, people):
        return [reason], []
    refusals, joining = [], []
    leader = next(
        (
            m
            for (round_id, _cadre), m in placed.items()
            if round_id == round_.pk
            and m.team.number == team_number
            and m.role == Membership.Role.LEADER
        ),
        None,
    )
    for role, cadre in people:
        membership = placed.get((round_.pk, cadre.pk))
        if membership is None:
            if role == Membership.Role.LEADER and leader is not None:
                refusals.append(
                    f"{round_.name}{leader.team.name}已有组长{leader.cadre.name}，"
                    f"不能再以{cadre.name}为组长。"
                )
            else:
                joining.append((role, cadre))
        elif membership.team.number != team_number:
            refusals.append(
                f"「{cadre.name}」已是{round_.name}{membership.team.name}的"
                f"{Membership.Role(membership.role).label}，同一人在一轮巡察中只能在一个巡察组。"
            )
        elif membership.role != role:
            refusals.append(
                f"「{cadre.name}」在{membership.team.name}中是"
                f"{Membership.Role(membership.role).label}，与本行填写的"
                f"{Membership.Role(role).label}不一致。"
            )
    return refusals, joining


def team_change_refusal(target: Target, team_number: int) -> str | None:
    """Why an import may not give an existing target to another team (its
    problems, clues and records stay with the team that inspected it, and
    the new team would pass no recusal check); None when it may."""
    if target.pk is None or target.team.number == team_number:
        return None
    return (
        f"{target.organization.name}由{target.team.name}巡察，导入不能改换巡察组"
        f"（本行填写第{team_number}组）。"
    )


@transaction.atomic
def targets_import(*, rows: list[dict], user, job=None) -> dict:
    """Write imported rounds, teams and targets (rounds.round_import's rows,
    checked in this same transaction): a round or team is created the first
    time a row names them, a new target inserted, an existing one updated,
    the team's people (组长, 副组长, 组员) added as memberships. Each created
    or changed row is marked as imported in the audit log.

    An existing round is changed only when rounds.workflow.import_refusal
    allows it (archived); otherwise, or when a person would clash with the
    round's teams, the whole import is refused with the reason.

    Imported members get no object permissions and sign no commitments:
    they are the record of who was on a past team, not a new secondment
    (一次一授权 ended with that round)."""
    office = user.office
    imported = job.pk if job is not None else True
    rounds = {(r.term, r.number): r for r in Round.objects.filter(office=office)}
    created: set[int] = set()
    teams = {(t.round_id, t.number): t for t in Team.objects.filter(round__office=office)}
    placed = {
        (m.round_id, m.cadre_id): m
        for m in Membership.objects.filter(
            round__in=[
                rounds[key] for key in {(r["term"], r["number"]) for r in rows} if key in rounds
            ]
        ).select_related("team", "cadre")
    }
    counts = {"rounds": 0, "teams": 0, "targets": 0, "updated": 0, "members": 0}
    audit: dict[str, list] = {
        "round.import": [],
        "team.import": [],
        "team.member_import": [],
        "target.import": [],
    }
    new_targets, changed_targets = [], []
    for row in rows:
        key = (row["term"], row["number"])
        round_ = rounds.get(key)
        if round_ is None:
            values = dict(row["round"])
            kinds = values.pop("kinds")
            round_ = Round(office=office, term=row["term"], number=row["number"], **values)
            round_.full_clean(exclude=["office"])
            round_.save()
            round_.kinds.set(RoundKind.objects.filter(code__in=kinds))
            rounds[key] = round_
            created.add(round_.pk)
            counts["rounds"] += 1
            audit["round.import"].append((round_, {"imported": imported, "year": round_.year}))
        elif round_.pk not in created and (reason := import_refusal(round_)):
            raise ValidationError(f"第 {row.get('row', '?')} 行：{reason}")
        values = row["target"]
        team = teams.get((round_.pk, values["team_number"]))
        if team is None:
            team = Team.objects.create(
                round=round_, number=values["team_number"], liaison=values["liaison"]
            )
            teams[(round_.pk, team.number)] = team
            counts["teams"] += 1
            audit["team.import"].append((team, {"imported": imported, "round": round_.pk}))
        refusals, joining = team_people_refusals(round_, team.number, row.get("people", []), placed)
        if refusals:
            raise ValidationError([f"第 {row.get('row', '?')} 行：{reason}" for reason in refusals])
        for role, cadre in joining:
            membership = Membership.objects.create(team=team, round=round_, cadre=cadre, role=role)
            placed[(round_.pk, cadre.pk)] = membership
            counts["members"] += 1
            audit["team.member_import"].append(
                (team, {"imported": imported, "cadre": cadre.pk, "role": role})
            )
        target = row["existing"] or Target(round=round_, organization=row["organization"])
        if (refusal := team_change_refusal(target, team.number)) is not None:
            raise ValidationError(f"第 {row.get('row', '?')} 行：{refusal}")
        before = None if target.pk is None else _target_state(target)
        target.team = team
        for name in ("leader_name", "entry_date", "exit_date", "feedback_date", "status"):
            setattr(target, name, values[name])
        # Target.save computes the rectification deadline; bulk writes would skip it.
        target.rectification_due = None
        if target.pk is None:
            new_targets.append(target)
        elif _target_state(target) != before:
            changed_targets.append((target, before))
    for target in new_targets + [t for t, _before in changed_targets]:
        target.full_clean(exclude=["round", "team", "organization"])
        target.save()
    counts["targets"] = len(new_targets)
    counts["updated"] = len(changed_targets)
    audit["target.import"] = [
        (t, {"imported": imported, "team": t.team_id, "organization": t.organization_id})
        for t in new_targets
    ] + [
        (t, {"imported": imported, "before": before, "after": _target_state(t)})
        for t, before in changed_targets
    ]
    for action, entries in audit.items():
        log_actions(user, action, entries)
    return counts


def _target_state(target: Target) -> dict:
    return {
        "team": target.team_id,
        "leader_name": target.leader_name,
        "entry_date": target.entry_date,
        "exit_date": target.exit_date,
        "feedback_date": target.feedback_date,
        "status": target.status,
    }

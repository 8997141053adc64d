"""Past clues and the people dealt with, imported from the office's ledgers.

A clue normally reaches its department through three signatures given in
the system (clues.services.handover). A clue of a past round was signed on
paper: it is imported with its own handover number and its signature dates,
the importing clue officer standing for the three signatories, and its
disposition with the date the department reported it. The receiving
department gets the clue as at receipt. Every row is marked as imported in
the audit log (with the import job's number). The rows come checked by
clues.resources in this same transaction.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from clues.models import Clue, Disposition, DispositionPerson
from clues.services.handover import disposition_due_from
from xuncha.audit.services import log_actions

S = Clue.Status


def _at(day: datetime.date | None, hour: int) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def clues_import(*, rows: list[dict], user, job=None) -> dict:
    """Write imported clues, each with its disposition when it has one."""
    imported = job.pk if job is not None else True
    clues, dispositions, audit = [], [], []
    for row in rows:
        target, dates = row["target"], row["dates"]
        disposition = row["disposition"]
        closed = dates["销号日期"] is not None
        clue = Clue(
            **row["clue"],
            round_id=target.round_id,
            team_id=target.team_id,
            target=target,
            department=row["department"],
            status=S.CLOSED if closed else S.RECEIVED,
            drafted_by=user,
            drafted_at=_at(dates["组长签字日期"], 9),
            submitted_by=user,
            submitted_at=_at(dates["组长签字日期"], 10),
            approved_by=user,
            approved_at=_at(dates["审批日期"], 10),
            received_by=user,
            received_at=_at(dates["签收日期"], 10),
            disposition_due=disposition_due_from(dates["签收日期"], urgent=row["clue"]["urgent"]),
            feedback_at=_at(dates["处置日期"], 16) if disposition else None,
            closed_by=user if closed else None,
            closed_at=_at(dates["销号日期"], 10),
        )
        clue.full_clean(exclude=["round", "team", "target", "department", "drafted_by"])
        clues.append((clue, disposition, dates))
    created = Clue.objects.bulk_create([clue for clue, _d, _dates in clues], batch_size=1000)
    for clue, (_clue, disposition, dates) in zip(created, clues, strict=True):
        assign_perm("clues.view_clue", clue.department.group, clue)
        if disposition is not None:
            dispositions.append(
                Disposition(
                    clue=clue,
                    reported_by=user,
                    reported_at=_at(dates["处置日期"], 16),
                    **disposition,
                )
            )
        audit.append(
            (
                clue,
                {
                    "imported": imported,
                    "department": clue.department_id,
                    "status": clue.status,
                    "date": clue.received_at.date(),
                },
            )
        )
    for disposition in dispositions:
        disposition.full_clean(exclude=["clue", "reported_by"])
    Disposition.objects.bulk_create(dispositions, batch_size=1000)
    log_actions(user, "clue.import", audit)
    return {"clues": len(created), "dispositions": len(dispositions)}


@transaction.atomic
def clue_people_import(*, people: list[DispositionPerson], user, job=None) -> list:
    """Write the people dealt with (checked against their disposition's method)."""
    imported = job.pk if job is not None else True
    DispositionPerson.objects.bulk_create(people, batch_size=1000)
    log_actions(
        user,
        "clue.import_people",
        [
            (
                person.disposition.clue,
                {
                    "imported": imported,
                    "disposition": person.disposition_id,
                    "outcomes": person.outcomes,
                },
            )
            for person in people
        ],
    )
    return people

"""What the department did with a clue, and the office's closing (销号)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clues import handoffs
from clues.models import Clue, Disposition, DispositionPerson
from clues.services.handover import disposition_due_from
from clues.workflow import CLUE, outcome_refusals
from xuncha.audit.services import log_action
from xuncha.core import workflow

S = Clue.Status


def people_check(*, method: str, people: list[dict]) -> list[DispositionPerson]:
    """The people dealt with, as unsaved rows, or a ValidationError listing
    every refusal: a person without a name or without an outcome, a name given
    twice, an outcome the method cannot produce (clues.workflow.OUTCOMES)."""
    errors: list[str] = []
    rows, seen = [], set()
    for number, person in enumerate(people, start=1):
        row = DispositionPerson(
            name=(person.get("name") or "").strip(),
            position=(person.get("position") or "").strip(),
            party_discipline=person.get("party_discipline") or "",
            government_sanction=person.get("government_sanction") or "",
            organizational_handling=(person.get("organizational_handling") or "").strip(),
            transferred_to_justice=bool(person.get("transferred_to_justice")),
        )
        who = (
            _("第 %(number)s 名处理人员（%(name)s）") % {"number": number, "name": row.name}
            if row.name
            else _("第 %(number)s 名处理人员") % {"number": number}
        )
        if not row.name:
            errors.append(_("%(who)s：请填写姓名。") % {"who": who})
        elif row.name in seen:
            errors.append(_("%(who)s：同一处置中重复填写。") % {"who": who})
        seen.add(row.name)
        if not row.outcomes:
            errors.append(_("%(who)s：请至少填写一项处理结果。") % {"who": who})
        errors += [
            _("%(who)s：%(message)s") % {"who": who, "message": m}
            for m in outcome_refusals(method, row.outcomes)
        ]
        try:
            row.clean_fields(exclude=["disposition"])
        except ValidationError as error:
            errors += [
                _("%(who)s：%(message)s") % {"who": who, "message": m} for m in error.messages
            ]
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def disposition_report(
    *,
    clue: Clue,
    user,
    method: str,
    note: str,
    people: list[dict] = (),
    money_recovered: Decimal = Decimal("0"),
    is_final: bool = False,
) -> Disposition:
    """Each report is a new entry on the clue's history, never an overwrite.
    ``people``: each person dealt with (name, position and their outcomes)."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    workflow.check(CLUE, user, clue, "disposition")
    people_rows = people_check(method=method, people=list(people))
    disposition = Disposition(
        clue=clue,
        method=method,
        note=note,
        money_recovered=money_recovered,
        is_final=is_final,
        reported_by=user,
    )
    disposition.full_clean()
    disposition.save()
    for row in people_rows:
        row.disposition = disposition
    DispositionPerson.objects.bulk_create(people_rows)
    if clue.feedback_at is None:
        clue.feedback_at = disposition.reported_at
        clue.save(update_fields=["feedback_at"])
    log_action(
        user,
        "clue.disposition",
        clue,
        {
            "disposition": disposition.pk,
            "method": method,
            "is_final": is_final,
            "people": len(people_rows),
        },
    )
    handoffs.disposition_reported(clue, is_final=is_final)
    return disposition


def latest_disposition(clue: Clue) -> Disposition | None:
    return clue.dispositions.order_by("-reported_at", "-id").first()


@transaction.atomic
def clue_close(*, clue: Clue, user) -> Clue:
    """销号: only when the department's latest report says it is final."""
    clue = Clue.objects.select_for_update().select_related("round__office").get(pk=clue.pk)
    workflow.check(CLUE, user, clue, "close")
    latest = latest_disposition(clue)
    clue.status, clue.closed_by, clue.closed_at = S.CLOSED, user, timezone.now()
    clue.save()
    log_action(user, "clue.close", clue, {"disposition": latest.pk})
    handoffs.clue_closed(clue)
    return clue


@transaction.atomic
def clue_reopen(*, clue: Clue, user, reason: str) -> Clue:
    clue = Clue.objects.select_for_update().select_related("round__office").get(pk=clue.pk)
    workflow.check(CLUE, user, clue, "reopen")
    if not reason.strip():
        raise ValidationError(_("重新打开须说明理由。"))
    clue.status, clue.closed_by, clue.closed_at = S.RECEIVED, None, None
    # A reopened clue owes a new report, on a new deadline.
    clue.feedback_at = None
    clue.disposition_due = disposition_due_from(timezone.localdate(), urgent=clue.urgent)
    clue.save()
    log_action(user, "clue.reopen", clue, {"reason": reason.strip()})
    return clue


def clue_record_read(*, clue: Clue, user, file_id: int | None = None) -> None:
    """Reading a clue or one of its files is itself an audited event (user,
    time and IP; the content itself never goes into the log)."""
    if file_id is None:
        log_action(user, "clue.read", clue, {})
    else:
        log_action(user, "clue.read_file", clue, {"file": file_id})

"""The office's reconciliation (对账): where the office's ledger and the
departments' disagree, or where feedback is late. Reads only, scoped by
clues.selectors.clue_list, so it never shows a clue its reader may not see.
Everything is counted in the database: no loop over rows."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clues.models import Clue, Disposition
from clues.selectors import clue_list

# Approved but not signed for after this many days: the office chases the department.
RECEIPT_DAYS = 3
# Rows shown in each table; the count above it is the whole number.
TABLE_ROWS = 200

S = Clue.Status
HANDED_OVER = [S.APPROVED, S.RECEIVED, S.CLOSED]


@dataclass(frozen=True)
class Reconciliation:
    # (a) approved, not signed for after RECEIPT_DAYS days
    not_received: QuerySet[Clue]
    # (b) signed for, disposition feedback overdue
    overdue: QuerySet[Clue]
    # (c) the latest disposition is final, not yet closed (待销号)
    to_close: QuerySet[Clue]
    # (d) signed for, no disposition reported at all
    no_feedback: QuerySet[Clue]
    counts: dict[str, int]
    # per department: handed over, received, with feedback, overdue, closed
    by_department: QuerySet


def _latest_disposition() -> QuerySet[Disposition]:
    return Disposition.objects.filter(clue=OuterRef("pk")).order_by("-reported_at", "-id")


def reconciliation(
    *, user, today: datetime.date | None = None, now: datetime.datetime | None = None
) -> Reconciliation:
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    receipt_cutoff = now - datetime.timedelta(days=RECEIPT_DAYS)
    has_feedback = Exists(Disposition.objects.filter(clue=OuterRef("pk")))
    latest = _latest_disposition()

    clues = (
        clue_list(user=user)
        .order_by()
        .annotate(
            has_feedback=has_feedback,
            latest_final=Subquery(latest.values("is_final")[:1]),
            latest_at=Subquery(latest.values("reported_at")[:1]),
        )
    )
    conditions = {
        "not_received": Q(status=S.APPROVED, approved_at__lt=receipt_cutoff),
        "overdue": Q(status=S.RECEIVED, feedback_at__isnull=True, disposition_due__lt=today),
        "to_close": Q(status=S.RECEIVED, latest_final=True),
        "no_feedback": Q(status=S.RECEIVED, has_feedback=False),
    }
    counts = clues.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    by_department = (
        clues.filter(status__in=HANDED_OVER)
        .values("department_id", "department__name")
        .annotate(
            handed_over=Count("pk"),
            received=Count("pk", filter=Q(status__in=[S.RECEIVED, S.CLOSED])),
            with_feedback=Count("pk", filter=Q(has_feedback=True)),
            overdue=Count("pk", filter=conditions["overdue"]),
            closed=Count("pk", filter=Q(status=S.CLOSED)),
        )
        .order_by("department__name")
    )
    return Reconciliation(
        not_received=clues.filter(conditions["not_received"]).order_by("approved_at", "pk"),
        overdue=clues.filter(conditions["overdue"]).order_by("disposition_due", "pk"),
        to_close=clues.filter(conditions["to_close"]).order_by("latest_at", "pk"),
        no_feedback=clues.filter(conditions["no_feedback"]).order_by("received_at", "pk"),
        counts=counts,
        by_department=by_department,
    )

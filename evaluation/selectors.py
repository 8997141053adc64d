"""Reads for the evaluation pages, scoped to the user (see evaluation.access)."""

from django.db.models import QuerySet

from evaluation.access import reads_evaluation
from rounds.models import Round


def evaluated_rounds(*, user) -> QuerySet[Round]:
    """The rounds whose teams this user may see evaluated: begun (past 计划),
    within their office's reach (the city office: all)."""
    if not reads_evaluation(user):
        return Round.objects.none()
    rounds = Round.objects.exclude(status=Round.Status.PLANNED).select_related("office")
    if not user.office.is_city:
        rounds = rounds.filter(office=user.office)
    return rounds.order_by("-year", "-term", "-number")

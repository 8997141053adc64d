"""Who sees the evaluation: the office and leadership, within their office's
reach (a round's teams) or the city's (the district offices). Others: 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from rounds.models import Round
from xuncha.accounts.roles import Role


def reads_evaluation(user) -> bool:
    return user.has_role(Role.OFFICE, Role.LEADERSHIP) and user.office is not None


def get_round_for_evaluation(user, pk: int) -> Round:
    if not reads_evaluation(user):
        raise Http404
    round_ = get_object_or_404(Round.objects.select_related("office"), pk=pk)
    if not (user.office.is_city or user.office_id == round_.office_id):
        raise Http404
    return round_


def require_city_reader(user) -> None:
    if not (reads_evaluation(user) and user.office.is_city):
        raise Http404


def sets_evaluation(user, office) -> bool:
    """Weights and remarks are the office's own: its staff, not leadership."""
    return user.has_role(Role.OFFICE) and user.office_id == office.pk

"""Who sees a round's lists and hits: the office that manages the round and
the round's teams (members who signed their commitments). Anyone else gets
a 404, never a hint that the object exists."""

from django.db.models import Q
from django.http import Http404

from crosscheck.models import Hit, Source
from rounds.access import office_manages
from rounds.models import Membership, Round
from xuncha.accounts.roles import Role

WORK_ROLES = (Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER)


def may_use(user) -> bool:
    """The pages of the feature at all: the office and the team roles."""
    return user.is_authenticated and user.is_active and user.has_role(*WORK_ROLES)


def is_round_member(user, round_: Round) -> bool:
    return Membership.objects.filter(
        round=round_, cadre__user=user, commitments_completed_at__isnull=False
    ).exists()


def may_see_round(user, round_: Round) -> bool:
    if not may_use(user):
        return False
    return office_manages(user, round_.office) or is_round_member(user, round_)


def may_build_held_list(user, round_: Round) -> bool:
    """The cadre pool (with relatives and work history) is the office's: a
    team sees only the rows a hit brings up, never the pool as a list."""
    return may_use(user) and office_manages(user, round_.office)


def visible_rounds(user):
    """The rounds whose lists the user may see."""
    if not may_use(user):
        return Round.objects.none()
    reach = Q(
        pk__in=Membership.objects.filter(
            cadre__user=user, commitments_completed_at__isnull=False
        ).values("round_id")
    )
    rounds = Round.objects.select_related("office")
    if user.has_role(Role.OFFICE) and user.office is not None:
        if user.office.is_city:
            return rounds.all()
        reach |= Q(office_id=user.office_id)
    return rounds.filter(reach)


def get_round_for_user(user, pk: int) -> Round:
    round_ = Round.objects.select_related("office").filter(pk=pk).first()
    if round_ is None or not may_see_round(user, round_):
        raise Http404
    return round_


def get_source_for_user(user, pk: int) -> Source:
    source = Source.objects.select_related("round__office").filter(pk=pk).first()
    if source is None or not may_see_round(user, source.round):
        raise Http404
    return source


def get_hit_for_user(user, pk: int) -> Hit:
    hit = (
        Hit.objects.select_related(
            "round__office", "rule", "left_row__source", "right_row__source", "via_row__source"
        )
        .filter(pk=pk)
        .first()
    )
    if hit is None or not may_see_round(user, hit.round):
        raise Http404
    return hit

"""Who sees a round's lists and hits: the office that manages the round sees
all of them; a team (members who signed their commitments) sees the round's
pages, but of its lists and hits only those of its own targets (DOMAIN: a
team sees only its own targets). Anyone else, and a team asking for another
team's list or hit, gets a 404, never a hint that the object exists."""

from django.db.models import Q
from django.http import Http404

from crosscheck.models import Hit, Source
from rounds.access import office_manages
from rounds.models import Membership, Round, Target
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


def sees_whole_round(user, round_: Round) -> bool:
    """The office that manages the round: every list and hit of it."""
    return may_use(user) and office_manages(user, round_.office)


def team_targets(user, round_: Round | None = None):
    """The targets of the teams the user is a signed member of (a subquery)."""
    targets = Target.objects.filter(
        team__memberships__cadre__user=user,
        team__memberships__commitments_completed_at__isnull=False,
    )
    if round_ is not None:
        targets = targets.filter(round=round_)
    return targets.values("pk")


def in_scope(queryset, user, round_: Round):
    """A round's sources or hits limited to what the user sees of them."""
    if sees_whole_round(user, round_):
        return queryset
    return queryset.filter(target__in=team_targets(user, round_))


def _visible(model, user):
    """The user's reach over a model with a round and a target: their teams'
    targets, and an office's rounds (the city's: every round)."""
    if not may_use(user):
        return model.objects.none()
    reach = Q(target__in=team_targets(user))
    if user.has_role(Role.OFFICE) and user.office is not None:
        if user.office.is_city:
            return model.objects.all()
        reach |= Q(round__office_id=user.office_id)
    return model.objects.filter(reach)


def visible_hits(user):
    """Every hit the user may see, across rounds (the 待办 and the overview)."""
    return _visible(Hit, user)


def visible_sources(user):
    """Every list the user may see, across rounds."""
    return _visible(Source, user)


def is_target_member(user, obj) -> bool:
    """A signed member of the team of the list's or hit's target."""
    return obj.target_id is not None and (
        Membership.objects.filter(
            team__targets=obj.target_id,
            cadre__user=user,
            commitments_completed_at__isnull=False,
        ).exists()
    )


def _sees_target_of(user, obj) -> bool:
    return sees_whole_round(user, obj.round) or is_target_member(user, obj)


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
    if not _sees_target_of(user, source):
        raise Http404
    return source


def get_hit_for_user(user, pk: int) -> Hit:
    hit = (
        Hit.objects.select_related(
            "round__office",
            "rule",
            "left_row__source",
            "right_row__source",
            "via_row__source",
            "target__organization",
            "target__team",
        )
        .filter(pk=pk)
        .first()
    )
    if hit is None or not may_see_round(user, hit.round):
        raise Http404
    if not _sees_target_of(user, hit):
        raise Http404
    return hit

"""Reads of the 大数据比对 pages, scoped by the access rules."""

from django.db.models import Count, Q, QuerySet

from crosscheck.access import (
    WORK_ROLES,
    in_scope,
    sees_whole_round,
    team_targets,
    visible_hits,
    visible_rounds,
    visible_sources,
)
from crosscheck.models import Hit, Row, RuleRun, Source
from crosscheck.services.matching import rules_for
from rounds.access import active_membership, office_manages
from rounds.models import Round, Target
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Office


def round_overview(user) -> list[Round]:
    """The rounds the user may compare lists in, with the counts of the lists
    and open hits the user sees in each (a team: its own targets')."""
    rounds = list(visible_rounds(user).order_by("-year", "-term", "-number"))
    ids = [round_.pk for round_ in rounds]

    def per_round(queryset) -> dict[int, int]:
        return dict(
            queryset.filter(round_id__in=ids)
            .values_list("round_id")
            .annotate(n=Count("pk"))
            .order_by()
        )

    sources = per_round(visible_sources(user))
    hits = per_round(visible_hits(user).filter(status=Hit.Status.OPEN))
    for round_ in rounds:
        round_.source_count = sources.get(round_.pk, 0)
        round_.open_hits = hits.get(round_.pk, 0)
    return rounds


def round_sources(round_: Round, *, user):
    sources = Source.objects.filter(round=round_).select_related(
        "uploaded_by", "target__organization"
    )
    return in_scope(sources, user, round_).order_by("-pk")


def round_rules(round_: Round):
    return rules_for(round_).order_by("office_id", "pk")


def round_runs(round_: Round) -> list[RuleRun]:
    return list(RuleRun.objects.filter(round=round_).select_related("rule", "run_by")[:20])


def round_hits(round_: Round, status: str = "", *, user):
    hits = in_scope(Hit.objects.filter(round=round_), user, round_).select_related(
        "rule", "left_row__source", "right_row__source", "target__organization"
    )
    return hits.filter(status=status) if status else hits


def upload_targets(user, round_: Round):
    """The targets a list may be brought in for: the office any of the round's,
    a team its own."""
    targets = assignable_targets(round_)
    if sees_whole_round(user, round_):
        return targets
    return targets.filter(pk__in=team_targets(user, round_))


def assignable_targets(round_: Round):
    """The targets the office may give a hit to: every target of the round."""
    return (
        Target.objects.filter(round=round_)
        .select_related("organization", "team")
        .order_by("team__number", "organization__code")
    )


def source_rows(source: Source):
    return Row.objects.filter(source=source).order_by("line")


def review_targets(user, round_: Round):
    """The targets the user may file a problem or a clue for: their team's."""
    targets = Target.objects.filter(round=round_).select_related("organization", "team")
    return targets.filter(
        team__memberships__cadre__user=user,
        team__memberships__commitments_completed_at__isnull=False,
    ).distinct()


def may_review(user, round_: Round) -> bool:
    return office_manages(user, round_.office) or any(
        active_membership(user, team) for team in round_.teams.all()
    )


def round_reviewers(round_: Round) -> QuerySet[User]:
    """Who has the round's open hits to review, as crosscheck.access has it:
    the office that manages the round (the city office too) and the signed
    members of the teams whose targets have open hits. One query."""
    office = Q(groups__name=Role.OFFICE.value) & (
        Q(office__level=Office.Level.CITY) | Q(office_id=round_.office_id)
    )
    teams = Hit.objects.filter(round=round_, status=Hit.Status.OPEN, target__isnull=False).values(
        "target__team_id"
    )
    member = Q(
        cadre__memberships__round=round_,
        cadre__memberships__team_id__in=teams,
        cadre__memberships__commitments_completed_at__isnull=False,
    )
    return User.objects.filter(
        Q(groups__name__in=[role.value for role in WORK_ROLES]) & (office | member),
        is_active=True,
    ).distinct()

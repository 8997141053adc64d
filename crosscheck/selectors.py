"""Reads of the 大数据比对 pages, scoped by the access rules."""

from django.db.models import Count, Q, QuerySet

from crosscheck.access import WORK_ROLES, visible_rounds
from crosscheck.models import Hit, Row, RuleRun, Source
from crosscheck.services.matching import rules_for
from rounds.access import active_membership, office_manages
from rounds.models import Round, Target
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Office


def round_overview(user):
    """The rounds the user may compare lists in, with their counts."""
    return (
        visible_rounds(user)
        .annotate(
            source_count=Count("crosscheck_sources", distinct=True),
            open_hits=Count(
                "crosscheck_hits", filter=Q(crosscheck_hits__status=Hit.Status.OPEN), distinct=True
            ),
        )
        .order_by("-year", "-term", "-number")
    )


def round_sources(round_: Round):
    return Source.objects.filter(round=round_).select_related("uploaded_by").order_by("-pk")


def round_rules(round_: Round):
    return rules_for(round_).order_by("office_id", "pk")


def round_runs(round_: Round) -> list[RuleRun]:
    return list(RuleRun.objects.filter(round=round_).select_related("rule", "run_by")[:20])


def round_hits(round_: Round, status: str = ""):
    hits = Hit.objects.filter(round=round_).select_related(
        "rule", "left_row__source", "right_row__source"
    )
    return hits.filter(status=status) if status else hits


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
    """Who may review the round's hits, as crosscheck.access.may_see_round has
    it: the office that manages the round (the city office too) and the
    round's team members who signed their commitments. One query."""
    office = Q(groups__name=Role.OFFICE.value) & (
        Q(office__level=Office.Level.CITY) | Q(office_id=round_.office_id)
    )
    member = Q(
        cadre__memberships__round=round_,
        cadre__memberships__commitments_completed_at__isnull=False,
    )
    return User.objects.filter(
        Q(groups__name__in=[role.value for role in WORK_ROLES]) & (office | member),
        is_active=True,
    ).distinct()

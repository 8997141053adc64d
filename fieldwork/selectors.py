"""Reads of the on-site records, each limited to who may see them: the team's
members who have signed their commitments, and staff of the office that runs
the round. Everyone else (leadership, units, departments, the admin duties,
another team) gets a 404: these records name the people who talked."""

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from fieldwork.models import (
    RECORD_MODELS,
    FieldPackage,
    FieldRecord,
    HandoutSheet,
    LaptopReturn,
    RecordAttachment,
    ReturnImport,
)
from rounds.access import active_membership, office_manages, office_reach_q
from rounds.models import Round, Team


def may_see_records(user, team: Team) -> bool:
    if not user.is_authenticated:
        return False
    return office_manages(user, team.round.office) or active_membership(user, team) is not None


def may_write_records(user, team: Team) -> bool:
    """The records are the team's own work: its members write them."""
    return user.is_authenticated and active_membership(user, team) is not None


def teams_with_records(user) -> QuerySet[Team] | None:
    """The teams a person opens records of: a member's own (signed), the
    office's rounds' teams while a stay is near or under way. None: nobody's."""
    from xuncha.accounts.roles import Role

    teams = Team.objects.select_related("round__office").order_by("-round__year", "round", "number")
    if user.has_role(Role.OFFICE) and office_reach_q(user, "round__office") is not None:
        return teams.filter(
            office_reach_q(user, "round__office"),
            round__status__in=[
                Round.Status.PREPARING,
                Round.Status.ON_SITE,
                Round.Status.REPORTING,
            ],
        )
    if user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        return teams.filter(
            memberships__cadre__user=user, memberships__commitments_completed_at__isnull=False
        )
    return None


def get_team_for_records(user, pk: int) -> Team:
    team = get_object_or_404(Team.objects.select_related("round__office"), pk=pk)
    if not may_see_records(user, team):
        raise Http404
    return team


def get_team_for_office(user, pk: int) -> Team:
    """Packages, returns and laptops are the office's business alone."""
    team = get_object_or_404(Team.objects.select_related("round__office"), pk=pk)
    if not office_manages(user, team.round.office):
        raise Http404
    return team


def record_model(kind: str) -> type[FieldRecord]:
    try:
        return RECORD_MODELS[kind]
    except KeyError:
        raise Http404 from None


def record_list(*, team: Team, kind: str) -> QuerySet:
    return (
        record_model(kind)
        .objects.filter(team=team)
        .select_related("target__organization", "created_by", "updated_by")
    )


def get_record_for_user(user, kind: str, uuid) -> FieldRecord:
    model = record_model(kind)
    record = get_object_or_404(model.objects.select_related("team__round__office"), uuid=uuid)
    if not may_see_records(user, record.team):
        raise Http404
    return record


def record_attachments(record: FieldRecord) -> QuerySet[RecordAttachment]:
    return RecordAttachment.objects.filter(
        team_id=record.team_id, record_uuid=record.uuid
    ).select_related("uploaded_by")


def record_counts(team: Team) -> dict[str, int]:
    return {kind: model.objects.filter(team=team).count() for kind, model in RECORD_MODELS.items()}


def record_counts_for_day(team: Team, date: datetime.date) -> dict[str, int]:
    """The work log's figures that the records give (registered with rounds)."""
    from fieldwork.models import DocumentReview, Interview, Petition

    return {
        "interviews": Interview.objects.filter(team=team, held_on=date).count(),
        "petitions": Petition.objects.filter(team=team, received_on=date).count(),
        "documents": sum(
            DocumentReview.objects.filter(team=team, examined_on=date).values_list(
                "copies", flat=True
            )
        ),
    }


def package_list(*, team: Team) -> QuerySet[FieldPackage]:
    return FieldPackage.objects.filter(team=team).select_related("created_by")


def pending_handouts(*, user, team: Team) -> set[int]:
    """The packages of this team whose 领取单 waits for this user (the exporter)."""
    return set(
        HandoutSheet.objects.filter(package__team=team, issued_to=user).values_list(
            "package_id", flat=True
        )
    )


def get_handout_for_user(user, package_id) -> HandoutSheet:
    """A 领取单 exists for one person: the one who exported, while they still
    manage the round's office, until they download it. Anyone else, and the
    exporter afterwards, gets a 404."""
    sheet = (
        HandoutSheet.objects.select_related("package__team__round__office", "package__created_by")
        .filter(package__package_id=package_id, issued_to=user)
        .first()
    )
    if sheet is None or not office_manages(user, sheet.package.team.round.office):
        raise Http404
    return sheet


def return_list(*, team: Team) -> QuerySet[ReturnImport]:
    return ReturnImport.objects.filter(package__team=team).select_related("imported_by")


def laptop_return_list(*, team: Team) -> QuerySet[LaptopReturn]:
    return LaptopReturn.objects.filter(team=team).select_related("recorded_by")

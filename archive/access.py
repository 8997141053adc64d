"""Who may have a round's archive: the office that runs the round, and
within it only those who may read its clues (the package holds every
handover form and the clue material). Everyone else: 404, as if it did
not exist."""

from django.db.models import QuerySet
from django.http import Http404

from archive.models import RoundArchive
from clues.access import is_clue_officer
from rounds.access import office_manages


def keeps_archives(user) -> bool:
    return user.office is not None and is_clue_officer(user)


def may_keep(user, round_) -> bool:
    return keeps_archives(user) and office_manages(user, round_.office)


def archive_list(*, user) -> QuerySet[RoundArchive]:
    if not keeps_archives(user):
        return RoundArchive.objects.none()
    qs = RoundArchive.objects.select_related("round__office", "requested_by")
    if not user.office.is_city:
        qs = qs.filter(round__office=user.office)
    return qs.order_by("-created_at")


def get_archive_for_user(user, pk: int) -> RoundArchive:
    archive = archive_list(user=user).filter(pk=pk).first()
    if archive is None:
        raise Http404
    return archive

"""Reads of clues. Anyone not listed here sees no clue at all: not in a list,
not in a count, not in a search, and a 404 on its URL.

- a clue officer (office staff holding clues.manage_clue): the clues of their office's reach;
- the drafting team (signed members): its own clues until the office approves them;
- a receiving department: the clues granted to its group at receipt, plus the
  bare handover numbers awaiting its receipt (no content before it signs);
- everyone else, leadership included: nothing (dashboards count, never read).
"""

from django.contrib.auth.models import Permission
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clues.access import is_clue_officer
from clues.models import Clue, ClueFile, ClueGroupObjectPermission, DispositionPerson
from rounds.access import office_reach_q
from rounds.models import Membership
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Department, Office

TEAM_VISIBLE = [Clue.Status.DRAFT, Clue.Status.SUBMITTED]


def _team_clues(user) -> Q:
    signed = Membership.objects.filter(
        team=OuterRef("team"), cadre__user=user, commitments_completed_at__isnull=False
    )
    return Q(Exists(signed), status__in=TEAM_VISIBLE)


def _department_clues(user) -> Q:
    # The department's group and the permission as constants (one small query
    # first): with them the planner knows what share of the clues the
    # department holds and walks the list's index, probing the grants, instead
    # of gathering every granted clue and sorting them all.
    view_clue = Permission.objects.filter(
        content_type__app_label="clues", codename="view_clue"
    ).values("pk")[:1]
    found = (
        Department.objects.filter(pk=user.department_id)
        .annotate(view_clue=Subquery(view_clue))
        .values_list("group_id", "view_clue")
        .first()
    )
    if found is None or None in found:
        return Q(pk__in=[])
    group_id, permission_id = found
    granted = ClueGroupObjectPermission.objects.filter(
        content_object=OuterRef("pk"), group_id=group_id, permission_id=permission_id
    )
    return Q(Exists(granted))


def clue_list(*, user, filters: dict | None = None) -> QuerySet[Clue]:
    filters = filters or {}
    qs = Clue.objects.select_related("department", "target__organization", "team", "round__office")
    if is_clue_officer(user) and user.office is not None:
        qs = qs.filter(office_reach_q(user, "round__office"))
    elif user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        qs = qs.filter(_team_clues(user))
    elif user.has_role(Role.DEPARTMENT) and user.department_id:
        qs = qs.filter(_department_clues(user))
    else:
        return qs.none()
    for name in ("status", "discipline", "department", "round", "team", "confidentiality"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if filters.get("urgent") in (True, "1", "true"):
        qs = qs.filter(urgent=True)
    if filters.get("overdue") in (True, "1", "true"):
        qs = qs.filter(
            status=Clue.Status.RECEIVED,
            feedback_at__isnull=True,
            disposition_due__lt=timezone.localdate(),
        )
    if query := (filters.get("q") or "").strip():
        qs = qs.filter(Q(number__icontains=query) | Q(person_name__icontains=query))
    # Urgent clues first: the fast track is flagged on every list.
    return qs.order_by("-urgent", "-id")


def awaiting_receipt(*, user) -> QuerySet[Clue]:
    """Handover numbers a department must sign for. Only metadata is shown."""
    if not (user.has_role(Role.DEPARTMENT) and user.department_id):
        return Clue.objects.none()
    return (
        Clue.objects.filter(department_id=user.department_id, status=Clue.Status.APPROVED)
        .only("pk", "number", "urgent", "confidentiality", "approved_at", "department_id")
        .order_by("-urgent", "approved_at")
    )


def get_clue_for_user(user, pk: int) -> Clue:
    return get_object_or_404(clue_list(user=user), pk=pk)


def get_clue_awaiting_receipt(user, pk: int) -> Clue:
    return get_object_or_404(awaiting_receipt(user=user), pk=pk)


def get_clue_file_for_user(user, clue_pk: int, file_pk: int) -> ClueFile:
    clue = get_clue_for_user(user, clue_pk)
    return get_object_or_404(ClueFile.objects.select_related("clue"), clue=clue, pk=file_pk)


def clue_officers(clue: Clue) -> QuerySet[User]:
    """Who is told about a clue: office staff holding clues.manage_clue (directly
    or through a group) in the clue's office or the city office. One query,
    the same rule as access.is_clue_officer."""
    holds_permission = Q(
        user_permissions__codename="manage_clue", user_permissions__content_type__app_label="clues"
    ) | Q(
        groups__permissions__codename="manage_clue",
        groups__permissions__content_type__app_label="clues",
    )
    reaches_clue = Q(office__level=Office.Level.CITY) | Q(office_id=clue.round.office_id)
    return (
        User.objects.filter(groups__name=Role.OFFICE.value, is_active=True)
        .filter(holds_permission)
        .filter(reaches_clue)
        .distinct()
    )


def department_users(clue: Clue) -> QuerySet[User]:
    return User.objects.filter(
        groups__name=Role.DEPARTMENT.value, department_id=clue.department_id, is_active=True
    )


# Each outcome kind, as a filter on DispositionPerson rows; "disciplined" is
# either sanction (the headline's "党纪政务处分 N 人").
OUTCOME_FILTERS = {
    "party_discipline": ~Q(party_discipline=""),
    "government_sanction": ~Q(government_sanction=""),
    "disciplined": ~Q(party_discipline="") | ~Q(government_sanction=""),
    "organizational_handling": ~Q(organizational_handling=""),
    "justice": Q(transferred_to_justice=True),
}


def _outcome_counts() -> dict:
    """A person counts once per clue, however many reports name them
    (dispositions are append-only, and a later report may repeat an earlier
    one). Aliased: an aggregate named like a field would be what the filters read."""
    person = Concat(Cast("disposition__clue_id", CharField()), Value("|"), "name")
    return {
        "n_people": Count(person, distinct=True),
        **{
            f"n_{name}": Count(person, distinct=True, filter=q)
            for name, q in OUTCOME_FILTERS.items()
        },
    }


def _unaliased(row: dict) -> dict:
    return {name.removeprefix("n_"): value for name, value in row.items()}


def outcome_people_counts(clues: QuerySet[Clue]) -> dict[str, int]:
    """People dealt with in the dispositions of ``clues``, per outcome kind
    (OUTCOME_FILTERS) and in all (``people``). One aggregate query; nothing of
    a person but the count leaves the database."""
    people = DispositionPerson.objects.filter(disposition__clue__in=clues.values("pk"))
    return _unaliased(people.aggregate(**_outcome_counts()))


def outcome_people_counts_by(clues: QuerySet[Clue], group_by: tuple[str, ...]) -> list[dict]:
    """outcome_people_counts per value of ``group_by`` (``Clue`` field paths),
    one row each with those paths as keys. Each clue lies in one group, so the
    rows add up to outcome_people_counts."""
    people = DispositionPerson.objects.filter(disposition__clue__in=clues.values("pk"))
    # Plain aliases: a path through the clue (organization__region_id) cannot
    # name a column of its own.
    aliases = {f"g{i}": F(f"disposition__clue__{path}") for i, path in enumerate(group_by)}
    return [
        {
            **{path: row.pop(f"g{i}") for i, path in enumerate(group_by)},
            **_unaliased(row),
        }
        for row in people.values(**aliases).annotate(**_outcome_counts()).order_by()
    ]

"""Reads for rectification, each limited to what the user may see.

- a unit contact: their own organization's plan, items and evidence;
- a receiving department: the items passed to it (转账) and its recommendations;
- office staff and leadership: their office's reach (the city: all);
- everyone else: nothing.
"""

import hashlib

from django.core.cache import cache
from django.db.models import Avg, Count, Min, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from rectification.models import (
    Assessment,
    Evidence,
    Item,
    ItemQuerySet,
    Plan,
    Recommendation,
    SurveyLink,
)
from rounds.access import office_reach_q
from xuncha.accounts.roles import Role

# The colour filter lives with the item's other computed rules (models.ItemQuerySet);
# the dashboard imports it from here.
colour_q = ItemQuerySet.colour_q


def item_list(*, user, filters: dict | None = None) -> QuerySet[Item]:
    filters = filters or {}
    qs = Item.objects.select_related("organization", "problem", "round__office", "transferred_to")
    office_q = office_reach_q(user)
    if office_q is not None:
        qs = qs.filter(office_q)
    elif user.has_role(Role.UNIT_CONTACT) and user.organization_id:
        qs = qs.filter(organization_id=user.organization_id)
    elif user.has_role(Role.DEPARTMENT) and user.department_id:
        qs = qs.filter(transferred_to_id=user.department_id)
    else:
        return qs.none()
    for name in ("round", "organization", "state", "kind"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if region := filters.get("region"):
        qs = qs.filter(organization__region=region)
    if colour := filters.get("colour"):
        qs = qs.coloured(colour)
    if filters.get("open") in (True, "1", "true"):
        qs = qs.open()
    return qs.order_by("deadline", "pk")


def overdue_list(*, user, filters: dict | None = None) -> QuerySet[Item]:
    return item_list(user=user, filters=filters).coloured(Item.Colour.RED)


def get_item_for_user(user, pk: int) -> Item:
    return get_object_or_404(item_list(user=user), pk=pk)


def get_evidence_for_user(user, item_pk: int, evidence_pk: int) -> Evidence:
    item = get_item_for_user(user, item_pk)
    return get_object_or_404(Evidence.objects.select_related("item"), item=item, pk=evidence_pk)


def plan_list(*, user) -> QuerySet[Plan]:
    qs = Plan.objects.select_related("organization", "target__round__office", "signed_by")
    office_q = office_reach_q(user, "target__round__office")
    if office_q is not None:
        return qs.filter(office_q)
    if user.has_role(Role.UNIT_CONTACT) and user.organization_id:
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


def get_plan_for_user(user, pk: int) -> Plan:
    return get_object_or_404(plan_list(user=user), pk=pk)


def assessment_list(*, user) -> QuerySet[Assessment]:
    office_q = office_reach_q(user, "target__round__office")
    if office_q is None:
        return Assessment.objects.none()
    return Assessment.objects.filter(office_q).select_related(
        "target__organization", "target__round"
    )


def get_assessment_for_user(user, pk: int) -> Assessment:
    return get_object_or_404(assessment_list(user=user), pk=pk)


def recommendation_list(*, user) -> QuerySet[Recommendation]:
    qs = Recommendation.objects.select_related("department", "office", "round")
    office_q = office_reach_q(user)
    if office_q is not None:
        return qs.filter(office_q)
    if user.has_role(Role.DEPARTMENT) and user.department_id:
        return qs.filter(department_id=user.department_id)
    return qs.none()


def get_recommendation_for_user(user, pk: int) -> Recommendation:
    return get_object_or_404(recommendation_list(user=user), pk=pk)


def completion_figures(items: QuerySet[Item]) -> dict:
    """整改完成率, rules made and money recovered, in one aggregate query."""
    done = ItemQuerySet.done_q()
    figures = items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=done),
        rules=Sum("rules_made"),
        money=Sum("money_recovered"),
    )
    total = figures["total"] or 0
    figures["rate"] = round(100 * figures["done"] / total, 1) if total else None
    figures["rules"] = figures["rules"] or 0
    figures["money"] = figures["money"] or 0
    return figures


# --- Figures: computed here, not in the views ------------------------------------

ANSWERED = Q(answered_at__isnull=False)


def survey_figures(assessment: Assessment) -> dict:
    """Links handed out, answers, average satisfaction and the share satisfied
    (4 or 5), per respondent kind and in all: one grouped query."""
    rows = (
        assessment.links.order_by()
        .values("respondent")
        .annotate(
            links=Count("pk"),
            answers=Count("pk", filter=ANSWERED),
            average=Avg("satisfaction"),
            satisfied=Count("pk", filter=Q(satisfaction__gte=4)),
        )
    )
    labels = dict(SurveyLink.Respondent.choices)
    groups = []
    total = {"label": "合计", "links": 0, "answers": 0, "satisfied": 0, "score": 0}
    for row in rows:
        groups.append({**row, "label": labels.get(row["respondent"], row["respondent"])})
        for key in ("links", "answers", "satisfied"):
            total[key] += row[key]
        total["score"] += (row["average"] or 0) * row["answers"]
    total["average"] = total["score"] / total["answers"] if total["answers"] else None
    for group in [*groups, total]:
        group["satisfied_rate"] = (
            round(100 * group["satisfied"] / group["answers"], 1) if group["answers"] else None
        )
    return {"groups": groups, "total": total}


def completion_by(items: QuerySet[Item], *fields: str) -> QuerySet:
    """Items, done, rules made and money recovered, grouped by ``fields``: one query."""
    rows = (
        items.order_by()
        .values(*fields)
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=ItemQuerySet.done_q()),
            rules=Sum("rules_made"),
            money=Sum("money_recovered"),
        )
    )
    return rows.order_by(*fields)


def with_rate(row: dict) -> dict:
    row["rate"] = round(100 * row["done"] / row["total"], 1) if row["total"] else None
    return row


def overdue_by_organization(items: QuerySet[Item], limit: int = 20) -> QuerySet:
    """The organizations with the most overdue items, and each one's oldest deadline."""
    return (
        items.order_by()
        .values("organization", "organization__name")
        .annotate(count=Count("pk"), oldest=Min("deadline"))
        .order_by("-count", "organization__name")[:limit]
    )


OVERDUE_SUMMARY_SECONDS = 60


def overdue_by_organization_cached(items: QuerySet[Item], limit: int = 20) -> list[dict]:
    """overdue_by_organization, kept for a minute.

    It counts every red item in the user's reach (tens of thousands at a
    province's size), where the list beside it reads one page. The key is the
    query itself, so two users share it only when they would get the same
    rows (same reach, same filter, same day). The list stays exact; the
    summary may lag a change by up to a minute."""
    query = overdue_by_organization(items, limit)
    sql, params = query.query.sql_with_params()
    digest = hashlib.sha256(f"{sql}|{params!r}".encode()).hexdigest()[:32]
    key = f"rectification:overdue-by-organization:{digest}"
    rows = cache.get(key)
    if rows is None:
        rows = list(query)
        cache.set(key, rows, OVERDUE_SUMMARY_SECONDS)
    return rows

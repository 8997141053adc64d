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
    Questionnaire,
    QuestionnaireAspect,
    Recommendation,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
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
    # The dashboard's scope, passed along by its drill-down links.
    for name in ("term", "year"):
        if value := filters.get(name):
            qs = qs.filter(**{f"round__{name}": value})
    if sector := filters.get("sector"):
        qs = qs.filter(organization__sector=sector)
    if filters.get("rules"):
        qs = qs.filter(rules_made__gt=0)
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


def _survey_rows(links) -> QuerySet:
    return (
        links.order_by()
        .values("assessment_id", "respondent")
        .annotate(
            links=Count("pk"),
            answers=Count("pk", filter=ANSWERED),
            average=Avg("satisfaction"),
            satisfied=Count("pk", filter=Q(satisfaction__gte=4)),
        )
    )


def _survey_summary(rows) -> dict:
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


# The one overall question is answered on personal links; the questionnaire's
# shared public link carries no answer of its own.
ONE_QUESTION_LINKS = Q(shared=False)


def survey_figures(assessment: Assessment) -> dict:
    """Links handed out, answers, average satisfaction and the share satisfied
    (4 or 5), per respondent kind and in all: one grouped query."""
    return _survey_summary(_survey_rows(assessment.links.filter(ONE_QUESTION_LINKS)))


def survey_figures_many(assessments: list[Assessment]) -> dict[int, dict]:
    """survey_figures for many assessments in one query."""
    rows: dict[int, list] = {a.pk: [] for a in assessments}
    links = SurveyLink.objects.filter(ONE_QUESTION_LINKS, assessment_id__in=list(rows))
    for row in _survey_rows(links):
        rows[row["assessment_id"]].append(row)
    return {pk: _survey_summary(found) for pk, found in rows.items()}


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


# --- 满意度测评问卷: scores per aspect and the grade --------------------------------

# The grade of a total score out of 100 (the published assessments' four
# levels): 90 and over 优秀, 80 较好, 60 一般, below 60 差.
GRADES = ((90, "优秀"), (80, "较好"), (60, "一般"), (0, "差"))


def grade_for(score: float | None) -> str:
    if score is None:
        return ""
    return next(label for floor, label in GRADES if score >= floor)


def questionnaire_list(*, user) -> QuerySet[Questionnaire]:
    office_q = office_reach_q(user)
    if office_q is None or not user.has_role(Role.OFFICE):
        return Questionnaire.objects.none()
    return Questionnaire.objects.filter(office_q).select_related("office", "created_by")


def get_questionnaire_for_user(user, pk: int) -> Questionnaire:
    return get_object_or_404(questionnaire_list(user=user), pk=pk)


def _weighted(pairs: list[tuple[float, int]]) -> float | None:
    total = sum(weight for _score, weight in pairs)
    return sum(score * weight for score, weight in pairs) / total if total else None


def questionnaire_figures_many(assessments: list[Assessment]) -> dict[int, dict]:
    """For each assessment with a questionnaire: responses by respondent kind,
    each aspect's score and the total out of 100, and the grade. Three queries
    whatever the number of assessments.

    A question scores the mean of its answers on its scale, taken to 0-100
    ((mean - lowest) / (highest - lowest) × 100); an aspect the weighted mean
    of its answered questions; the total the weighted mean of the aspects."""
    with_questionnaire = [a for a in assessments if a.questionnaire_id]
    if not with_questionnaire:
        return {}
    ids = [a.pk for a in with_questionnaire]
    counts: dict[int, dict[str, int]] = {}
    for row in (
        SurveyResponse.objects.filter(assessment_id__in=ids)
        .order_by()
        .values("assessment_id", "respondent")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(row["assessment_id"], {})[row["respondent"]] = row["n"]
    means: dict[tuple[int, int], float] = {
        (row["response__assessment_id"], row["question_id"]): row["mean"]
        for row in SurveyAnswer.objects.filter(response__assessment_id__in=ids)
        .order_by()
        .values("response__assessment_id", "question_id")
        .annotate(mean=Avg("value"))
    }
    aspects_by_questionnaire: dict[int, list[QuestionnaireAspect]] = {}
    for aspect in QuestionnaireAspect.objects.filter(
        questionnaire_id__in={a.questionnaire_id for a in with_questionnaire}
    ).prefetch_related("questions"):
        aspects_by_questionnaire.setdefault(aspect.questionnaire_id, []).append(aspect)
    labels = dict(SurveyLink.Respondent.choices)
    figures = {}
    for assessment in with_questionnaire:
        by_kind = counts.get(assessment.pk, {})
        aspect_rows = []
        for aspect in aspects_by_questionnaire.get(assessment.questionnaire_id, []):
            scored = []
            for question in aspect.questions.all():
                mean = means.get((assessment.pk, question.pk))
                if mean is None:
                    continue
                low, high = question.bounds
                scored.append((100 * (float(mean) - low) / (high - low), question.weight))
            aspect_rows.append(
                {"name": aspect.name, "weight": aspect.weight, "score": _weighted(scored)}
            )
        total = _weighted(
            [(row["score"], row["weight"]) for row in aspect_rows if row["score"] is not None]
        )
        figures[assessment.pk] = {
            "questionnaire": assessment.questionnaire,
            "responses": [
                {"kind": kind, "label": labels[kind], "count": by_kind.get(kind, 0)}
                for kind in SurveyLink.Respondent.values
            ],
            "response_total": sum(by_kind.values()),
            "aspects": aspect_rows,
            "score": total,
            "grade": grade_for(total),
        }
    return figures


def questionnaire_figures(assessment: Assessment) -> dict | None:
    return questionnaire_figures_many([assessment]).get(assessment.pk)


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

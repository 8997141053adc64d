"""巡察建议书: issued to a functional department, tracked like a small ledger."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from rectification.models import Recommendation, RecommendationEntry
from rectification.workflow import RECOMMENDATION
from rounds.access import office_manages
from xuncha.audit.services import log_action
from xuncha.core import workflow
from xuncha.notifications.services import notify

R = Recommendation.Status


@transaction.atomic
def recommendation_issue(
    *, office, department, title: str, content: str, due: datetime.date, round_=None, user
) -> Recommendation:
    if not office_manages(user, office):
        raise PermissionDenied("只有巡察办工作人员可以印发巡察建议书。")
    recommendation = Recommendation(
        office=office,
        round=round_,
        department=department,
        title=title,
        content=content,
        due=due,
        issued_by=user,
    )
    recommendation.full_clean()
    recommendation.save()
    RecommendationEntry.objects.create(recommendation=recommendation, action=R.ISSUED, actor=user)
    log_action(user, "recommendation.issue", recommendation, {"department": department.pk})
    notify(
        recipients=department.users.filter(is_active=True),
        title=f"收到巡察建议书：{title}",
        url=recommendation.get_absolute_url(),
        dedupe_key=f"recommendation:{recommendation.pk}:issued",
    )
    return recommendation


@transaction.atomic
def recommendation_step(
    *, recommendation: Recommendation, action: str, note: str = "", user
) -> Recommendation:
    recommendation = (
        Recommendation.objects.select_for_update()
        .select_related("office")
        .get(pk=recommendation.pk)
    )
    if action not in {rule.action for rule in RECOMMENDATION.rules}:
        raise ValidationError("未知的操作。")
    workflow.check(RECOMMENDATION, user, recommendation, action)
    if action == R.ANSWERED and not note.strip():
        raise ValidationError("请填写落实情况。")
    recommendation.status = action
    recommendation.save(update_fields=["status"])
    RecommendationEntry.objects.create(
        recommendation=recommendation, action=action, note=note.strip(), actor=user
    )
    log_action(user, f"recommendation.{action}", recommendation, {})
    return recommendation

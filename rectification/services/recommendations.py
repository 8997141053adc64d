"""巡察建议书: issued to a functional department, tracked like a small ledger."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from rectification.models import Recommendation, RecommendationEntry
from rounds.access import office_manages
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.notifications.services import notify

R = Recommendation.Status
# action → (states it may follow, who: "department" or "office")
STEPS = {
    R.RECEIVED: ((R.ISSUED,), "department"),
    R.ANSWERED: ((R.RECEIVED, R.ANSWERED), "department"),
    R.CLOSED: ((R.ANSWERED,), "office"),
}


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
    if action not in STEPS:
        raise ValidationError("未知的操作。")
    sources, who = STEPS[action]
    if recommendation.status not in sources:
        raise ValidationError(
            f"建议书当前为「{recommendation.get_status_display()}」，不能执行此操作。"
        )
    if who == "office" and not office_manages(user, recommendation.office):
        raise PermissionDenied("只有巡察办工作人员可以办结建议书。")
    if who == "department" and not (
        user.has_role(Role.DEPARTMENT) and user.department_id == recommendation.department_id
    ):
        raise PermissionDenied("只有主送部门可以进行此操作。")
    if action == R.ANSWERED and not note.strip():
        raise ValidationError("请填写落实情况。")
    recommendation.status = action
    recommendation.save(update_fields=["status"])
    RecommendationEntry.objects.create(
        recommendation=recommendation, action=action, note=note.strip(), actor=user
    )
    log_action(user, f"recommendation.{action}", recommendation, {})
    return recommendation

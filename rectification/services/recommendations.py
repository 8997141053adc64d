"""巡察建议书: issued to a functional department, tracked like a small ledger."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rectification.models import Recommendation, RecommendationEntry
from rectification.services.imports import ledger_moment, put_back_dates
from rectification.workflow import RECOMMENDATION
from rounds.access import office_manages
from rounds.workflow import import_refusal
from xuncha.audit.services import log_action, log_actions
from xuncha.core import workflow
from xuncha.notifications.services import notify

R = Recommendation.Status


@transaction.atomic
def recommendation_issue(
    *, office, department, title: str, content: str, due: datetime.date, round_=None, user
) -> Recommendation:
    if not office_manages(user, office):
        raise PermissionDenied(_("只有巡察办工作人员可以印发巡察建议书。"))
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
        raise ValidationError(_("未知的操作。"))
    workflow.check(RECOMMENDATION, user, recommendation, action)
    if action == R.ANSWERED and not note.strip():
        raise ValidationError(_("请填写落实情况。"))
    recommendation.status = action
    recommendation.save(update_fields=["status"])
    RecommendationEntry.objects.create(
        recommendation=recommendation, action=action, note=note.strip(), actor=user
    )
    log_action(user, f"recommendation.{action}", recommendation, {})
    return recommendation


IMPORT_NOTE = "导入历史建议书"


@transaction.atomic
def recommendations_import(*, rows: list[dict], user, job=None) -> dict:
    """Write past recommendations (rectification.recommendation_import's rows,
    checked just before): each with its ledger entries dated as the office's
    old ledger dates them, the department's answer on its 已反馈 entry, and
    marked as imported in the audit log. No one is notified: the department
    handled these long ago. A round named must still be archived (its live
    work is not the import's to change); otherwise nothing is written."""
    office = user.office
    if office is None or not office_manages(user, office):
        raise PermissionDenied(_("只有巡察办工作人员可以导入巡察建议书。"))
    created, entries, audit = [], [], []
    for row in rows:
        round_ = row["round"]
        if round_ is not None:
            if round_.office_id != office.pk:
                raise ValidationError(_("%(round)s不属于本级巡察办。") % {"round": round_.name})
            if reason := import_refusal(round_):
                raise ValidationError(reason)
        recommendation = Recommendation(
            office=office,
            round=round_,
            department=row["department"],
            title=row["title"],
            content=row["content"],
            issued_at=row["issued_at"],
            due=row["due"],
            status=row["status"],
            issued_by=user,
        )
        # The related rows were read by the importer (or just above): checking
        # each key again would cost a query per key and row (ForeignKey.validate).
        recommendation.full_clean(exclude=["office", "round", "department", "issued_by"])
        recommendation.save()
        created.append(recommendation)
        for action, on in row["steps"]:
            note = row["answer"] if action == R.ANSWERED else IMPORT_NOTE
            entries.append(
                (
                    RecommendationEntry(
                        recommendation=recommendation, action=action, note=note, actor=user
                    ),
                    ledger_moment(on),
                )
            )
        audit.append(
            (
                recommendation,
                {
                    "imported": job.pk if job is not None else True,
                    "department": row["department"].pk,
                    "round": round_.pk if round_ is not None else None,
                    "status": row["status"],
                    "issued_at": row["issued_at"],
                },
            )
        )
    written = RecommendationEntry.objects.bulk_create([entry for entry, _on in entries])
    put_back_dates(RecommendationEntry, written, [at for _entry, at in entries])
    log_actions(user, "recommendation.import", audit)
    return {"recommendations": len(created), "entries": len(entries)}

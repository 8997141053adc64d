"""一评估: survey links, answers, the verdict and accountability."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectification.access import require_office
from rectification.models import Accountability, Assessment, Plan, SurveyLink
from rectification.workflow import ASSESSMENT, PLAN
from rounds.models import Target
from xuncha.audit.services import log_action
from xuncha.core import workflow


@transaction.atomic
def assessment_open(*, target: Target, user) -> Assessment:
    """一评估 is opened for a target whose plan the office has accepted (the
    plan table's "assess" row); opening it twice returns the one there is."""
    require_office(user, target.round.office)
    if existing := Assessment.objects.filter(target=target).first():
        return existing
    plan = Plan.objects.filter(target=target).select_related("target__round__office").first()
    if plan is None:
        raise ValidationError(_("该巡察对象尚未编制整改方案，方案经审核通过后才能开展整改评估。"))
    workflow.check(PLAN, user, plan, "assess")
    assessment, created = Assessment.objects.get_or_create(target=target)
    if created:
        log_action(user, "assessment.open", assessment, {})
    return assessment


@transaction.atomic
def survey_links_create(
    *, assessment: Assessment, respondent: str, count: int, user
) -> list[SurveyLink]:
    workflow.check(ASSESSMENT, user, assessment, "links")
    if not 1 <= count <= 500:
        raise ValidationError(_("一次可生成 1 到 500 个测评链接。"))
    if respondent not in SurveyLink.Respondent.values:
        raise ValidationError(_("未知的测评对象。"))
    links = SurveyLink.objects.bulk_create(
        [
            SurveyLink(
                assessment=assessment, respondent=respondent, token=secrets.token_urlsafe(32)
            )
            for _ in range(count)
        ]
    )
    log_action(user, "survey.links", assessment, {"respondent": respondent, "count": count})
    return links


@transaction.atomic
def survey_answer(*, token: str, satisfaction: int, comment: str = "") -> SurveyLink:
    """Anyone holding the link answers once, while the survey is open."""
    link = (
        SurveyLink.objects.select_for_update()
        .select_related("assessment")
        .filter(token=token)
        .first()
    )
    if link is None:
        raise ValidationError(_("测评链接无效。"))
    if not link.assessment.survey_open:
        raise ValidationError(_("本次测评已结束。"))
    if link.answered_at is not None:
        raise ValidationError(_("该链接已提交过测评，每个链接只能提交一次。"))
    if not 1 <= int(satisfaction) <= 5:
        raise ValidationError(_("请选择满意度（1–5）。"))
    link.satisfaction, link.comment, link.answered_at = (
        int(satisfaction),
        comment.strip()[:2000],
        timezone.now(),
    )
    link.save()
    log_action(None, "survey.answer", link.assessment, {"link": link.pk})
    return link


@transaction.atomic
def survey_close(*, assessment: Assessment, user) -> Assessment:
    workflow.check(ASSESSMENT, user, assessment, "close")
    assessment.survey_open = False
    assessment.save(update_fields=["survey_open"])
    log_action(user, "survey.close", assessment, {})
    return assessment


@transaction.atomic
def assessment_decide(*, assessment: Assessment, verdict: str, note: str, user) -> Assessment:
    workflow.check(ASSESSMENT, user, assessment, "verdict")
    if verdict not in {v for v in Assessment.Verdict.values if v}:
        raise ValidationError(_("请选择评估结论。"))
    assessment.verdict, assessment.verdict_note = verdict, note.strip()
    assessment.decided_by, assessment.decided_at = user, timezone.now()
    assessment.save()
    log_action(user, "assessment.decide", assessment, {"verdict": verdict})
    return assessment


@transaction.atomic
def accountability_record(
    *, assessment: Assessment, person_name: str, position: str, measure: str, reason: str, user
) -> Accountability:
    workflow.check(ASSESSMENT, user, assessment, "accountability")
    record = Accountability(
        assessment=assessment,
        person_name=person_name,
        position=position,
        measure=measure,
        reason=reason,
        recorded_by=user,
    )
    record.full_clean()
    record.save()
    log_action(user, "accountability.record", assessment, {"accountability": record.pk})
    return record

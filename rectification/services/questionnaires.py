"""满意度测评问卷: the office defines a questionnaire once and reuses it; an
assessment takes one, and answers come through a cadre's personal link (once)
or the public QR code's shared link (a few per address)."""

import secrets

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectification.models import (
    Assessment,
    Questionnaire,
    QuestionnaireAspect,
    QuestionnaireQuestion,
    QuestionScale,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
)
from rectification.workflow import ASSESSMENT
from rounds.access import office_manages
from xuncha.audit.context import address_withheld
from xuncha.audit.services import log_action
from xuncha.core import workflow

# The public's shared link: answers per address and assessment in a day. A
# household or an office sharing one address still gets through; a script does not.
PUBLIC_ANSWERS_PER_ADDRESS = 5
PUBLIC_WINDOW_SECONDS = 24 * 3600


def _require_office(user, questionnaire: Questionnaire) -> None:
    if not office_manages(user, questionnaire.office):
        raise PermissionDenied(_("只有巡察办工作人员可以编辑测评问卷。"))


def questionnaire_in_use(questionnaire: Questionnaire) -> bool:
    return questionnaire.assessments.exists()


def _require_editable(user, questionnaire: Questionnaire) -> None:
    _require_office(user, questionnaire)
    if questionnaire_in_use(questionnaire):
        raise ValidationError(
            _("该问卷已用于整改评估，不能再修改（修改会使各次测评的得分不可比）。")
        )


@transaction.atomic
def questionnaire_create(*, office, name: str, intro: str = "", user) -> Questionnaire:
    questionnaire = Questionnaire(office=office, name=name.strip(), intro=intro.strip())
    questionnaire.created_by = user
    _require_office(user, questionnaire)
    if Questionnaire.objects.filter(office=office, name=questionnaire.name).exists():
        raise ValidationError(_("本级巡察办已有同名问卷。"))
    questionnaire.full_clean()
    questionnaire.save()
    log_action(user, "questionnaire.create", questionnaire, {})
    return questionnaire


@transaction.atomic
def aspect_add(*, questionnaire: Questionnaire, name: str, weight: int, user):
    _require_editable(user, questionnaire)
    aspect = QuestionnaireAspect(
        questionnaire=questionnaire,
        name=name.strip(),
        weight=weight,
        order=questionnaire.aspects.count() + 1,
    )
    aspect.full_clean()
    if not 1 <= weight <= 100:
        raise ValidationError(_("权重须在 1 到 100 之间。"))
    aspect.save()
    log_action(user, "questionnaire.aspect_add", questionnaire, {"aspect": aspect.pk})
    return aspect


@transaction.atomic
def question_add(
    *, aspect: QuestionnaireAspect, text: str, scale: str, weight: int, user
) -> QuestionnaireQuestion:
    _require_editable(user, aspect.questionnaire)
    if scale not in QuestionScale.values:
        raise ValidationError(_("未知的评分等级。"))
    if not 1 <= weight <= 100:
        raise ValidationError(_("权重须在 1 到 100 之间。"))
    question = QuestionnaireQuestion(
        aspect=aspect,
        text=text.strip(),
        scale=scale,
        weight=weight,
        order=aspect.questions.count() + 1,
    )
    question.full_clean()
    question.save()
    log_action(user, "questionnaire.question_add", aspect.questionnaire, {"question": question.pk})
    return question


@transaction.atomic
def question_remove(*, question: QuestionnaireQuestion, user) -> None:
    questionnaire = question.aspect.questionnaire
    _require_editable(user, questionnaire)
    log_action(user, "questionnaire.question_remove", questionnaire, {"question": question.pk})
    question.delete()


@transaction.atomic
def aspect_remove(*, aspect: QuestionnaireAspect, user) -> None:
    questionnaire = aspect.questionnaire
    _require_editable(user, questionnaire)
    log_action(user, "questionnaire.aspect_remove", questionnaire, {"aspect": aspect.pk})
    aspect.delete()


def questionnaire_missing(questionnaire: Questionnaire) -> list[str]:
    """Why the questionnaire cannot be used yet, in words (empty: it can)."""
    aspects = list(questionnaire.aspects.prefetch_related("questions"))
    if not aspects:
        return [_("问卷还没有测评方面。")]
    return [
        _("测评方面「%(aspect)s」还没有测评指标。") % {"aspect": a.name}
        for a in aspects
        if not a.questions.all()
    ]


@transaction.atomic
def assessment_use_questionnaire(
    *, assessment: Assessment, questionnaire: Questionnaire, user
) -> Assessment:
    """The assessment takes a questionnaire before anyone answers, and gets the
    shared link its survey poster carries."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    workflow.check(ASSESSMENT, user, assessment, "questionnaire")
    if questionnaire.office_id != assessment.target.round.office_id and not (
        user.office is not None and user.office.is_city
    ):
        raise ValidationError(_("只能选用本级巡察办的问卷。"))
    if missing := questionnaire_missing(questionnaire):
        raise ValidationError(missing)
    assessment.questionnaire = questionnaire
    assessment.save(update_fields=["questionnaire"])
    public_link(assessment)
    log_action(user, "assessment.questionnaire", assessment, {"questionnaire": questionnaire.pk})
    return assessment


def public_link(assessment: Assessment) -> SurveyLink:
    """The assessment's shared link for the public (made once)."""
    link = assessment.links.filter(shared=True).first()
    if link is None:
        link = SurveyLink.objects.create(
            assessment=assessment,
            respondent=SurveyLink.Respondent.PUBLIC,
            shared=True,
            token=secrets.token_urlsafe(32),
        )
    return link


def _throttle_public(link: SurveyLink, client_key: str) -> None:
    key = f"survey-public:{link.assessment_id}:{client_key or 'unknown'}"
    cache.add(key, 0, PUBLIC_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_WINDOW_SECONDS)
        count = 1
    if count > PUBLIC_ANSWERS_PER_ADDRESS:
        raise ValidationError(_("提交次数过多，请明天再试。感谢您的参与！"))


def clean_answers(assessment: Assessment, answers: dict[int, int]) -> list[tuple[int, int]]:
    """Every question answered with one of its scale's values, or a ValidationError."""
    questions = QuestionnaireQuestion.objects.filter(aspect__questionnaire=assessment.questionnaire)
    cleaned = []
    for question in questions:
        value = answers.get(question.pk)
        allowed = {option for option, _label in question.options}
        if value is None:
            raise ValidationError(_("请回答：%(question)s") % {"question": question.text})
        if value not in allowed:
            raise ValidationError(_("「%(question)s」的评分无效。") % {"question": question.text})
        cleaned.append((question.pk, value))
    return cleaned


@transaction.atomic
def survey_respond(
    *, token: str, answers: dict[int, int], comment: str = "", client_key: str = ""
) -> SurveyResponse:
    """One filled questionnaire: once per cadre link; a few per address on the public link."""
    link = (
        # Only the link's row is locked (the questionnaire is an outer join).
        SurveyLink.objects.select_for_update(of=("self",))
        .select_related("assessment__questionnaire")
        .filter(token=token)
        .first()
    )
    if link is None:
        raise ValidationError(_("测评链接无效。"))
    assessment = link.assessment
    if not assessment.survey_open:
        raise ValidationError(_("本次测评已结束。"))
    if assessment.questionnaire_id is None:
        raise ValidationError(_("本次测评没有问卷。"))
    if not link.shared and link.answered_at is not None:
        raise ValidationError(_("该链接已提交过测评，每个链接只能提交一次。"))
    cleaned = clean_answers(assessment, answers)
    if link.shared:
        _throttle_public(link, client_key)
    now = timezone.now()
    response = SurveyResponse.objects.create(
        assessment=assessment,
        link=link,
        respondent=link.respondent,
        comment=comment.strip()[:2000],
        submitted_at=now,
    )
    SurveyAnswer.objects.bulk_create(
        [SurveyAnswer(response=response, question_id=pk, value=value) for pk, value in cleaned]
    )
    if not link.shared:
        link.answered_at = now
        link.save(update_fields=["answered_at"])
    # The link, not the person: the audit log keeps no trace of who answered.
    with address_withheld():
        log_action(None, "survey.respond", assessment, {"link": link.pk})
    return response

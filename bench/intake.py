"""Bench figures for the public's two phone pages: a 码上巡察 report (text and
one picture) and a filled questionnaire through the survey poster's link.

The "intake" data set adds to the shared one, on a target of a rectifying
bench round, an open assessment with a three-question questionnaire and its
shared public link. The reports need a target on site, which the shared data
set has none of (its rounds are past): the report figure makes a bench round
on site (number 11 of the bench term) with one target, measures, and rolls
all of it back, so the shared data set keeps its stated rounds and targets. Each measured submission comes from
a new address in a new client (no cookies), as from another phone, so the
per-address limits never engage; the per-target daily limit is raised for the
run, since repeated bench runs add reports to the same target."""

import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from bench.measure import MeasureError, measure_callable
from bench.registry import BenchContext, Measurement, bench_dataset, bench_figure
from bench.rounds import BENCH_TERM, BENCH_THEME, RoundsData
from intake.models import ReportFile
from intake.services import channel_for
from rectification.models import (
    Assessment,
    Questionnaire,
    QuestionnaireAspect,
    QuestionnaireQuestion,
    QuestionScale,
    SurveyLink,
)
from rectification.services import public_link
from rounds.models import Round, Target, Team
from xuncha.accounts.models import User

INTAKE_ROUND_NUMBER = 11
QUESTIONNAIRE_NAME = "基准测试问卷"


@dataclass(frozen=True)
class IntakeData:
    office_user_id: int
    survey_url: str
    answers: dict[str, int]  # the survey form's fields, every question answered


def _on_site_target(office) -> Target:
    today = timezone.localdate()
    round_, _created = Round.objects.get_or_create(
        office=office,
        term=BENCH_TERM,
        number=INTAKE_ROUND_NUMBER,
        year=today.year,
        defaults={
            "theme": BENCH_THEME,
            "planned_start": today - datetime.timedelta(days=5),
            "planned_end": today + datetime.timedelta(days=40),
            "status": Round.Status.ON_SITE,
        },
    )
    team, _created = Team.objects.get_or_create(round=round_, number=1)
    target = Target.objects.filter(round=round_).first()
    if target is None:
        organization = Target.objects.filter(round__office=office).first().organization
        target = Target.objects.create(
            round=round_, team=team, organization=organization, status=Target.Status.ON_SITE
        )
    return target


def _questionnaire(office_user) -> Questionnaire:
    questionnaire, created = Questionnaire.objects.get_or_create(
        office=office_user.office, name=QUESTIONNAIRE_NAME, defaults={"created_by": office_user}
    )
    if created:
        for order, (name, weight, scale) in enumerate(
            [("整改工作", 60, QuestionScale.FIVE), ("整改成效", 40, QuestionScale.TEN)], 1
        ):
            aspect = QuestionnaireAspect.objects.create(
                questionnaire=questionnaire, name=name, weight=weight, order=order
            )
            for number in (1, 2) if order == 1 else (1,):
                QuestionnaireQuestion.objects.create(
                    aspect=aspect, text=f"{name}指标{number}", scale=scale, order=number
                )
    return questionnaire


@bench_dataset("intake", needs=["rounds"])
def build_intake(context: BenchContext) -> IntakeData:
    rounds: RoundsData = context.data["rounds"]
    office_user = rounds.office_user
    rectifying = (
        Target.objects.filter(round_id__in=rounds.round_ids, round__status=Round.Status.RECTIFYING)
        .order_by("pk")
        .first()
    )
    questionnaire = _questionnaire(office_user)
    assessment, _created = Assessment.objects.get_or_create(target=rectifying)
    Assessment.objects.filter(pk=assessment.pk).update(
        questionnaire=questionnaire, survey_open=True
    )
    assessment.refresh_from_db()
    link: SurveyLink = public_link(assessment)
    questions = QuestionnaireQuestion.objects.filter(aspect__questionnaire=questionnaire)
    answers = {f"q{q.pk}": q.options[1][0] for q in questions}
    context.log(f"intake: assessment {assessment.pk}")
    return IntakeData(
        office_user_id=office_user.pk,
        survey_url=link.get_absolute_url(),
        answers=answers,
    )


def _picture() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(out, format="JPEG")
    return SimpleUploadedFile("现场.jpg", out.getvalue(), content_type="image/jpeg")


class _Phones:
    """A new client and a new address for every submission."""

    def __init__(self) -> None:
        self.count = 0

    def post(self, url: str, data: dict) -> None:
        self.count += 1
        address = f"10.{self.count // 65536 % 256}.{self.count // 256 % 256}.{self.count % 256}"
        response = Client().post(url, data, REMOTE_ADDR=address)
        if response.status_code != 302:
            raise MeasureError(f"POST {url} answered {response.status_code}")


@bench_figure("intake.submit", names=["intake.submit.median_ms"], needs=["intake"])
def intake_submit(context: BenchContext) -> list[Measurement]:
    data: IntakeData = context.data["intake"]
    office_user = User.objects.select_related("office").get(pk=data.office_user_id)
    phones = _Phones()
    text = "反映该单位食堂采购未公开比价，存在优亲厚友问题，请巡察组核实。"
    with transaction.atomic():
        channel = channel_for(target=_on_site_target(office_user.office), user=office_user)
        url = channel.get_absolute_url()
        with override_settings(INTAKE_PER_TARGET_DAY=1_000_000):
            median = measure_callable(
                lambda: phones.post(url, {"text": text, "files": [_picture()]}), context.runs
            )
        # The rows go with the rollback; the pictures written meanwhile go too.
        for report_file in ReportFile.objects.filter(report__target=channel.target):
            report_file.file.delete(save=False)
        transaction.set_rollback(True)
    return [("intake.submit.median_ms", median, "ms")]


@bench_figure("survey.submit", names=["survey.submit.median_ms"], needs=["intake"])
def survey_submit(context: BenchContext) -> list[Measurement]:
    data: IntakeData = context.data["intake"]
    phones = _Phones()
    median = measure_callable(
        lambda: phones.post(data.survey_url, {**data.answers, "comment": "整改效果明显"}),
        context.runs,
    )
    return [("survey.submit.median_ms", median, "ms")]

"""The demo's 码上巡察 and questionnaire: the on-site unit 市统计局 (C009, the
demo team's) with its channel, its two posters on the office's report list,
reports from the public in every triage state; and an open assessment (C031)
whose questionnaire has been filled in by cadres and the public.

Idempotent like every step: each part is skipped when it is already there."""

import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clues.models import Clue
from demo.context import DemoContext
from demo.rectification import tiny_png
from demo.rounds import at, find_round, step_rng, user
from intake import services
from intake.models import Report
from intake.reports import POSTER
from rectification import services as rect_services
from rectification.models import Assessment, Questionnaire, QuestionScale, SurveyLink
from rounds.models import Problem, ProblemCategory, Target
from xuncha.orgs.models import Department
from xuncha.reports.models import ReportJob, params_digest

INTAKE_UNIT = "C009"
SURVEY_UNIT = "C031"
QUESTIONNAIRE = "巡察整改满意度测评问卷（通用）"

# (days ago, text, with a picture, named, outcome)
REPORTS = [
    (20, "单位食堂长期由局长亲属承包，采购不公开比价，职工意见很大。", True, False, "problem"),
    (18, "办公室主任在统计数据核查中收受被调查企业购物卡，数额较大。", False, True, "clue"),
    (15, "小区物业乱收停车费，统计局宿舍楼住户反映多次没人管。", False, False, "transfer_done"),
    (12, "单位附近道路施工夜间扰民，希望有关部门协调。", True, False, "transfer"),
    (9, "我与原单位的劳动合同纠纷，要求补发工资。", False, True, "outside"),
    (6, "局里食堂让局长亲戚承包，采购价格明显偏高，希望巡察组查一查。", False, False, "duplicate"),
    (3, "下属普查中心存在虚报加班费、套取补贴的情况，涉及多人。", True, False, "new"),
    (1, "年底突击花钱，采购了大量用不上的办公设备。", False, False, "new"),
]

ASPECTS = [
    ("整改工作开展情况", 40, [
        ("领导班子对整改工作重视程度", QuestionScale.FIVE, 2),
        ("整改措施的针对性和可操作性", QuestionScale.FIVE, 1),
        ("整改情况公开透明程度", QuestionScale.FOUR, 1),
    ]),
    ("整改成效", 40, [
        ("反馈问题整改到位情况", QuestionScale.FIVE, 2),
        ("建章立制、长效机制建设情况", QuestionScale.FOUR, 1),
    ]),
    ("群众获得感", 20, [
        ("对身边不正之风和腐败问题整治成效的评价（0—10 分）", QuestionScale.TEN, 1),
    ]),
]  # fmt: skip


def _intake_target() -> Target:
    return Target.objects.select_related("round__office", "team").get(
        round=find_round(13, 4), organization__code=INTAKE_UNIT
    )


def _poster_job(owner, target: Target, purpose: str) -> None:
    params = {"id": str(target.pk), "purpose": purpose, "format": "pdf"}
    digest = params_digest(POSTER.kind, params)
    if ReportJob.objects.filter(owner=owner, kind=POSTER.kind, params_hash=digest).exists():
        return
    generated = POSTER.generate(owner, params, lambda p: None)
    now = timezone.now()
    job = ReportJob(
        owner=owner,
        kind=POSTER.kind,
        params=params,
        params_hash=digest,
        status=ReportJob.Status.DONE,
        progress=100,
        filename=generated.filename,
        content_type=generated.content_type,
        queued_at=now,
        started_at=now,
        finished_at=now,
    )
    job.file.save(generated.filename, ContentFile(generated.content), save=False)
    job.save()


def seed_intake(demo: DemoContext) -> None:
    target = _intake_target()
    office, member = user("office"), user("member")
    channel = services.channel_for(target=target, user=office)
    _poster_job(office, target, "report")
    if Report.objects.filter(target=target).exists() or not services.stay_open(target):
        return
    rng = step_rng("intake")
    names = ("刘建华", "陈晓燕", "赵志刚")
    category = ProblemCategory.objects.filter(is_negative_list=True).order_by("code").first()
    discipline = Department.objects.filter(
        kind=Department.Kind.DISCIPLINE, region__isnull=True
    ).first()
    other = Department.objects.filter(kind=Department.Kind.OTHER, region__isnull=True).first()
    first_canteen = None
    for days_ago, text, picture, named, outcome in REPORTS:
        files = [SimpleUploadedFile("现场照片.png", tiny_png(text))] if picture else []
        name = rng.choice(names) if named else ""
        report = services.report_submit(
            channel=channel,
            text=text,
            reporter_name=name,
            reporter_phone=f"139{rng.randint(10_000_000, 99_999_999)}" if named else "",
            files=files,
        ).report
        Report.objects.filter(pk=report.pk).update(
            submitted_at=at(timezone.localdate() - datetime.timedelta(days=days_ago), 20, 15)
        )
        demo.count("intake_reports")
        if outcome == "problem":
            first_canteen = report
            services.report_to_problem(
                report=report, category=category, severity=Problem.Severity.SERIOUS,
                description="食堂由主要负责人亲属承包，采购未公开比价，涉嫌利用职权为亲属谋利。",
                user=member,
            )  # fmt: skip
        elif outcome == "clue":
            services.report_to_clue(
                report=report, person_name="周某", person_position="办公室主任",
                person_rank=Clue.Rank.SECTION, person_is_top_leader=False,
                discipline=Clue.Discipline.INTEGRITY, department=discipline, summary="", user=member,
            )  # fmt: skip
        elif outcome.startswith("transfer"):
            services.report_transfer(
                report=report,
                department=other,
                note="属其职责范围，请依规办理并回执。",
                user=member,
            )
            if outcome == "transfer_done":
                services.report_receipt(
                    report=report, receipt_number=f"ZB-{timezone.localdate():%Y}-017",
                    receipt_on=timezone.localdate() - datetime.timedelta(days=4), user=member,
                )  # fmt: skip
        elif outcome == "outside":
            services.report_outside(
                report=report,
                reason="属劳动人事争议，不属于巡察受理范围；已告知可向劳动人事争议仲裁委员会申请仲裁。",
                user=member,
            )
        elif outcome == "duplicate":
            services.report_duplicate(report=report, first=first_canteen, user=member)


def _questionnaire(office_user) -> Questionnaire:
    found = Questionnaire.objects.filter(office=office_user.office, name=QUESTIONNAIRE).first()
    if found:
        return found
    questionnaire = rect_services.questionnaire_create(
        office=office_user.office,
        name=QUESTIONNAIRE,
        intro="本问卷匿名填写，请根据您的了解对该单位巡察整改工作逐项评价。",
        user=office_user,
    )
    for name, weight, questions in ASPECTS:
        aspect = rect_services.aspect_add(
            questionnaire=questionnaire, name=name, weight=weight, user=office_user
        )
        for text, scale, question_weight in questions:
            rect_services.question_add(
                aspect=aspect, text=text, scale=scale, weight=question_weight, user=office_user
            )
    return questionnaire


def seed_questionnaire(demo: DemoContext) -> None:
    """C031's assessment, open, answered through its questionnaire by 10 cadres
    (personal links) and 24 people through the poster's QR code."""
    office = user("office")
    questionnaire = _questionnaire(office)
    target = Target.objects.select_related("round__office").get(
        round=find_round(13, 1), organization__code=SURVEY_UNIT
    )
    if Assessment.objects.filter(target=target).exists():
        _poster_job(office, target, "survey")
        return
    assessment = rect_services.assessment_open(target=target, user=office)
    assessment = rect_services.assessment_use_questionnaire(
        assessment=assessment, questionnaire=questionnaire, user=office
    )
    demo.count("assessments")
    rng = step_rng("questionnaire")
    questions = [q for a in questionnaire.aspects.all() for q in a.questions.all()]
    cadre_links = rect_services.survey_links_create(
        assessment=assessment, respondent=SurveyLink.Respondent.CADRE, count=14, user=office
    )
    public = rect_services.public_link(assessment)
    answered = [(link.token, "") for link in cadre_links[:10]]
    answered += [(public.token, f"demo-{n}") for n in range(24)]
    for token, key in answered:
        answers = {}
        for question in questions:
            values = [value for value, _label in question.options]
            # Mostly in the upper third: a rectification judged 较好 on the whole.
            answers[question.pk] = rng.choice(values[: max(2, len(values) // 3)] + values[:2])
        rect_services.survey_respond(token=token, answers=answers, client_key=key)
        demo.count("questionnaire_answers")
    _poster_job(office, target, "survey")

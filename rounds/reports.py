"""The rounds' documents: the feedback opinion (反馈意见) and the inspection
report skeleton (巡察报告) of a target, as PDF and as .docx for the office to
finish in Word; the weekly work summary (周汇总) as PDF.

The feedback and the report are the office's drafts: office staff of the
round's office only (others get a 404, like the pages). The weekly summary is
for the office and the leading group, as its page is.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rounds.access import office_manages
from rounds.models import Problem, ProblemCategory, Target, WeeklySummary, chinese_number
from rounds.selectors import get_target_for_user, weekly_summary_list
from rounds.services.worklogs import LOG_FIGURES
from xuncha.reports.pdf import render_pdf
from xuncha.reports.registry import DOCX, PDF, Document, Generated, register

FORMATS = ("pdf", "docx")
LOG_LABELS = {
    "interviews": ("个别谈话", "人次"),
    "documents": ("调阅资料", "份"),
    "petitions": ("受理信访件", "件"),
    "visits": ("走访", "次"),
    "site_checks": ("实地踏勘", "次"),
    "problems_found": ("发现问题", "个"),
}


def chinese_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _int_param(params: dict, name: str, what: str) -> int:
    try:
        return int(params.get(name))
    except (TypeError, ValueError):
        raise ValidationError(f"请指定{what}。") from None


def _format(params: dict) -> str:
    fmt = params.get("format", "pdf")
    if fmt not in FORMATS:
        raise ValidationError(f"该文书只能生成 PDF 或 Word（.docx），不支持：{fmt}")
    return fmt


def office_target(user, params: dict) -> Target:
    """The target, for office staff of its round's office; anyone else a 404."""
    target = get_target_for_user(user, _int_param(params, "id", "巡察对象"))
    if not office_manages(user, target.round.office):
        raise Http404
    return target


def authorize_office_target(user, params: dict) -> None:
    _format(params)
    office_target(user, params)


@dataclass
class CategoryGroup:
    number: str  # 一, 二 ... as the section heading counts them
    name: str
    problems: list[tuple[int, Problem]]  # numbered 1, 2 ... across the whole document


def top_level_names() -> dict[int, str]:
    """Each category's top-level ancestor's name (the focus area), in one query."""
    rows = {
        pk: (parent, name)
        for pk, parent, name in ProblemCategory.objects.values_list("pk", "parent_id", "name")
    }
    top: dict[int, str] = {}
    for pk in rows:
        current, seen = pk, set()
        while rows[current][0] is not None and current not in seen:
            seen.add(current)
            current = rows[current][0]
        top[pk] = rows[current][1]
    return top


def grouped_problems(problems) -> list[CategoryGroup]:
    """Problems grouped by their top-level category, in the tree's order."""
    top = top_level_names()
    groups: dict[str, list[Problem]] = {}
    ordered = sorted(problems, key=lambda p: (p.category.code, p.pk))
    for problem in ordered:
        groups.setdefault(top[problem.category_id], []).append(problem)
    result, number = [], 0
    for i, (name, items) in enumerate(groups.items()):
        numbered = [(number + n, problem) for n, problem in enumerate(items, start=1)]
        number += len(items)
        result.append(CategoryGroup(chinese_number(i + 1), name, numbered))
    return result


def _problems(target: Target, statuses) -> list[Problem]:
    return list(
        Problem.objects.filter(target=target, status__in=statuses)
        .select_related("category")
        .order_by("category__code", "pk")
    )


def _target(target: Target) -> Target:
    return Target.objects.select_related("organization", "round__office", "team").get(pk=target.pk)


def _team_figures(target: Target) -> list[tuple[str, int, str]]:
    """What the team did while on site at the target (its work logs)."""
    logs = target.team.logs.all()
    if target.entry_date:
        logs = logs.filter(date__gte=target.entry_date)
    if target.exit_date:
        logs = logs.filter(date__lte=target.exit_date)
    totals = logs.aggregate(**{name: Sum(name) for name in LOG_FIGURES})
    return [(LOG_LABELS[name][0], totals[name] or 0, LOG_LABELS[name][1]) for name in LOG_FIGURES]


def team_title(target: Target) -> str:
    """十三届市委第一巡察组: how the team signs its documents."""
    office = target.round.office
    owner = "市委" if office.is_city else office.name.removesuffix("巡察办")
    return f"{chinese_number(target.round.term)}届{owner}{target.team.name}"


def _on_site(target: Target) -> str:
    if target.entry_date and target.exit_date:
        return f"于{chinese_date(target.entry_date)}至{chinese_date(target.exit_date)}"
    if target.entry_date:
        return f"自{chinese_date(target.entry_date)}起"
    return ""


# --- 反馈意见 ------------------------------------------------------------


def feedback_context(target: Target) -> dict:
    """Once fed back, the problems fed back; before, the draft: those in the report."""
    target = _target(target)
    fed_back = target.feedback_date is not None and target.status in (
        Target.Status.FED_BACK,
        Target.Status.RECTIFYING,
        Target.Status.CLOSED,
    )
    statuses = [Problem.Status.FED_BACK] if fed_back else [Problem.Status.IN_REPORT]
    problems = _problems(target, statuses)
    organization = target.organization.name
    return {
        "target": target,
        "draft": not fed_back,
        "title": f"{team_title(target)}关于巡察{organization}的反馈意见",
        "addressee": f"{organization}：",
        "opening": (
            f"根据{'市委' if target.round.office.is_city else '区县（市）委'}统一部署，"
            f"在{target.round.name}中，{team_title(target)}{_on_site(target)}对{organization}进行了巡察"
            f"{'，并于' + chinese_date(target.feedback_date) + '进行了反馈' if fed_back else ''}。"
            f"现将巡察发现的主要问题反馈如下："
        ),
        "groups": grouped_problems(problems),
        "problem_count": len(problems),
        "advice": [
            "提高政治站位，切实扛起整改主体责任。党组织主要负责人要履行第一责任人职责，"
            "对整改工作亲自部署、亲自推动、亲自督办。",
            "坚持问题导向，逐项建立问题清单、任务清单、责任清单，明确整改措施、责任人和完成时限，"
            "做到件件有着落、事事有回音。",
            "注重标本兼治，深入分析问题根源，健全完善制度机制，以整改实效推动高质量发展。",
        ],
        "due": (
            f"请于{chinese_date(target.rectification_due)}前将整改情况报告报送"
            f"{'市委' if target.round.office.is_city else '区县（市）委'}巡察工作领导小组办公室。"
            if target.rectification_due
            else "请于反馈后2个月内将整改情况报告报送巡察工作领导小组办公室。"
        ),
        "signature": team_title(target),
        "date": chinese_date(target.feedback_date or timezone.localdate()),
    }


def _feedback_docx(context: dict) -> bytes:
    from xuncha.reports.docx import OfficialDocument

    doc = OfficialDocument(confidentiality="内部")
    doc.title(context["title"])
    doc.paragraph(context["addressee"], indent=False)
    doc.paragraph(context["opening"])
    doc.heading("一、巡察发现的主要问题")
    for group in context["groups"]:
        doc.heading(f"（{group.number}）{group.name}方面", level=2)
        for number, problem in group.problems:
            doc.paragraph(f"{number}．{problem.description}")
    doc.heading("二、整改意见")
    for i, advice in enumerate(context["advice"]):
        doc.paragraph(f"（{chinese_number(i + 1)}）{advice}")
    doc.paragraph(context["due"])
    doc.paragraph(context["signature"], indent=False, align_right=True)
    doc.paragraph(context["date"], indent=False, align_right=True)
    return doc.content()


def generate_feedback(user, params: dict, progress) -> Generated:
    fmt = _format(params)
    context = feedback_context(office_target(user, params))
    name = f"反馈意见-{context['target'].organization.name}"
    if fmt == "docx":
        return Generated(f"{name}.docx", _feedback_docx(context), DOCX)
    progress(30)
    pdf = render_pdf("rounds/pdf/feedback.html", {**context, "confidentiality_mark": "内部"})
    return Generated(f"{name}.pdf", pdf, PDF)


# --- 巡察报告 ------------------------------------------------------------


def inspection_context(target: Target) -> dict:
    target = _target(target)
    problems = _problems(target, [Problem.Status.IN_REPORT, Problem.Status.FED_BACK])
    organization = target.organization.name
    figures = _team_figures(target)
    done = "，".join(f"{label}{value}{unit}" for label, value, unit in figures[:5])
    return {
        "target": target,
        "title": f"关于巡察{organization}的情况报告",
        "addressee": f"{'市委' if target.round.office.is_city else '区县（市）委'}巡察工作领导小组：",
        "opening": (
            f"根据巡察工作领导小组统一部署，在{target.round.name}中，{team_title(target)}{_on_site(target)}"
            f"对{organization}进行了巡察。巡察期间，巡察组{done}，"
            f"共发现问题{len(problems)}个，其中立行立改"
            f"{sum(p.immediate_fix for p in problems)}个。现将有关情况报告如下："
        ),
        "groups": grouped_problems(problems),
        "problems": problems,
        "placeholders": {
            "basic": "【请巡察组补充：被巡察党组织基本情况、领导班子及主要负责人履职情况。】",
            "clues": "【如发现问题线索，按规定另行专题报告，不在本报告中列明。】",
            "advice": "【请巡察组补充：针对发现问题的整改意见和有关建议。】",
        },
        "signature": team_title(target),
        "date": chinese_date(timezone.localdate()),
    }


def _inspection_docx(context: dict) -> bytes:
    from xuncha.reports.docx import OfficialDocument

    doc = OfficialDocument(confidentiality="内部")
    doc.title(context["title"])
    doc.paragraph(context["addressee"], indent=False)
    doc.paragraph(context["opening"])
    doc.heading("一、基本情况")
    doc.paragraph(context["placeholders"]["basic"])
    doc.heading("二、巡察发现的主要问题")
    for group in context["groups"]:
        doc.heading(f"（{group.number}）{group.name}方面", level=2)
        for number, problem in group.problems:
            flag = "（已立行立改）" if problem.immediate_fix else ""
            doc.paragraph(f"{number}．{problem.description}{flag}")
    doc.heading("三、问题线索情况")
    doc.paragraph(context["placeholders"]["clues"])
    doc.heading("四、意见建议")
    doc.paragraph(context["placeholders"]["advice"])
    doc.paragraph(context["signature"], indent=False, align_right=True)
    doc.paragraph(context["date"], indent=False, align_right=True)
    doc.paragraph("附件：问题清单", indent=False)
    doc.table(
        ["序号", "问题类别", "问题描述", "来源", "严重程度", "立行立改"],
        [
            [
                i,
                p.category.name,
                p.description,
                p.get_source_display(),
                p.get_severity_display(),
                "是" if p.immediate_fix else "否",
            ]
            for i, p in enumerate(context["problems"], start=1)
        ],
    )
    return doc.content()


def generate_inspection_report(user, params: dict, progress) -> Generated:
    fmt = _format(params)
    context = inspection_context(office_target(user, params))
    name = f"巡察报告-{context['target'].organization.name}"
    if fmt == "docx":
        return Generated(f"{name}.docx", _inspection_docx(context), DOCX)
    progress(30)
    pdf = render_pdf(
        "rounds/pdf/inspection_report.html", {**context, "confidentiality_mark": "内部"}
    )
    return Generated(f"{name}.pdf", pdf, PDF)


# --- 周汇总 --------------------------------------------------------------


def _summary(user, params: dict) -> WeeklySummary:
    pk = _int_param(params, "id", "周汇总")
    return get_object_or_404(weekly_summary_list(user=user), pk=pk)


def authorize_weekly_summary(user, params: dict) -> None:
    _summary(user, params)


def generate_weekly_summary(user, params: dict, progress) -> Generated:
    summary = _summary(user, params)
    data = summary.data
    columns = [(name, *LOG_LABELS[name]) for name in LOG_FIGURES]
    teams = [
        {
            "name": team["team"],
            "logs": team["logs"],
            "figures": [team.get(name, 0) for name, _label, _unit in columns],
            "missing": [datetime.date.fromisoformat(d) for d in team["missing_days"]],
        }
        for team in data.get("teams", [])
    ]
    totals = [data.get("totals", {}).get(name, 0) for name, _label, _unit in columns]
    pdf = render_pdf(
        "rounds/pdf/weekly_summary.html",
        {
            "summary": summary,
            "round_name": data.get("round") or summary.round.name,
            "week": f"{chinese_date(summary.week_start)}至{chinese_date(summary.week_end)}",
            "columns": columns,
            "teams": teams,
            "totals": totals,
            "totals_text": "，".join(
                f"{label}{value}{unit}"
                for (_name, label, unit), value in zip(columns, totals, strict=True)
            ),
            "missing_teams": data.get("teams_missing_days", []),
            "confidentiality_mark": "内部",
            "date": chinese_date(timezone.localdate()),
        },
    )
    return Generated(f"周汇总-{summary.week_start:%Y%m%d}.pdf", pdf, PDF)


FEEDBACK = register(
    Document(
        kind="rounds.feedback",
        label="巡察反馈意见",
        authorize=authorize_office_target,
        generate=generate_feedback,
    )
)
INSPECTION_REPORT = register(
    Document(
        kind="rounds.inspection_report",
        label="巡察报告（初稿）",
        authorize=authorize_office_target,
        generate=generate_inspection_report,
    )
)
WEEKLY_SUMMARY = register(
    Document(
        kind="rounds.weekly_summary",
        label="巡察工作周汇总",
        authorize=authorize_weekly_summary,
        generate=generate_weekly_summary,
    )
)

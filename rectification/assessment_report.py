"""The assessment (一评估) as a document: response counts, scores per aspect
and the grade, the one-question survey's figures, the verdict and
accountability; as PDF and as .xlsx. The ledger report prints the same
section for the assessments in its scope (``assessment_rows``)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from rectification import selectors
from rectification.models import Accountability, Assessment
from rectification.reports import chinese_date
from xuncha.core.xlsx import Sheet, xlsx_bytes
from xuncha.reports.pdf import render_pdf
from xuncha.reports.registry import PDF, XLSX, Document, Generated, register

FORMATS = ("pdf", "xlsx")


@dataclass
class AssessmentRow:
    assessment: Assessment
    questionnaire: dict | None  # selectors.questionnaire_figures_many's entry
    survey: dict  # selectors.survey_figures

    @property
    def organization(self) -> str:
        return self.assessment.target.organization.name


def assessment_rows(assessments) -> list[AssessmentRow]:
    """Each assessment with its figures, in five queries whatever their number."""
    assessments = list(
        assessments.select_related(
            "target__organization", "target__round", "questionnaire"
        ).order_by("target__organization__code", "pk")
    )
    figures = selectors.questionnaire_figures_many(assessments)
    surveys = selectors.survey_figures_many(assessments)
    return [AssessmentRow(a, figures.get(a.pk), surveys[a.pk]) for a in assessments]


def _params(params: dict) -> tuple[int, str]:
    fmt = params.get("format", "pdf")
    if fmt not in FORMATS:
        raise ValidationError(
            _("评估报告只能导出为 PDF 或 Excel（.xlsx），不支持：%(format)s") % {"format": fmt}
        )
    try:
        return int(params.get("id")), fmt
    except (TypeError, ValueError):
        raise ValidationError(_("请指定整改评估。")) from None


def authorize(user, params: dict) -> None:
    """The assessment page's readers: the office and leadership in reach; others 404."""
    pk, _fmt = _params(params)
    selectors.get_assessment_for_user(user, pk)


def _xlsx(row: AssessmentRow, accountabilities: list[Accountability]) -> bytes:
    assessment = row.assessment
    q = row.questionnaire
    summary = [
        ["被巡察党组织", row.organization],
        ["巡察轮次", assessment.target.round.name],
        ["测评状态", assessment.get_survey_state_display()],
        ["评估结论", assessment.get_verdict_display()],
        ["评估意见", assessment.verdict_note],
    ]
    if q:
        summary += [
            ["测评问卷", q["questionnaire"].name],
            *[[f"答卷（{r['label']}）", r["count"]] for r in q["responses"]],
            ["答卷合计", q["response_total"]],
            ["综合得分", round(q["score"], 1) if q["score"] is not None else ""],
            ["等次", q["grade"]],
        ]
    total = row.survey["total"]
    summary += [
        ["总体满意度测评：发放链接", total["links"]],
        ["总体满意度测评：已答", total["answers"]],
        ["总体满意度测评：满意及以上占比（%）", total["satisfied_rate"] or ""],
    ]
    sheets = [Sheet("整改评估", ["项目", "内容"], summary, widths=[34, 50], wrap=True)]
    if q:
        sheets.append(
            Sheet(
                "测评方面得分",
                ["测评方面", "权重", "得分"],
                [
                    [a["name"], a["weight"], round(a["score"], 1) if a["score"] is not None else ""]
                    for a in q["aspects"]
                ],
                widths=[30, 8, 10],
            )
        )
    sheets.append(
        Sheet(
            "问责记录",
            ["被问责人", "职务", "问责方式", "问责事由"],
            [[a.person_name, a.position, a.measure, a.reason] for a in accountabilities],
            widths=[12, 20, 16, 50],
            wrap=True,
        )
    )
    return xlsx_bytes(sheets)


def generate(user, params: dict, progress) -> Generated:
    pk, fmt = _params(params)
    assessment = selectors.get_assessment_for_user(user, pk)
    row = assessment_rows(Assessment.objects.filter(pk=assessment.pk))[0]
    accountabilities = list(assessment.accountabilities.order_by("recorded_at", "pk"))
    progress(40)
    today = timezone.localdate()
    name = f"整改评估-{row.organization[:40]}-{today:%Y%m%d}"
    if fmt == "xlsx":
        return Generated(f"{name}.xlsx", _xlsx(row, accountabilities), XLSX)
    content = render_pdf(
        "rectification/pdf/assessment.html",
        {
            "row": row,
            "rows": [row],
            "assessment": assessment,
            "accountabilities": accountabilities,
            "completion": selectors.completion_figures(
                selectors.item_list(
                    user=user,
                    filters={
                        "round": assessment.target.round_id,
                        "organization": assessment.target.organization_id,
                    },
                )
            ),
            "confidentiality_mark": "内部",
            "chinese_today": chinese_date(today),
        },
    )
    progress(95)
    return Generated(f"{name}.pdf", content, PDF)


ASSESSMENT_DOCUMENT = register(
    Document(
        kind="rectification.assessment",
        label="巡察整改评估报告",
        authorize=authorize,
        generate=generate,
    )
)

"""The dashboard as a one-page PDF, and its figures as a workbook, through the
report machinery (ReportJob: queued, produced by a task, downloaded later).

Parameters are the scope form's (term, year, round, region, sector), as the
request posts them; they are read with the viewer's own choices again when
the job runs, so a round that is no longer theirs is simply dropped.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.dashboard.export import workbook_bytes
from portal.dashboard.figures import Reach
from portal.dashboard.presentation import cards, charts, coverage_grid, load_dashboard, may_view
from xuncha.reports.pdf import render_pdf
from xuncha.reports.registry import PDF, XLSX, Document, Generated, register

PDF_TEMPLATE = "dashboard/pdf.html"


def authorize(user, params: dict) -> None:
    if not may_view(user) or user.office_id is None:
        raise Http404


def _dashboard(user, params: dict):
    authorize(user, params)
    return load_dashboard(Reach.of(user.office), params or {})


def pdf_context(dash) -> dict:
    by_key = {chart["key"]: chart for chart in charts(dash)}
    return {
        "title": _("巡察工作情况"),
        "confidentiality_mark": _("内部资料"),
        "dash": dash,
        "headline": dash.headline,
        "cards": cards(dash),
        "grid": coverage_grid(dash),
        "charts": by_key,
        "generated_at": timezone.localtime(),
    }


def generate_pdf(user, params: dict, progress) -> Generated:
    dash = _dashboard(user, params)
    progress(30)
    content = render_pdf(PDF_TEMPLATE, pdf_context(dash), reader=user)
    progress(100)
    filename = f"巡察工作情况-{timezone.localdate():%Y%m%d}.pdf"
    return Generated(filename, content, PDF)


def generate_xlsx(user, params: dict, progress) -> Generated:
    dash = _dashboard(user, params)
    progress(50)
    content = workbook_bytes(dash)
    progress(100)
    return Generated(f"巡察工作数据-{timezone.localdate():%Y%m%d}.xlsx", content, XLSX)


DOCUMENT = register(
    Document(
        kind="dashboard.pdf",
        label=gettext_lazy("巡察工作情况（一页纸）"),
        authorize=authorize,
        generate=generate_pdf,
    )
)
WORKBOOK = register(
    Document(
        kind="dashboard.xlsx",
        label=gettext_lazy("巡察工作数据（Excel）"),
        authorize=authorize,
        generate=generate_xlsx,
    )
)

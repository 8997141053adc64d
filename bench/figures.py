"""The foundation's figures: organization list, home page, audit log."""

from urllib.parse import urlencode

from django.urls import reverse

from bench.citydata import OrgsData
from bench.measure import (
    logged_in_client,
    measure_callable,
    measure_page,
    page_figures,
)
from bench.registry import BenchContext, Measurement, bench_figure
from xuncha.audit.services import log_action, verify_chain
from xuncha.orgs.models import Organization


def _page(context: BenchContext, prefix: str, user, url: str) -> list[Measurement]:
    median_ms, queries = measure_page(logged_in_client(user), url, context.runs)
    return page_figures(prefix, median_ms, queries)


@bench_figure(
    "orgs.list.office",
    names=["orgs.list.office.median_ms", "orgs.list.office.queries"],
    needs=["orgs"],
)
def organization_list_office(context: BenchContext) -> list[Measurement]:
    orgs: OrgsData = context.data["orgs"]
    url = reverse("orgs:organization_list")
    return _page(context, "orgs.list.office", orgs.office_user, url)


@bench_figure(
    "orgs.list.office_filtered",
    names=["orgs.list.office_filtered.median_ms", "orgs.list.office_filtered.queries"],
    needs=["orgs"],
)
def organization_list_office_filtered(context: BenchContext) -> list[Measurement]:
    orgs: OrgsData = context.data["orgs"]
    # Villages of one region: the most numerous sector, so the page is full.
    query = urlencode({"region": orgs.region.pk, "sector": Organization.Sector.VILLAGE})
    url = f"{reverse('orgs:organization_list')}?{query}"
    return _page(context, "orgs.list.office_filtered", orgs.office_user, url)


@bench_figure("home.office", names=["home.office.median_ms", "home.office.queries"], needs=["orgs"])
def home_office(context: BenchContext) -> list[Measurement]:
    orgs: OrgsData = context.data["orgs"]
    return _page(context, "home.office", orgs.office_user, reverse("core:home"))


@bench_figure(
    "audit.list.auditor",
    names=["audit.list.auditor.median_ms", "audit.list.auditor.queries"],
    needs=["orgs", "audit"],
)
def audit_list_auditor(context: BenchContext) -> list[Measurement]:
    orgs: OrgsData = context.data["orgs"]
    return _page(context, "audit.list.auditor", orgs.auditor_user, reverse("audit:entry_list"))


@bench_figure("audit.verify", names=["audit.verify.ms"], needs=["audit"])
def audit_verify(context: BenchContext) -> list[Measurement]:
    def verify() -> None:
        _checked, broken = verify_chain()
        if broken is not None:
            raise RuntimeError(f"audit chain broken at #{broken.entry_id}: {broken.reason}")

    # The whole chain, read once: its time grows with the log, not with runs.
    return [("audit.verify.ms", measure_callable(verify, runs=1, warmup=False), "ms")]


@bench_figure("audit.log_action", names=["audit.log_action.median_ms"], needs=["orgs"])
def audit_log_action(context: BenchContext) -> list[Measurement]:
    orgs: OrgsData = context.data["orgs"]
    subject = orgs.region

    def append() -> None:
        # Outside any transaction here, so each call also pays its own commit;
        # inside a service it shares the service's.
        log_action(orgs.office_user, "bench.log_action", subject, {"region": subject.code})

    return [("audit.log_action.median_ms", measure_callable(append, context.runs), "ms")]

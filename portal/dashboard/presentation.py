"""From the cached figures to what the page, the workbook and the PDF show:
figure cards, charts (each with its table) and the drill-down links.

Links are built here, per request, from the scope: the cache holds numbers
and labels only.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.dashboard import links
from portal.dashboard.cache import (
    bring_up_to_date,
    cached,
    cached_figures,
    figures_key,
    scope_generation_keys,
)
from portal.dashboard.figures import (
    Reach,
    Scope,
    category_breakdown,
    compute_figures,
    compute_options,
    share,
)
from portal.dashboard.forms import ScopeForm, category_param, scope_form
from portal.dashboard.headline import headline, scope_prefix
from portal.dashboard.summary import scope_rounds
from xuncha.accounts.roles import Role

VIEWER_ROLES = (Role.LEADERSHIP, Role.OFFICE)
COLOUR_STYLES = {"red": "#c0392b", "yellow": "#e0a800", "green": "#2e8b57"}


def may_view(user) -> bool:
    return user.is_authenticated and user.has_role(*VIEWER_ROLES)


def require_viewer(user) -> Reach | None:
    """Leadership and office staff, or a 404; None when the account has no office."""
    if not may_view(user):
        raise Http404
    return Reach.of(user.office) if user.office_id else None


@dataclass
class Dashboard:
    reach: Reach
    options: dict
    form: ScopeForm
    scope: Scope
    figures: dict
    category: int | None
    key: str = ""  # the cache key of the figures (and, extended, of the page's body)

    @property
    def headline(self) -> str:
        return headline(self.figures, prefix=scope_prefix(self.scope, self.options))

    @property
    def scope_label(self) -> str:
        parts = [scope_prefix(self.scope, self.options)]
        if self.scope.region_id:
            parts += [r["name"] for r in self.options["regions"] if r["id"] == self.scope.region_id]
        if self.scope.sector:
            parts.append(dict(self.form.fields["sector"].choices).get(self.scope.sector, ""))
        return " · ".join(str(p) for p in parts if p) or _("全部巡察")


def load_dashboard(reach: Reach, params) -> Dashboard:
    bring_up_to_date()
    options = cached_figures(reach.key, "options", lambda: compute_options(reach))
    form = scope_form(params, options)
    scope = form.scope()
    terms = sorted({r["term"] for r in scope_rounds(reach, scope, options)})
    key = figures_key(
        reach.key, f"figures:{scope.key}", scope_generation_keys(terms, scope.region_id)
    )
    figures = cached(key, lambda: compute_figures(reach, scope, options))
    return Dashboard(reach, options, form, scope, figures, category_param(params, options), key)


def body_html(dash: Dashboard, params) -> str:
    """The scope form and the figures (headline, cards, charts and tables),
    rendered once per request parameters and cached beside the figures: they
    depend on nothing else (no user, no CSRF token). The figures' key already
    holds the office, the language, the scope and its generations."""

    def render() -> str:
        chart_list = charts(dash)
        return render_to_string(
            "dashboard/_body.html",
            {
                "form": dash.form,
                "headline": dash.headline,
                "cards": cards(dash),
                "charts": {chart["key"]: chart for chart in chart_list},
                "chart_data": chart_data(chart_list),
                "grid": coverage_grid(dash),
            },
        )

    query = urlencode(sorted((name, value) for name, value in params.lists()), doseq=True)
    digest = hashlib.sha256(query.encode()).hexdigest()[:24]
    return mark_safe(cached(f"{dash.key}:body:{digest}", render))  # noqa: S308


# --- figure cards ----------------------------------------------------------------


def cards(dash: Dashboard) -> list[dict]:
    f, scope = dash.figures, dash.scope
    coverage, problems, clues, items = f["coverage"], f["problems"], f["clues"], f["items"]
    immediate_share = share(problems["immediate"], problems["total"])

    def card(key, label, value, unit="", url="", note=""):
        return {"key": key, "label": label, "value": value, "unit": unit, "url": url, "note": note}

    return [
        card(
            "organizations",
            _("巡察党组织"),
            f["targets"]["organizations"],
            _("家"),
            links.targets_url(scope),
            _("巡察对象 %(n)s 个（含重复巡察）") % {"n": f["targets"]["count"]},
        ),
        card(
            "coverage",
            _("全覆盖率"),
            _percent(share(coverage["covered"], coverage["total"])),
            "",
            links.targets_url(scope),
            _("已覆盖 %(covered)s / %(total)s 家") % coverage,
        ),
        card("problems", _("发现问题"), problems["total"], _("个"), links.problems_url(scope)),
        card(
            "immediate",
            _("立行立改"),
            problems["immediate"],
            _("个"),
            links.problems_url(scope, immediate_fix=1),
            _("占发现问题 %(share)s") % {"share": _percent(immediate_share)},
        ),
        card("clues", _("移送问题线索"), clues["transferred"], _("条")),
        card(
            "cases",
            _("立案审查调查"),
            clues["cases"],
            _("件"),
            note=_("有立案审查调查处置的问题线索"),
        ),
        card(
            "disciplined",
            outcome_label("disciplined"),
            clues["disciplined"],
            _("人"),
        ),
        card(
            "justice",
            outcome_label("justice"),
            clues["justice"],
            _("人"),
        ),
        money_card(f["money"]),
        card(
            "completion",
            _("整改完成率"),
            _percent(items["rate"]),
            "",
            links.items_url(scope),
            _("已完成 %(done)s / %(total)s 项") % items,
        ),
        card(
            "overdue",
            _("逾期未完成（红色预警）"),
            items["red"],
            _("项"),
            links.items_url(scope, colour="red"),
            _("整改中且已过整改时限的事项"),
        ),
        card(
            "rules",
            _("建章立制"),
            items["rules"],
            _("项"),
            links.items_url(scope, rules=1),
            _("整改事项填报的制度数合计"),
        ),
    ]


def outcome_label(which: str) -> str:
    """The 处分 and 移送司法 figures count people (clues.DispositionPerson)."""
    return {"disciplined": _("党纪政务处分"), "justice": _("移送司法机关")}[which]


def money_card(money: dict) -> dict:
    """万元 on the card, the exact 元 in its note; "—" when none was recorded."""
    recorded = Decimal(money["yuan"]) != 0
    return {
        "key": "money",
        "label": _("挽回经济损失"),
        "value": money["wan"] if recorded else "—",
        "unit": _("万元") if recorded else "",
        "url": "",
        "note": (
            _("合计 %(yuan)s 元（含线索处置和整改追缴）") % {"yuan": yuan_text(money["yuan"])}
            if recorded
            else _("未填报")
        ),
    }


def yuan_text(yuan: str) -> str:
    """155000.50 -> 155,000.50"""
    return f"{Decimal(yuan):,.2f}"


def _percent(value) -> str:
    return "—" if value is None else f"{value:g}%"


# --- charts, each with its table -------------------------------------------------


def _chart(key, title, kind, labels, series, *, links_=None, unit="", columns, rows, **extra):
    """One chart and its table. A table row is a label (linked to the list
    behind it where there is one) and cells; ``cell_urls`` link single cells."""
    for row in rows:
        urls = row.pop("cell_urls", None) or [""] * len(row["cells"])
        row["cells"] = [
            {"value": value, "url": url} for value, url in zip(row["cells"], urls, strict=True)
        ]
    return {
        "key": key,
        "title": title,
        "kind": kind,
        "labels": labels,
        "series": series,
        "links": links_ or [""] * len(labels),
        "unit": unit,
        "columns": columns,
        "rows": rows,
        **extra,
    }


def _coverage_chart(key, title, dimension, rows, url_for) -> dict:
    labels = [str(row["name"]) for row in rows]
    urls = [url_for(row) for row in rows]
    return _chart(
        key,
        title,
        "bar",
        labels,
        [{"name": _("覆盖率"), "values": [row["share"] or 0 for row in rows]}],
        links_=urls,
        unit="%",
        tooltips=[
            _("%(name)s：已巡察 %(covered)s / 共 %(total)s 家，覆盖率 %(share)s")
            % {**row, "share": _percent(row["share"])}
            for row in rows
        ],
        columns=[dimension, _("党组织数"), _("已巡察"), _("覆盖率")],
        rows=[
            {
                "label": label,
                "url": url,
                "cells": [row["total"], row["covered"], _percent(row["share"])],
            }
            for label, url, row in zip(labels, urls, rows, strict=True)
        ],
    )


def coverage_grid(dash: Dashboard) -> list[dict]:
    """The map-like grid: one card per district, coloured by its coverage."""
    scope = dash.scope
    grid = []
    for row in dash.figures["coverage"]["by_region"]:
        value = row["share"] or 0
        band = 4 if value >= 90 else 3 if value >= 60 else 2 if value >= 30 else 1 if value else 0
        grid.append(
            {
                **row,
                "share_text": _percent(row["share"]),
                "band": band,
                "url": links.targets_url(scope, region=row["id"]) if row["id"] else "",
            }
        )
    return grid


def charts(dash: Dashboard) -> list[dict]:
    f, scope = dash.figures, dash.scope
    coverage, problems, clues, items = f["coverage"], f["problems"], f["clues"], f["items"]
    result = [
        _coverage_chart(
            "coverage_region",
            _("全覆盖：按区县"),
            _("区县"),
            coverage["by_region"],
            lambda row: links.targets_url(scope, region=row["id"]) if row["id"] else "",
        ),
        _coverage_chart(
            "coverage_sector",
            _("全覆盖：按领域"),
            _("领域"),
            coverage["by_sector"],
            lambda row: links.targets_url(scope, sector=row["code"]),
        ),
        _coverage_chart(
            "coverage_level",
            _("全覆盖：按层级"),
            _("层级"),
            coverage["by_level"],
            lambda row: "",  # the target list has no level filter
        ),
    ]

    breakdown = category_breakdown(dash.options, f, dash.category)
    category_links, drill_links = [], []
    for row in breakdown["rows"]:
        category_links.append(
            "" if row.get("direct") else links.problems_url(scope, category=row["id"])
        )
        drill_links.append(
            links.dashboard_url(scope, category=row["id"]) + "#problems"
            if row["has_children"]
            else ""
        )
    labels = [str(row["name"]) for row in breakdown["rows"]]
    result.append(
        _chart(
            "problems_category",
            _("发现问题：按类别"),
            "hbar",
            labels,
            [{"name": _("问题数"), "values": [row["count"] for row in breakdown["rows"]]}],
            # A chart segment drills into the category's children where it has
            # any, and opens the problem list where it has none.
            links_=[d or c for d, c in zip(drill_links, category_links, strict=True)],
            unit=_("个"),
            columns=[_("问题类别"), _("问题数"), _("占比")],
            rows=[
                {
                    "label": label,
                    "url": url,
                    "drill": drill,
                    "cells": [row["count"], _percent(share(row["count"], problems["total"]))],
                }
                for label, url, drill, row in zip(
                    labels, category_links, drill_links, breakdown["rows"], strict=True
                )
            ],
            path=breakdown["path"],
            root_url=links.dashboard_url(scope) + "#problems",
        )
    )
    for key, title, dimension, rows, name in [
        ("problems_source", _("发现问题：按来源"), _("问题来源"), problems["by_source"], "source"),
        (
            "problems_severity",
            _("发现问题：按严重程度"),
            _("严重程度"),
            problems["by_severity"],
            "severity",
        ),
    ]:
        rows = [row for row in rows if row["count"]]
        urls = [links.problems_url(scope, **{name: row["code"]}) for row in rows]
        result.append(
            _chart(
                key,
                title,
                "pie",
                [str(row["name"]) for row in rows],
                [{"name": _("问题数"), "values": [row["count"] for row in rows]}],
                links_=urls,
                unit=_("个"),
                columns=[dimension, _("问题数"), _("占比")],
                rows=[
                    {
                        "label": str(row["name"]),
                        "url": url,
                        "cells": [row["count"], _percent(share(row["count"], problems["total"]))],
                    }
                    for row, url in zip(rows, urls, strict=True)
                ],
            )
        )

    outcomes = [
        (_("移送问题线索（条）"), clues["transferred"]),
        (_("立案审查调查（件）"), clues["cases"]),
        (_("党纪政务处分（人）"), clues["disciplined"]),
        (_("移送司法机关（人）"), clues["justice"]),
    ]
    result.append(
        _chart(
            "clue_outcomes",
            _("问题线索移送与处置"),
            "bar",
            [label for label, _value in outcomes],
            [{"name": _("数量"), "values": [value for _label, value in outcomes]}],
            columns=[_("项目"), _("数量")],
            rows=[{"label": label, "url": "", "cells": [value]} for label, value in outcomes],
        )
    )

    open_plain = max(
        items["total"] - items["done"] - items["red"] - items["yellow"] - items["green"], 0
    )
    colour_rows = [
        ("red", _("红色（逾期）"), items["red"], links.items_url(scope, colour="red")),
        ("yellow", _("黄色（临期）"), items["yellow"], links.items_url(scope, colour="yellow")),
        ("green", _("绿色（将到期）"), items["green"], links.items_url(scope, colour="green")),
        # The item list has no filter for exactly these two (open and not yet
        # warned; accepted or closed), so they link nowhere rather than wrongly.
        ("open", _("整改中"), open_plain, ""),
        ("done", _("已完成"), items["done"], ""),
    ]
    result.append(
        _chart(
            "items_colour",
            _("整改事项：按预警颜色"),
            "pie",
            [label for _code, label, _n, _url in colour_rows],
            [{"name": _("事项数"), "values": [n for _code, _label, n, _url in colour_rows]}],
            links_=[url for *_rest, url in colour_rows],
            unit=_("项"),
            colors=[
                COLOUR_STYLES.get(code, "#6c8ebf" if code == "open" else "#9aa5b1")
                for code, *_rest in colour_rows
            ],
            columns=[_("预警颜色"), _("事项数"), _("占比")],
            rows=[
                {"label": label, "url": url, "cells": [n, _percent(share(n, items["total"]))]}
                for _code, label, n, url in colour_rows
            ],
        )
    )
    overdue = items["overdue_by_organization"]
    overdue_urls = [links.items_url(scope, colour="red", organization=row["id"]) for row in overdue]
    result.append(
        _chart(
            "items_overdue",
            _("逾期整改事项最多的党组织（前 %(n)s）") % {"n": len(overdue) or 10},
            "hbar",
            [row["name"] for row in overdue],
            [{"name": _("逾期事项"), "values": [row["count"] for row in overdue]}],
            links_=overdue_urls,
            unit=_("项"),
            columns=[_("党组织"), _("逾期事项")],
            rows=[
                {"label": row["name"], "url": url, "cells": [row["count"]]}
                for row, url in zip(overdue, overdue_urls, strict=True)
            ],
        )
    )

    trend = f["trend"]
    result.append(
        _trend_chart(
            "trend_year",
            _("趋势：按年度"),
            _("年度"),
            [f"{row['year']}年" for row in trend["by_year"]],
            trend["by_year"],
            [links.targets_url(scope, year=row["year"]) for row in trend["by_year"]],
            [links.problems_url(scope, year=row["year"]) for row in trend["by_year"]],
        )
    )
    result.append(
        _trend_chart(
            "trend_round",
            _("趋势：按轮次"),
            _("轮次"),
            # "十三届市委第一轮": the axis has no room for the trailing 巡察.
            [row["name"].removesuffix("巡察") for row in trend["by_round"]],
            trend["by_round"],
            [links.targets_url(scope, round=row["id"]) for row in trend["by_round"]],
            [links.problems_url(scope, round=row["id"]) for row in trend["by_round"]],
        )
    )
    return result


def _trend_chart(key, title, dimension, labels, rows, target_urls, problem_urls) -> dict:
    return _chart(
        key,
        title,
        "trend",
        labels,
        [
            {"name": _("巡察对象（个）"), "values": [row["targets"] for row in rows]},
            {"name": _("发现问题（个）"), "values": [row["problems"] for row in rows]},
        ],
        links_=problem_urls,
        series_links=[target_urls, problem_urls],
        columns=[dimension, _("巡察对象"), _("发现问题")],
        rows=[
            {
                "label": label,
                "url": "",
                "cells": [row["targets"], row["problems"]],
                "cell_urls": [t_url, p_url],
            }
            for label, row, t_url, p_url in zip(
                labels, rows, target_urls, problem_urls, strict=True
            )
        ],
    )


def chart_data(chart_list: list[dict]) -> dict:
    """What dashboard.js reads (json_script): the charts without their tables."""
    skip = {"columns", "rows"}
    return {
        "charts": {
            chart["key"]: {k: v for k, v in chart.items() if k not in skip} for chart in chart_list
        }
    }

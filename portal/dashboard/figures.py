"""The dashboard's figures: what each one counts, and the straight count of them.

A view reads them from the summary rows (``compute_figures``, through
``portal.dashboard.summary``), which adds up a few hundred rows however many
millions of problems and items there are. ``compute_figures_direct`` counts
the same figures straight from the records, with the filters written here:
the summary rows are counted with the same filters, and the tests hold the two
equal. Every figure is a COUNT or SUM (with ``filter=Q(...)``) or a
``values().annotate()`` in the database; Python only folds the few aggregate
rows that come back into the shapes the page shows.

处分 and 移送司法 are counted in one place, ``disciplinary_outcome_counts``,
for the headline, the cards, the chart and the summary rows alike.

Nothing here reads a clue's content: clue
figures are counts over statuses and dispositions, and no clue field but the
status and the round, target and disposition links is ever named.

Problems and targets are counted whatever their status: the figures are the
office's working totals ("figures aside" in rounds.selectors). What a viewer
can open behind a figure is decided by the list it links to.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from clues.models import Clue, Disposition
from clues.selectors import outcome_people_counts, outcome_people_counts_by
from rectification.models import Item, ItemQuerySet
from rectification.selectors import colour_q
from rounds.models import Problem, ProblemCategory, Round, Target
from xuncha.orgs.models import Office, Organization, Region

TRANSFERRED = [Clue.Status.APPROVED, Clue.Status.RECEIVED, Clue.Status.CLOSED]
DONE_STATES = list(ItemQuerySet.DONE_STATES)
COLOURS = [Item.Colour.RED, Item.Colour.YELLOW, Item.Colour.GREEN]
OVERDUE_TOP = 10
CITY_LEVEL_REGION = "city"  # the 市直 units: organizations without a region


@dataclass(frozen=True)
class Reach:
    """What a viewer's office covers: the city office everything, a district
    office its own rounds and its district's organizations."""

    office_id: int
    is_city: bool
    region_id: int | None

    @classmethod
    def of(cls, office: Office) -> "Reach":
        return cls(office.pk, office.is_city, office.region_id)

    @property
    def key(self) -> str:
        return f"office{self.office_id}"


@dataclass(frozen=True)
class Scope:
    """The GET form's choice: each field narrows, None or "" means all."""

    term: int | None = None
    year: int | None = None
    round_id: int | None = None
    region_id: int | None = None
    sector: str = ""

    @property
    def key(self) -> str:
        parts = (self.term, self.year, self.round_id, self.region_id, self.sector)
        return "-".join("" if part is None else str(part) for part in parts)

    def params(self) -> dict[str, str]:
        """The scope as query parameters, with the names the lists use."""
        values = {
            "term": self.term,
            "year": self.year,
            "round": self.round_id,
            "region": self.region_id,
            "sector": self.sector,
        }
        return {name: str(value) for name, value in values.items() if value not in (None, "")}


def round_q(reach: Reach, scope: Scope, prefix: str = "") -> Q:
    """Rounds in reach and in scope; ``prefix`` leads from the queried model to Round."""
    q = Q()
    if not reach.is_city:
        q &= Q(**{f"{prefix}office_id": reach.office_id})
    if scope.term:
        q &= Q(**{f"{prefix}term": scope.term})
    if scope.year:
        q &= Q(**{f"{prefix}year": scope.year})
    if scope.round_id:
        q &= Q(**{f"{prefix}pk": scope.round_id})
    return q


def organization_q(scope: Scope, prefix: str = "") -> Q:
    """The scope's district and sector; ``prefix`` leads to Organization."""
    q = Q()
    if scope.region_id:
        q &= Q(**{f"{prefix}region_id": scope.region_id})
    if scope.sector:
        q &= Q(**{f"{prefix}sector": scope.sector})
    return q


def reach_organizations_q(reach: Reach) -> Q:
    return Q(is_active=True) if reach.is_city else Q(is_active=True, region_id=reach.region_id)


# --- the form's options: rounds, districts and the category tree -----------------


def compute_options(reach: Reach) -> dict:
    """What the scope form offers and the figures label with (three small queries)."""
    rounds = Round.objects.select_related("office").order_by("year", "term", "number", "pk")
    if not reach.is_city:
        rounds = rounds.filter(office_id=reach.office_id)
    regions = Region.objects.order_by("sort_order", "code")
    if not reach.is_city:
        regions = regions.filter(pk=reach.region_id)
    categories = ProblemCategory.objects.order_by("sort_order", "code").values(
        "id", "parent_id", "name"
    )
    rounds = list(rounds)
    round_rows = [
        {
            "id": r.pk,
            "name": r.name,
            "term": r.term,
            "year": r.year,
            "number": r.number,
            "own": r.office_id == reach.office_id,
        }
        for r in rounds
    ]
    # The current term is that of the office's own latest round: the city
    # office also sees district rounds, whose terms are numbered differently.
    own = [r for r in rounds if r.office_id == reach.office_id] or rounds
    return {
        "rounds": round_rows,
        "current_term": own[-1].term if own else None,
        "terms": sorted({r["term"] for r in round_rows}, reverse=True),
        "years": sorted({r["year"] for r in round_rows}, reverse=True),
        "regions": [{"id": r.pk, "name": r.name} for r in regions],
        "categories": [
            {"id": c["id"], "parent": c["parent_id"], "name": c["name"]} for c in categories
        ],
    }


# --- the figures ------------------------------------------------------------------


def compute_figures(reach: Reach, scope: Scope, options: dict, today: datetime.date | None = None):
    """The figures from the summary rows (``portal.dashboard.summary``),
    counting first what changed since they were last counted."""
    from portal.dashboard.cache import bring_up_to_date
    from portal.dashboard.summary import figures_from_segments

    bring_up_to_date()
    return figures_from_segments(reach, scope, options, today)


def compute_figures_direct(
    reach: Reach, scope: Scope, options: dict, today: datetime.date | None = None
):
    """The same figures counted straight from the records: the reference the
    summary rows are tested against, and the fallback for what a summary
    cannot know (the overdue top ten on a day the rows have not yet seen)."""
    today = today or timezone.localdate()
    targets = Target.objects.filter(
        round_q(reach, scope, "round__"), organization_q(scope, "organization__")
    )
    problems = Problem.objects.filter(
        round_q(reach, scope, "round__"), organization_q(scope, "target__organization__")
    )
    clues = Clue.objects.filter(
        round_q(reach, scope, "round__"),
        organization_q(scope, "target__organization__"),
        status__in=TRANSFERRED,
    )
    items = scope_items(reach, scope)

    per_round = _per_round(targets, problems)
    clue_figures = _clue_figures(clues)
    item_figures = _item_figures(items, today)
    money = (clue_figures.pop("money") + item_figures.pop("money")).quantize(Decimal("0.01"))
    return {
        "targets": {
            "count": sum(row["targets"] for row in per_round),
            "organizations": targets.aggregate(n=Count("organization_id", distinct=True))["n"],
        },
        "coverage": _coverage(reach, scope, options),
        "problems": _problem_figures(per_round, problems),
        "clues": clue_figures,
        "items": item_figures,
        "money": {"yuan": str(money), "wan": yuan_to_wan(money)},
        "trend": trend_from_rows(per_round, options),
    }


def yuan_to_wan(yuan: Decimal) -> str:
    """Yuan as 万元 with at most two decimals and no trailing zeros: 3842, 0.35."""
    return f"{Decimal(yuan) / 10000:.2f}".rstrip("0").rstrip(".")


def _per_round(targets, problems) -> list[dict]:
    """Targets and problems per round (problems by source and severity too):
    two GROUP BY queries, merged on the round."""
    problem_counts = {
        "problems": Count("pk"),
        "immediate": Count("pk", filter=Q(immediate_fix=True)),
        **{f"source_{code}": Count("pk", filter=Q(source=code)) for code in Problem.Source.values},
        **{
            f"severity_{code}": Count("pk", filter=Q(severity=code))
            for code in Problem.Severity.values
        },
    }
    rows: dict[int, dict] = {}
    empty = {name: 0 for name in ["targets", *problem_counts]}
    for row in targets.values("round_id").annotate(targets=Count("pk")).order_by():
        rows.setdefault(row["round_id"], dict(empty))["targets"] = row["targets"]
    for row in problems.values("round_id").annotate(**problem_counts).order_by():
        merged = rows.setdefault(row["round_id"], dict(empty))
        merged.update({name: row[name] for name in problem_counts})
    return [{"round_id": round_id, **counts} for round_id, counts in rows.items()]


def _problem_figures(per_round: list[dict], problems) -> dict:
    def total(name: str) -> int:
        return sum(row[name] for row in per_round)

    by_category = problems.values("category_id").annotate(n=Count("pk")).order_by()
    return {
        "total": total("problems"),
        "immediate": total("immediate"),
        "by_source": [
            {"code": code, "name": str(label), "count": total(f"source_{code}")}
            for code, label in Problem.Source.choices
        ],
        "by_severity": [
            {"code": code, "name": str(label), "count": total(f"severity_{code}")}
            for code, label in Problem.Severity.choices
        ],
        # [category id, count] for every category with problems; the page
        # folds them up the tree to the level it shows.
        "by_category": sorted([row["category_id"], row["n"]] for row in by_category),
    }


def _coverage(reach: Reach, scope: Scope, options: dict) -> dict:
    """Share of the organizations in reach (active, in the scope's district
    and sector) that were a target of a round in scope: EXISTS, so an
    organization inspected twice counts once. One GROUP BY over region ×
    sector × level, folded three ways."""
    inspected = Target.objects.filter(round_q(reach, scope, "round__"), organization=OuterRef("pk"))
    rows = list(
        Organization.objects.filter(reach_organizations_q(reach), organization_q(scope))
        .annotate(inspected=Exists(inspected))
        .values("region_id", "sector", "level")
        .annotate(total=Count("pk"), covered=Count("pk", filter=Q(inspected=True)))
        .order_by()
    )
    return coverage_from_rows(rows, options)


def coverage_from_rows(rows: list[dict], options: dict) -> dict:
    """Fold rows of region_id, sector, level, total and covered three ways."""

    def fold(field: str) -> dict:
        folded: dict = {}
        for row in rows:
            entry = folded.setdefault(row[field], {"total": 0, "covered": 0})
            entry["total"] += row["total"]
            entry["covered"] += row["covered"]
        return folded

    by_region, by_sector, by_level = fold("region_id"), fold("sector"), fold("level")
    region_names = {r["id"]: r["name"] for r in options["regions"]}
    region_rows = [
        {"id": r["id"], "name": r["name"], **by_region[r["id"]]}
        for r in options["regions"]
        if r["id"] in by_region
    ]
    if None in by_region:
        region_rows.append({"id": None, "name": _("市直单位"), **by_region[None]})
    # An organization whose district the viewer's options lack (none should).
    region_rows += [
        {"id": pk, "name": str(pk), **counts}
        for pk, counts in by_region.items()
        if pk is not None and pk not in region_names
    ]
    return {
        "total": sum(row["total"] for row in rows),
        "covered": sum(row["covered"] for row in rows),
        "by_region": [_with_share(row) for row in region_rows],
        "by_sector": [
            _with_share({"code": code, "name": str(label), **by_sector[code]})
            for code, label in Organization.Sector.choices
            if code in by_sector
        ],
        "by_level": [
            _with_share({"code": code, "name": str(label), **by_level[code]})
            for code, label in Organization.Level.choices
            if code in by_level
        ],
    }


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _with_share(row: dict) -> dict:
    return {**row, "share": share(row["covered"], row["total"])}


# --- 处分 and 移送司法: the one place that says what they count ------------------


def disciplinary_outcome_counts(clues, group_by: tuple[str, ...] = ()) -> list[dict]:
    """The dashboard's 党纪政务处分 and 移送司法 figures, for the headline, the
    cards, the chart and the summary rows alike: one row per ``group_by``
    value (``Clue`` field paths), with ``disciplined`` and ``justice``, counted
    in people by clues.selectors. ``clues`` is already narrowed to the
    transferred clues in scope."""
    if not group_by:
        rows = [outcome_people_counts(clues)]
    else:
        rows = outcome_people_counts_by(clues, group_by)
    wanted = (*group_by, "disciplined", "justice")
    return [{key: row[key] for key in wanted} for row in rows]


def _clue_figures(clues) -> dict:
    """Transferred clues and their outcomes: cases filed counted once per
    clue however many dispositions say it (COUNT DISTINCT over the join); the
    disciplined and those sent to justice counted in people
    (clues.selectors.outcome_people_counts)."""
    d = "dispositions__"
    figures = clues.aggregate(
        transferred=Count("pk", distinct=True),
        cases=Count("pk", distinct=True, filter=Q(**{f"{d}method": Disposition.Method.CASE})),
        money=Sum(f"{d}money_recovered"),
    )
    figures.update(disciplinary_outcome_counts(clues)[0])
    figures["money"] = figures["money"] or Decimal(0)
    return figures


def _item_figures(items, today: datetime.date) -> dict:
    figures = items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state__in=DONE_STATES)),
        rules=Sum("rules_made"),
        money=Sum("money_recovered"),
        **{colour: Count("pk", filter=colour_q(colour, today)) for colour in COLOURS},
    )
    figures["rules"] = figures["rules"] or 0
    figures["money"] = figures["money"] or Decimal(0)
    figures["rate"] = share(figures["done"], figures["total"])
    figures["overdue_by_organization"] = overdue_by_organization(items, today)
    return figures


def scope_items(reach: Reach, scope: Scope):
    return Item.objects.filter(
        round_q(reach, scope, "round__"), organization_q(scope, "organization__")
    )


def overdue_by_organization(items, today: datetime.date) -> list[dict]:
    """The organizations with most overdue (red) items, ties by name."""
    overdue = (
        items.filter(colour_q(Item.Colour.RED, today))
        .values("organization_id", "organization__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "organization__name")[:OVERDUE_TOP]
    )
    return [
        {"id": row["organization_id"], "name": row["organization__name"], "count": row["n"]}
        for row in overdue
    ]


def trend_from_rows(per_round: list[dict], options: dict) -> dict:
    counts = {row["round_id"]: row for row in per_round}
    by_round, by_year = [], {}
    for round_ in options["rounds"]:  # in order of year, term, number
        row = counts.get(round_["id"])
        if row is None:
            continue
        by_round.append(
            {
                "id": round_["id"],
                "name": round_["name"],
                "year": round_["year"],
                "targets": row["targets"],
                "problems": row["problems"],
            }
        )
        year = by_year.setdefault(
            round_["year"], {"year": round_["year"], "targets": 0, "problems": 0}
        )
        year["targets"] += row["targets"]
        year["problems"] += row["problems"]
    return {"by_round": by_round, "by_year": [by_year[y] for y in sorted(by_year)]}


# --- the category tree, folded to the level the page shows ----------------------


def category_breakdown(options: dict, figures: dict, parent_id: int | None) -> dict:
    """Problems under each child of ``parent_id`` (the top level for None),
    each child counting its whole subtree; plus the path from the top."""
    categories = {c["id"]: c for c in options["categories"]}
    children: dict[int | None, list[int]] = {}
    for category in options["categories"]:  # already in display order
        children.setdefault(category["parent"], []).append(category["id"])
    counts = dict(map(tuple, figures["problems"]["by_category"]))

    def subtree_total(pk: int) -> int:
        total, stack = 0, [pk]
        while stack:
            current = stack.pop()
            total += counts.get(current, 0)
            stack.extend(children.get(current, []))
        return total

    rows = [
        {
            "id": pk,
            "name": categories[pk]["name"],
            "count": subtree_total(pk),
            "has_children": bool(children.get(pk)),
        }
        for pk in children.get(parent_id, [])
    ]
    rows = [row for row in rows if row["count"]]
    if parent_id is not None and counts.get(parent_id):
        # Problems filed on the parent itself, not on one of its children.
        rows.append(
            {
                "id": parent_id,
                "name": _("（直接归入本类）"),
                "count": counts[parent_id],
                "has_children": False,
                "direct": True,
            }
        )
    path, current = [], parent_id
    while current is not None and current in categories:
        path.insert(0, {"id": current, "name": categories[current]["name"]})
        current = categories[current]["parent"]
    return {"rows": rows, "path": path}

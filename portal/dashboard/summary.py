"""The summary rows behind the dashboard: counting them, keeping them current,
and adding them up into the figures.

``segment_data`` counts segments (one round × one district × one sector, see
``portal.dashboard.models``) straight from the records, with the same
filters as the direct figures in ``portal.dashboard.figures``; for a whole
rebuild it runs seven GROUP BY queries, for a few segments the same seven
narrowed to them. ``apply_changes`` counts again the segments that the
pending change notes name, under one lock, and returns what it touched so
the cache can invalidate those scopes only. ``figures_from_segments`` reads
the segments of a scope (one query) and folds them into exactly the shape
``compute_figures_direct`` returns; the coverage totals (organizations to
cover) are one GROUP BY over organizations, and the overdue top ten falls
back to the direct query on a day whose overdue items the rows have not yet
counted (after midnight, until the nightly rebuild).

Each segment's ``data``::

    targets
    problems, immediate, source {code: n}, severity {code: n}, category {id: n}
    clues, cases, disciplined, justice, clue_money
    items, done, rules, item_money, deadlines {date: n}  (open, on the ledger)
    red {organization id: n}, red_as_of      (overdue on that day)
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from clues.models import Clue, Disposition, DispositionPerson
from portal.dashboard.cache import mark_changes_pending, take_pending_mark
from portal.dashboard.figures import (
    DONE_STATES,
    OVERDUE_TOP,
    TRANSFERRED,
    Reach,
    Scope,
    coverage_from_rows,
    disciplinary_outcome_counts,
    overdue_by_organization,
    reach_organizations_q,
    scope_items,
    share,
    trend_from_rows,
    yuan_to_wan,
)
from portal.dashboard.models import CoverageSummary, FigureChange, FigureSegment, Watermark
from rectification.models import LEDGER_STATES, Item, colour_windows
from rounds.models import Problem, Round, Target
from xuncha.orgs.models import Office, Organization

SegmentKey = tuple[int, int, str]  # round, district (0: 市直), sector
# Round id -> the segments of it to count (None: all of the round's).
Selection = dict[int, set[tuple[int, str]] | None]

# Arbitrary, fixed: the advisory lock that lets one counter at a time write segments.
LOCK_KEY = 74_203_118
# Open, past planning, with a deadline and not 长期坚持: the items that carry a
# colour (ItemQuerySet.colour_q without its date range).
ON_LEDGER = Q(state__in=LEDGER_STATES, deadline__isnull=False) & ~Q(kind=Item.Kind.ONGOING)


def _empty(today: datetime.date) -> dict:
    return {
        "targets": 0,
        "problems": 0,
        "immediate": 0,
        "source": {},
        "severity": {},
        "category": {},
        "clues": 0,
        "cases": 0,
        "disciplined": 0,
        "justice": 0,
        "clue_money": "0",
        "items": 0,
        "done": 0,
        "rules": 0,
        "item_money": "0",
        "deadlines": {},
        "red": {},
        "red_as_of": today.isoformat(),
    }


def _selection_q(selection: Selection | None, org: str) -> Q:
    """The rows of the selected segments; ``org`` leads to the organization
    that places a row (a problem's target's, an item's own)."""
    if selection is None:
        return Q()
    q = Q(pk__in=[])
    for round_id, keys in selection.items():
        part = Q(round_id=round_id)
        if keys is not None:
            in_keys = Q(pk__in=[])
            for region_key, sector in keys:
                region = (
                    Q(**{f"{org}region__isnull": True})
                    if region_key == 0
                    else Q(**{f"{org}region_id": region_key})
                )
                in_keys |= region & Q(**{f"{org}sector": sector})
            part &= in_keys
        q |= part
    return q


def _group(org: str) -> tuple[str, str, str]:
    return ("round_id", f"{org}region_id", f"{org}sector")


def _key(row: dict, org: str) -> SegmentKey:
    return (row["round_id"], row[f"{org}region_id"] or 0, row[f"{org}sector"])


def segment_data(selection: Selection | None, today: datetime.date) -> dict[SegmentKey, dict]:
    """Count the selected segments (every segment for None) from the records."""
    segments: dict[SegmentKey, dict] = defaultdict(lambda: _empty(today))

    org = "organization__"
    targets = Target.objects.filter(_selection_q(selection, org))
    for row in targets.values(*_group(org)).annotate(n=Count("pk")).order_by():
        segments[_key(row, org)]["targets"] = row["n"]

    org = "target__organization__"
    problems = Problem.objects.filter(_selection_q(selection, org))
    counts = {
        "problems": Count("pk"),
        "immediate": Count("pk", filter=Q(immediate_fix=True)),
        **{f"source_{code}": Count("pk", filter=Q(source=code)) for code in Problem.Source.values},
        **{
            f"severity_{code}": Count("pk", filter=Q(severity=code))
            for code in Problem.Severity.values
        },
    }
    # One pass, by category: the segment's totals are its categories' sums.
    for row in problems.values(*_group(org), "category_id").annotate(**counts).order_by():
        seg = segments[_key(row, org)]
        seg["problems"] += row["problems"]
        seg["immediate"] += row["immediate"]
        seg["category"][str(row["category_id"])] = row["problems"]
        for field, codes in (
            ("source", Problem.Source.values),
            ("severity", Problem.Severity.values),
        ):
            for code in codes:
                if n := row[f"{field}_{code}"]:
                    seg[field][code] = seg[field].get(code, 0) + n

    clues = Clue.objects.filter(_selection_q(selection, org), status__in=TRANSFERRED)
    d = "dispositions__"
    for row in (
        clues.values(*_group(org))
        .annotate(
            transferred=Count("pk", distinct=True),
            cases=Count("pk", distinct=True, filter=Q(**{f"{d}method": Disposition.Method.CASE})),
            money=Sum(f"{d}money_recovered"),
        )
        .order_by()
    ):
        seg = segments[_key(row, org)]
        seg["clues"], seg["cases"] = row["transferred"], row["cases"]
        seg["clue_money"] = str(row["money"] or 0)
    for row in disciplinary_outcome_counts(clues, _group(org)):
        seg = segments[_key(row, org)]
        seg["disciplined"], seg["justice"] = row["disciplined"], row["justice"]

    org = "organization__"
    items = Item.objects.filter(_selection_q(selection, org))
    for row in (
        items.values(*_group(org))
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(state__in=DONE_STATES)),
            rules=Sum("rules_made"),
            money=Sum("money_recovered"),
        )
        .order_by()
    ):
        seg = segments[_key(row, org)]
        seg["items"], seg["done"] = row["total"], row["done"]
        seg["rules"], seg["item_money"] = row["rules"] or 0, str(row["money"] or 0)
    on_ledger = items.filter(ON_LEDGER)
    for row in on_ledger.values(*_group(org), "deadline").annotate(n=Count("pk")).order_by():
        segments[_key(row, org)]["deadlines"][row["deadline"].isoformat()] = row["n"]
    overdue = on_ledger.filter(deadline__lt=today)
    for row in overdue.values(*_group(org), "organization_id").annotate(n=Count("pk")).order_by():
        segments[_key(row, org)]["red"][str(row["organization_id"])] = row["n"]
    return dict(segments)


# --- a round's segments added up ----------------------------------------------------

# The row that adds up all of a round's segments, for scopes that name no
# district and no sector (most do not): ten rows a term instead of hundreds.
ROLLUP_REGION, ROLLUP_SECTOR = -1, "*"
SUMS = (
    "targets",
    "problems",
    "immediate",
    "clues",
    "cases",
    "disciplined",
    "justice",
    "items",
    "done",
    "rules",
)
MAPS = ("source", "severity", "category", "deadlines", "red")


def _add(total: dict, part: dict) -> None:
    for name, n in part.items():
        total[name] = total.get(name, 0) + n


def merge(datas: Iterable[dict], today: datetime.date) -> dict:
    """Segments' data added up into one of the same shape. The overdue counts
    are dated by the oldest among them: valid today only if no open deadline
    passed since (checked against the merged deadlines, so never wrongly)."""
    merged = _empty(today)
    clue_money = item_money = Decimal(0)
    as_of = []
    for data in datas:
        for name in SUMS:
            merged[name] += data[name]
        for name in MAPS:
            _add(merged[name], data[name])
        clue_money += Decimal(data["clue_money"])
        item_money += Decimal(data["item_money"])
        as_of.append(data["red_as_of"])
    merged["clue_money"], merged["item_money"] = str(clue_money), str(item_money)
    if as_of:
        merged["red_as_of"] = min(as_of)
    return merged


def _roll_up(round_ids: Iterable[int], today: datetime.date) -> None:
    """Write each round's added-up row again from its segments."""
    round_ids = set(round_ids)
    by_round: dict[int, list[dict]] = defaultdict(list)
    for round_key, data in FigureSegment.objects.filter(
        round_key__in=round_ids, region_key__gte=0
    ).values_list("round_key", "data"):
        by_round[round_key].append(data)
    FigureSegment.objects.filter(round_key__in=round_ids - set(by_round)).filter(
        region_key=ROLLUP_REGION
    ).delete()
    FigureSegment.objects.bulk_create(
        [
            FigureSegment(
                round_key=round_key,
                region_key=ROLLUP_REGION,
                sector=ROLLUP_SECTOR,
                data=merge(datas, today),
            )
            for round_key, datas in by_round.items()
        ],
        update_conflicts=True,
        unique_fields=["round_key", "region_key", "sector"],
        update_fields=["data", "refreshed_at"],
        batch_size=500,
    )


# --- coverage per term --------------------------------------------------------------


def _reaches_of_term(term: int) -> list[tuple[int, Reach]]:
    """The reaches that see the term's rounds: the city's (key 0), and each
    district office's with rounds of that term."""
    reaches = [(0, Reach(0, True, None))]
    offices = Office.objects.filter(pk__in=Round.objects.filter(term=term).values("office_id"))
    for office in offices.order_by("pk"):
        if not office.is_city:
            reaches.append((office.pk, Reach.of(office)))
    return reaches


def coverage_rows(reach: Reach, round_ids) -> list[list]:
    """[region, sector, level, to cover, inspected, covered] for the rounds
    given (ids or a subquery): two GROUP BY queries."""
    totals = (
        Organization.objects.filter(reach_organizations_q(reach))
        .values_list("region_id", "sector", "level")
        .annotate(total=Count("pk"))
        .order_by()
    )
    inspected_ids = Target.objects.filter(round_id__in=round_ids).values("organization_id")
    in_reach = reach_organizations_q(reach)
    inspected = (
        Organization.objects.filter(pk__in=inspected_ids)
        .values_list("region_id", "sector", "level")
        .annotate(inspected=Count("pk"), covered=Count("pk", filter=in_reach))
        .order_by()
    )
    groups: dict[tuple, list[int]] = {}
    for region_id, sector, level, total in totals:
        groups[(region_id or 0, sector, level)] = [total, 0, 0]
    for region_id, sector, level, n_inspected, n_covered in inspected:
        group = groups.setdefault((region_id or 0, sector, level), [0, 0, 0])
        group[1:] = [n_inspected, n_covered]
    return [[*key, *counts] for key, counts in sorted(groups.items(), key=str)]


def _store_coverage(terms: set[int] | None) -> None:
    """Count coverage again for these terms (every term for None)."""
    all_terms = set(Round.objects.values_list("term", flat=True).distinct())
    stale = CoverageSummary.objects.exclude(term__in=all_terms)
    stale.delete()
    for term in sorted(all_terms if terms is None else terms & all_terms):
        keep = []
        for office_key, reach in _reaches_of_term(term):
            rounds = Round.objects.filter(term=term)
            if office_key:
                rounds = rounds.filter(office_id=office_key)
            data = coverage_rows(reach, rounds.values("pk"))
            CoverageSummary.objects.update_or_create(
                office_key=office_key, term=term, defaults={"data": data}
            )
            keep.append(office_key)
        CoverageSummary.objects.filter(term=term).exclude(office_key__in=keep).delete()


# --- keeping the rows current ------------------------------------------------------


def _lock() -> None:
    """One counter at a time: a counter that started earlier must not write
    its older counts over a later one's (PostgreSQL; SQLite runs one write
    transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _store(computed: dict[SegmentKey, dict], selection: Selection | None) -> None:
    existing = FigureSegment.objects.all()
    if selection is not None:
        existing = existing.filter(round_key__in=list(selection))
    gone = [
        pk
        for pk, round_key, region_key, sector in existing.values_list(
            "pk", "round_key", "region_key", "sector"
        )
        if (round_key, region_key, sector) not in computed
        and (selection is None or _selected(selection, round_key, region_key, sector))
    ]
    if gone:
        FigureSegment.objects.filter(pk__in=gone).delete()
    FigureSegment.objects.bulk_create(
        [
            FigureSegment(round_key=key[0], region_key=key[1], sector=key[2], data=data)
            for key, data in computed.items()
        ],
        update_conflicts=True,
        unique_fields=["round_key", "region_key", "sector"],
        update_fields=["data", "refreshed_at"],
        batch_size=500,
    )


def _selected(selection: Selection, round_key: int, region_key: int, sector: str) -> bool:
    keys = selection.get(round_key, set())
    return keys is None or (region_key, sector) in keys


def _organization_places(ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    return {
        pk: (region_id or 0, sector)
        for pk, region_id, sector in Organization.objects.filter(pk__in=set(ids)).values_list(
            "pk", "region_id", "sector"
        )
    }


def _selection_for(changes: list[dict]) -> tuple[Selection, bool]:
    """The segments the change notes name, and whether one changed what every
    scope shows (a round, an organization's place or name)."""
    selection: Selection = {}
    structural = False

    def add(round_id: int, key: tuple[int, str] | None) -> None:
        if key is None:
            selection[round_id] = None
        elif selection.get(round_id, set()) is not None:
            selection.setdefault(round_id, set()).add(key)

    organizations = {c["organization_key"] for c in changes if c["organization_key"]}
    places = _organization_places(organizations)
    moved = [c for c in changes if c["round_key"] is None and c["organization_key"]]
    rounds_of: dict[int, set[int]] = defaultdict(set)
    if moved:
        ids = [c["organization_key"] for c in moved]
        for model in (Target, Item):
            for org_id, round_id in (
                model.objects.filter(organization_id__in=ids)
                .values_list("organization_id", "round_id")
                .distinct()
            ):
                rounds_of[org_id].add(round_id)
    for change in changes:
        round_id, org_id = change["round_key"], change["organization_key"]
        if round_id is None:
            structural = True
        if round_id is not None and org_id is None:
            add(round_id, None)
            continue
        if org_id is None:
            continue
        old = None
        if change["old_region_key"] is not None:
            old = (change["old_region_key"], change["old_sector"])
        for r in [round_id] if round_id is not None else sorted(rounds_of[org_id]):
            if org_id not in places:  # the organization is gone: count the whole round
                add(r, None)
                continue
            add(r, places[org_id])
            if old is not None:
                add(r, old)
    return selection, structural


# Each counted table, and the path from its rows to the round and to the
# organization that places them in a segment. New organizations belong to no
# segment yet, but are to be covered: coverage is counted again.
INSERTED = [
    (Problem, "round_id", "target__organization_id"),
    (Clue, "round_id", "target__organization_id"),
    (Disposition, "clue__round_id", "clue__target__organization_id"),
    (
        DispositionPerson,
        "disposition__clue__round_id",
        "disposition__clue__target__organization_id",
    ),
    (Item, "round_id", "organization_id"),
    (Target, "round_id", "organization_id"),
    (Organization, None, None),
]
WATERMARKS_SEEN = "dashboard:watermarks"


def _highest_ids() -> dict[str, int]:
    """The highest id of every counted table, in one query."""
    models = [model for model, _r, _o in INSERTED]
    tables = [model._meta.db_table for model in models]
    quote = connection.ops.quote_name
    # The models' own table and column names, quoted: nothing a person typed.
    columns = ", ".join(
        f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        row = cursor.fetchone()
    return {table: value or 0 for table, value in zip(tables, row, strict=True)}


def note_bulk_inserts() -> None:
    """Note the rows inserted without a signal since the last look (one query
    when nothing was, and the cache remembers what was last seen)."""
    highest = _highest_ids()
    if cache.get(WATERMARKS_SEEN) == highest:
        return
    with transaction.atomic():
        _lock()
        marks = {w.table: w for w in Watermark.objects.select_for_update()}
        notes = []
        for model, round_path, organization_path in INSERTED:
            table = model._meta.db_table
            mark = marks.get(table)
            if mark is None:  # first look: what is there was counted at installation
                Watermark.objects.create(table=table, last_id=highest[table])
                continue
            if highest[table] <= mark.last_id:
                continue
            if round_path is None:
                notes.append(FigureChange(coverage=True))
            else:
                places = (
                    model.objects.filter(pk__gt=mark.last_id, pk__lte=highest[table])
                    .values_list(round_path, organization_path)
                    .distinct()
                )
                notes += [
                    FigureChange(round_key=r, organization_key=o, coverage=model is Target)
                    for r, o in places
                ]
            mark.last_id = highest[table]
            mark.save(update_fields=["last_id"])
        FigureChange.objects.bulk_create(notes)
        if notes:
            mark_changes_pending()
    cache.set(WATERMARKS_SEEN, highest, None)


def _coverage_terms(changes: list[dict]) -> set[int] | None:
    """The terms whose coverage a change touched (None: every term)."""
    marked = [c for c in changes if c["coverage"]]
    if any(c["round_key"] is None for c in marked):
        return None
    rounds = {c["round_key"] for c in marked}
    return set(Round.objects.filter(pk__in=rounds).values_list("term", flat=True))


def apply_changes(today: datetime.date | None = None) -> tuple[set[SegmentKey], bool] | None:
    """Count again the segments the pending change notes name, and drop the
    notes. Returns the segments counted and whether a change concerned every
    scope; None when nothing was pending."""
    take_pending_mark()
    try:
        return _apply_changes(today)
    except BaseException:
        mark_changes_pending()  # the notes stay: the next view or the beat counts them
        raise


def _apply_changes(today: datetime.date | None) -> tuple[set[SegmentKey], bool] | None:
    if not FigureChange.objects.exists():
        return None
    today = today or timezone.localdate()
    with transaction.atomic():
        _lock()
        # Read after the lock: another counter may have taken them meanwhile.
        changes = list(
            FigureChange.objects.values(
                "pk", "round_key", "organization_key", "old_region_key", "old_sector", "coverage"
            )
        )
        if not changes:
            return None
        selection, structural = _selection_for(changes)
        computed = segment_data(selection, today) if selection else {}
        _store(computed, selection)
        _roll_up(selection, today)
        coverage = _coverage_terms(changes)
        if coverage is None or coverage:
            _store_coverage(coverage)
        FigureChange.objects.filter(pk__in=[c["pk"] for c in changes]).delete()
    touched = {
        (round_id, *key)
        for round_id, keys in selection.items()
        for key in (keys if keys is not None else {(0, "*")})
    }
    return touched | set(computed), structural


def rebuild(today: datetime.date | None = None) -> int:
    """Count every segment again from the records (the nightly beat, after a
    bulk load that sent no signals, and ``manage.py dashboard_rebuild``)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        _lock()
        pending = list(FigureChange.objects.values_list("pk", flat=True))
        computed = segment_data(None, today)
        _store(computed, None)
        _roll_up({key[0] for key in computed}, today)
        _store_coverage(None)
        FigureChange.objects.filter(pk__in=pending).delete()
    return len(computed)


# A queue table that a bulk change filled and the count emptied holds its dead
# rows until vacuumed, and reading it meanwhile scans them all (40 ms after the
# province bench's build: 2.4 million). Autovacuum gets there, but late while it
# is busy with the big tables the same load filled.
NOTES_DEAD_ROWS_TO_VACUUM = 10_000


def vacuum_notes_if_bloated() -> bool:
    """VACUUM the notes' table when it holds many dead rows (PostgreSQL, and
    only outside a transaction: the beat, the nightly rebuild, the command)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    table = FigureChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
        if not row or row[0] < NOTES_DEAD_ROWS_TO_VACUUM:
            return False
        cursor.execute(f'VACUUM "{table}"')
    return True


# --- from the rows to the figures ----------------------------------------------------


def scope_rounds(reach: Reach, scope: Scope, options: dict) -> list[dict]:
    """The rounds of the options (already the viewer's reach) that the scope takes."""
    return [
        r
        for r in options["rounds"]
        if (not scope.term or r["term"] == scope.term)
        and (not scope.year or r["year"] == scope.year)
        and (not scope.round_id or r["id"] == scope.round_id)
    ]


def _segments(scope: Scope, round_ids: list[int]) -> list[tuple[int, dict]]:
    rows = FigureSegment.objects.filter(round_key__in=round_ids)
    if not scope.region_id and not scope.sector:
        rows = rows.filter(region_key=ROLLUP_REGION)  # each round's segments added up
    if scope.region_id:
        rows = rows.filter(region_key=scope.region_id)
    if scope.sector:
        rows = rows.filter(sector=scope.sector)
    return list(rows.values_list("round_key", "data"))


def figures_from_segments(
    reach: Reach, scope: Scope, options: dict, today: datetime.date | None = None
) -> dict:
    today = today or timezone.localdate()
    round_ids = [r["id"] for r in scope_rounds(reach, scope, options)]
    segments = _segments(scope, round_ids) if round_ids else []

    per_round: dict[int, dict] = {}
    for round_id, data in segments:
        if data["targets"] or data["problems"]:
            row = per_round.setdefault(round_id, {"targets": 0, "problems": 0})
            row["targets"] += data["targets"]
            row["problems"] += data["problems"]
    sums = merge((data for _round_id, data in segments), today)
    source, severity, category = sums["source"], sums["severity"], sums["category"]
    deadlines, red = sums["deadlines"], sums["red"]
    money = Decimal(sums["clue_money"]) + Decimal(sums["item_money"])
    red_known = _red_still_true(sums, today)

    yellow_until, green_until = colour_windows(today)
    colours = {"red": 0, "yellow": 0, "green": 0}
    for day, n in deadlines.items():
        deadline = datetime.date.fromisoformat(day)
        if deadline < today:
            colours["red"] += n
        elif deadline <= yellow_until:
            colours["yellow"] += n
        elif deadline <= green_until:
            colours["green"] += n
    if red_known:
        overdue = _top_overdue({int(pk): n for pk, n in red.items()})
    else:
        overdue = overdue_by_organization(scope_items(reach, scope), today)

    per_round_rows = [{"round_id": pk, **row} for pk, row in per_round.items()]
    money = money.quantize(Decimal("0.01"))
    coverage, inspected = _coverage(reach, scope, options, round_ids)
    return {
        "targets": {"count": sums["targets"], "organizations": inspected},
        "coverage": coverage,
        "problems": {
            "total": sums["problems"],
            "immediate": sums["immediate"],
            "by_source": [
                {"code": code, "name": str(label), "count": source.get(code, 0)}
                for code, label in Problem.Source.choices
            ],
            "by_severity": [
                {"code": code, "name": str(label), "count": severity.get(code, 0)}
                for code, label in Problem.Severity.choices
            ],
            "by_category": sorted([int(pk), n] for pk, n in category.items() if n),
        },
        "clues": {
            "transferred": sums["clues"],
            "cases": sums["cases"],
            "disciplined": sums["disciplined"],
            "justice": sums["justice"],
        },
        "items": {
            "total": sums["items"],
            "done": sums["done"],
            "rules": sums["rules"],
            **colours,
            "rate": share(sums["done"], sums["items"]),
            "overdue_by_organization": overdue,
        },
        "money": {"yuan": str(money), "wan": yuan_to_wan(money)},
        "trend": trend_from_rows(per_round_rows, options),
    }


def _red_still_true(data: dict, today: datetime.date) -> bool:
    """Whether the segment's overdue counts, made on ``red_as_of``, hold
    today: no open item's deadline has passed in between."""
    as_of = data["red_as_of"]
    today_text = today.isoformat()
    if as_of == today_text:
        return True
    if as_of > today_text:
        return False
    return not any(as_of <= day < today_text for day in data["deadlines"])


def _top_overdue(counts: dict[int, int]) -> list[dict]:
    """The ten organizations with most overdue items, ties by name as the
    database orders names (as the direct query does)."""
    if not counts:
        return []
    ranked = sorted(counts.values(), reverse=True)
    threshold = ranked[min(OVERDUE_TOP, len(ranked)) - 1]
    candidates = [pk for pk, n in counts.items() if n >= threshold]
    names = list(
        Organization.objects.filter(pk__in=candidates).order_by("name").values_list("pk", "name")
    )
    names.sort(key=lambda row: -counts[row[0]])  # stable: keeps the name order within a count
    return [{"id": pk, "name": name, "count": counts[pk]} for pk, name in names[:OVERDUE_TOP]]


def _coverage(reach: Reach, scope: Scope, options: dict, round_ids: list[int]):
    """Coverage in the shape the direct count gives, and the number of
    organizations inspected in scope: from the term's coverage row when the
    scope is a whole term, else counted from the records."""
    rows = None
    if scope.term and not scope.year and not scope.round_id:
        office_key = 0 if reach.is_city else reach.office_id
        rows = (
            CoverageSummary.objects.filter(office_key=office_key, term=scope.term)
            .values_list("data", flat=True)
            .first()
        )
    if rows is None:
        rows = coverage_rows(reach, round_ids)
    rows = [
        row
        for row in rows
        if (not scope.region_id or row[0] == scope.region_id)
        and (not scope.sector or row[1] == scope.sector)
    ]
    folded = [
        {
            "region_id": region or None,
            "sector": sector,
            "level": level,
            "total": total,
            "covered": covered,
        }
        for region, sector, level, total, _inspected, covered in rows
        if total
    ]
    return coverage_from_rows(folded, options), sum(row[4] for row in rows)

"""A rule's statements: one INSERT … SELECT per key tier, the join done by the
database on the indexed keys, never row by row in Python.

A person is matched on the ID number's keyed hash; where one side has no
(valid) number, on name plus birth date. An enterprise on its credit code;
where one side has none, on its normalised name. The tiers are disjoint (the
second asks that one side lack the first key), so no pair is found twice,
and the unique constraint on (rule, left row, right row) with ON CONFLICT DO
NOTHING makes a second run add nothing.

The SQL text is put together only from this module's constants (table
names, aliases, conditions); every value is a %s parameter (S608 below).
"""

import datetime
import itertools
from decimal import Decimal

from crosscheck.models import Hit, Row, Rule, Source
from rounds.models import Round

ROW = Row._meta.db_table
HIT = Hit._meta.db_table


def key_tiers(key: str, a: str, b: str, second: bool = True) -> list[tuple[str, str]]:
    """(basis, join condition) for each tier of a key between aliases a and b;
    the second tier only when ``second`` (some list has rows lacking the first key)."""
    if key == Rule.Key.PERSON:
        tiers = [
            (Hit.Basis.ID, f"{a}.id_hash = {b}.id_hash"),
            (
                Hit.Basis.NAME_BIRTH,
                f"{a}.name_birth = {b}.name_birth AND ({a}.id_hash IS NULL OR {b}.id_hash IS NULL)",
            ),
        ]
    elif key == Rule.Key.ENTERPRISE:
        tiers = [
            (Hit.Basis.CREDIT_CODE, f"{a}.credit_code = {b}.credit_code"),
            (
                Hit.Basis.ENTERPRISE,
                f"{a}.enterprise = {b}.enterprise"
                f" AND ({a}.credit_code IS NULL OR {b}.credit_code IS NULL)",
            ),
        ]
    else:
        return [(Hit.Basis.NAME, f"{a}.name = {b}.name")]
    return tiers if second else tiers[:1]


def needs_second_tier(key: str, source_ids: list[int]) -> bool:
    """Whether any of the lists has rows that only the second tier of the key can match."""
    lacking = {Rule.Key.PERSON: "rows_without_id", Rule.Key.ENTERPRISE: "rows_without_code"}
    if key not in lacking:
        return False
    return Source.objects.filter(pk__in=source_ids, **{f"{lacking[key]}__gt": 0}).exists()


def any_tier(key: str, a: str, b: str) -> str:
    return "(" + " OR ".join(f"({condition})" for _basis, condition in key_tiers(key, a, b)) + ")"


def _in(alias: str, ids: list[int]) -> tuple[str, list]:
    return f"{alias}.source_id IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _roles(alias: str, roles: list[str]) -> tuple[str, list]:
    return f"{alias}.role IN ({', '.join(['%s'] * len(roles))})", list(roles)


def ready_sources(round_: Round, kind: str) -> list[int]:
    return list(
        Source.objects.filter(round=round_, kind=kind, status=Source.Status.DONE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _filters(rule: Rule, has_via: bool) -> tuple[list[str], list]:
    params = rule.params or {}
    where, args = [], []
    if params.get("date_from"):
        where.append("l.date >= %s")
        args.append(datetime.date.fromisoformat(params["date_from"]))
    if params.get("date_to"):
        where.append("l.date <= %s")
        args.append(datetime.date.fromisoformat(params["date_to"]))
    if params.get("min_amount") not in (None, ""):
        where.append("l.amount >= %s")
        args.append(Decimal(str(params["min_amount"])))
    for alias, name in (("l", "left_roles"), ("r", "right_roles"), ("v", "via_roles")):
        if params.get(name) and (alias != "v" or has_via):
            sql, values = _roles(alias, params[name])
            where.append(sql)
            args += values
    if params.get("left_after_right"):
        where.append("l.date > r.date")
    if params.get("different_unit"):
        where.append("l.unit <> r.unit")
    if rule.left_kind == rule.right_kind:
        where.append("l.id < r.id")  # each pair once, never a row with itself
    return where, args


def match_statements(rule: Rule, round_: Round, now: datetime.datetime) -> list[tuple[str, list]]:
    """The INSERT … SELECT statements of a rule over a round's lists (empty
    when a kind has no list ready)."""
    left = ready_sources(round_, rule.left_kind)
    right = ready_sources(round_, rule.right_kind)
    via = ready_sources(round_, rule.via_kind) if rule.via_kind else []
    if not left or not right or (rule.via_kind and not via):
        return []
    head = (
        f"INSERT INTO {HIT} (round_id, rule_id, left_row_id, via_row_id, right_row_id, basis,"
        " via_basis, status, review_note, created_at) "
    )
    conflict = " ON CONFLICT (rule_id, left_row_id, right_row_id) DO NOTHING"
    filters, filter_args = _filters(rule, bool(via))
    left_in, left_args = _in("l", left)
    right_in, right_args = _in("r", right)
    statements = []
    if via:
        via_in, via_args = _in("v", via)
        first_tiers = key_tiers(rule.key, "l", "v", needs_second_tier(rule.key, left + via))
        via_tiers = key_tiers(rule.via_key, "v", "r", needs_second_tier(rule.via_key, via + right))
        for (basis, first), (via_basis, second) in itertools.product(first_tiers, via_tiers):
            sql = (
                f"{head}SELECT %s, %s, l.id, v.id, r.id, %s, %s, 'open', '', %s"  # noqa: S608
                f" FROM {ROW} l JOIN {ROW} v ON {first} AND {via_in}"
                f" JOIN {ROW} r ON {second} AND {right_in}"
                f" WHERE {' AND '.join([left_in, *filters])}{conflict}"
            )
            args = [round_.pk, rule.pk, basis, via_basis, now, *via_args, *right_args]
            statements.append((sql, args + left_args + filter_args))
        return statements
    for basis, condition in key_tiers(
        rule.key, "l", "r", needs_second_tier(rule.key, left + right)
    ):
        if rule.mode == Rule.Mode.UNDECLARED:
            declared_in, declared_args = _in("d", right)
            sql = (
                f"{head}SELECT %s, %s, l.id, NULL, MIN(r.id), %s, '', 'open', '', %s"  # noqa: S608
                f" FROM {ROW} l JOIN {ROW} r ON {condition} AND {right_in}"
                f" WHERE {' AND '.join([left_in, *filters])}"
                " AND (l.credit_code IS NOT NULL OR l.enterprise IS NOT NULL)"
                f" AND NOT EXISTS (SELECT 1 FROM {ROW} d WHERE {declared_in}"
                f" AND {any_tier(rule.key, 'd', 'l')}"
                f" AND {any_tier(Rule.Key.ENTERPRISE, 'd', 'l')})"
                f" AND NOT EXISTS (SELECT 1 FROM {HIT} h WHERE h.rule_id = %s AND h.left_row_id = l.id)"
                f" GROUP BY l.id{conflict}"
            )
            args = [round_.pk, rule.pk, basis, now, *right_args, *left_args, *filter_args]
            statements.append((sql, args + declared_args + [rule.pk]))
        else:
            sql = (
                f"{head}SELECT %s, %s, l.id, NULL, r.id, %s, '', 'open', '', %s"  # noqa: S608
                f" FROM {ROW} l JOIN {ROW} r ON {condition} AND {right_in}"
                f" WHERE {' AND '.join([left_in, *filters])}{conflict}"
            )
            args = [round_.pk, rule.pk, basis, now, *right_args, *left_args, *filter_args]
            statements.append((sql, args))
    return statements


def rules_for(round_: Round):
    """The rules a round may run: the shipped ones and its office's own."""
    return Rule.objects.filter(is_active=True).filter(office__isnull=True) | Rule.objects.filter(
        is_active=True, office=round_.office
    )

"""Bulk writes by COPY (xuncha.core.bulk): imported problems and their audit
entries read back exactly as bulk_create would have written them, on
PostgreSQL by COPY and on SQLite by bulk_create."""

import datetime
import decimal
import uuid

import pytest

from rounds.models import Problem
from tests.factories import AWKWARD
from tests.reports_data import build_city
from xuncha.audit.models import AuditEntry, WithheldContent
from xuncha.audit.services import log_actions, verify_chain
from xuncha.core.bulk import copy_create, csv_field

pytestmark = pytest.mark.django_db

# What the database and the fields set themselves.
OWN_FIELDS = {"id", "created_at", "updated_at"}


def unsaved_problems(city, descriptions) -> list[Problem]:
    category = city.problems[0].category
    return [
        Problem(
            target=city.target,
            round=city.round,
            team=city.team,
            category=category,
            description=text,
            source=Problem.Source.DOCUMENTS,
            severity=Problem.Severity.MINOR,
            immediate_fix=n % 2 == 0,
            found_by=city.office_user,
            found_on=datetime.date(2025, 4, n + 1),
        )
        for n, text in enumerate(descriptions)
    ]


def stored(problems) -> list[dict]:
    rows = Problem.objects.filter(pk__in=[p.pk for p in problems]).order_by("pk").values()
    return [{k: v for k, v in row.items() if k not in OWN_FIELDS} for row in rows]


def test_copy_create_writes_what_bulk_create_writes(office_user):
    city = build_city(office_user)
    before = datetime.datetime.now(datetime.UTC)
    copied = copy_create(Problem, unsaved_problems(city, AWKWARD))
    created = Problem.objects.bulk_create(unsaved_problems(city, AWKWARD))

    assert stored(copied) == stored(created)
    assert [row["description"] for row in stored(copied)] == AWKWARD
    assert all(not p._state.adding and p.pk for p in copied)
    again = Problem.objects.filter(pk__in=[p.pk for p in copied])
    assert all(p.created_at >= before and p.updated_at >= before for p in again)
    assert [p.created_at for p in copied] == [p.created_at for p in again.order_by("pk")]
    # The ids came from the table's sequence: what is created next follows on.
    assert Problem.objects.bulk_create(unsaved_problems(city, ["下一条"]))[0].pk > max(
        p.pk for p in copied + created
    )


def test_copy_create_takes_only_new_objects(office_user):
    city = build_city(office_user)
    with pytest.raises(ValueError):
        copy_create(Problem, [city.problems[0]])
    assert copy_create(Problem, []) == []


@pytest.mark.parametrize(
    "value, field",
    [
        (None, ""),
        ("", '""'),
        ('a "b", c', '"a ""b"", c"'),
        (True, "t"),
        (False, "f"),
        (7, "7"),
        (decimal.Decimal("1.50"), "1.50"),
        (datetime.date(2026, 12, 1), "2026-12-01"),
        (
            datetime.datetime(2026, 12, 1, 8, 30, 0, 5, tzinfo=datetime.UTC),
            "2026-12-01T08:30:00.000005+00:00",
        ),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
    ],
)
def test_csv_fields(value, field):
    assert csv_field(value) == field


def test_a_value_copy_cannot_write_is_refused_not_mangled():
    with pytest.raises(TypeError):
        csv_field(b"\x00bytes")


def test_bulk_case_entries_name_the_kind_and_withhold_the_content(office_user):
    """Case objects in a bulk write are named by kind and number (translated
    once per write) and their content kept out of the chain, as log_action does."""
    city = build_city(office_user)
    problems = copy_create(Problem, unsaved_problems(city, ["甲单位违规发放津补贴", "乙"]))

    written = log_actions(
        office_user,
        "problem.import",
        [(p, {"description": p.description, "found_on": p.found_on}) for p in problems],
    )

    assert written == 2
    entries = list(AuditEntry.objects.filter(action="problem.import").order_by("id"))
    assert [e.object_repr for e in entries] == [f"发现问题 #{p.pk}" for p in problems]
    assert [e.object_id for e in entries] == [str(p.pk) for p in problems]
    assert entries[0].data == {"found_on": "2025-04-01", "withheld": ["description"]}
    kept = WithheldContent.objects.get(entry_id=entries[0].pk)
    assert kept.values == {"description": "甲单位违规发放津补贴", "found_on": "2025-04-01"}
    assert verify_chain()[1] is None

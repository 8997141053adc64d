"""Bulk audit entries (imports): on PostgreSQL they go in by COPY. What is
read back is what was hashed, whatever the text holds, and the chain verifies."""

import pytest
from django.db import connection

from tests.factories import AWKWARD, make_user
from xuncha.accounts.roles import Role
from xuncha.audit.context import current_ip
from xuncha.audit.models import AuditEntry
from xuncha.audit.services import _COPY_COLUMNS, log_action, log_actions, verify_chain

pytestmark = pytest.mark.django_db


def test_copy_writes_every_column_of_the_entry():
    assert tuple(f.column for f in AuditEntry._meta.concrete_fields) == _COPY_COLUMNS


def test_bulk_entries_read_back_as_hashed_and_the_chain_verifies():
    office = make_user(Role.OFFICE)
    log_action(office, "before.bulk", None, {})
    token = current_ip.set("10.1.2.3")
    try:
        written = log_actions(
            office,
            "problem.import",
            [(text, {"imported": 7, "note": text, "n": [1, None, "二"]}) for text in AWKWARD],
        )
    finally:
        current_ip.reset(token)
    log_actions(None, "system.bulk", [(AWKWARD[0], None)])  # no actor, no IP
    log_action(office, "after.bulk", None, {})

    assert written == len(AWKWARD)
    stored = list(AuditEntry.objects.filter(action="problem.import").order_by("id"))
    first = AuditEntry.objects.get(action="before.bulk").pk
    assert [entry.pk for entry in stored] == list(range(first + 1, first + 1 + len(AWKWARD)))
    for entry, text in zip(stored, AWKWARD, strict=True):
        assert entry.object_repr == text[:200]
        # A problem's import is case data: its free text is withheld from the chain.
        assert entry.data == {"imported": 7, "withheld": ["n", "note"]}
        assert entry.actor_id == office.pk and entry.actor_username == office.username
        assert entry.ip_address == "10.1.2.3"
        assert entry.entry_hash == entry.compute_hash()
    assert len({entry.created_at for entry in stored}) == 1
    system = AuditEntry.objects.get(action="system.bulk")
    assert system.actor_id is None and system.actor_username == "" and system.ip_address is None
    checked, broken = verify_chain()
    assert broken is None and checked == AuditEntry.objects.count()
    if connection.vendor == "postgresql":
        # The ids were given, as bulk_create gives them: the next single entry follows on.
        assert AuditEntry.objects.get(action="after.bulk").pk == system.pk + 1

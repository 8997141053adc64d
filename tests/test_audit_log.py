"""The audit log is append-only and hash-chained, and tampering is detected.

Tampering is done the way an attacker with database access would: raw SQL.
On PostgreSQL a trigger refuses UPDATE and DELETE, so the tests first switch
it off as a superuser would (``session_replication_role = replica``).
"""

import hashlib
import hmac
import logging
from contextlib import contextmanager
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tests.factories import OrganizationFactory, make_user
from xuncha.accounts.roles import Role
from xuncha.audit.models import GENESIS_HASH, KEYED_HMAC, PLAIN_SHA256, AuditEntry
from xuncha.audit.services import log_action, verify_chain
from xuncha.audit.tasks import anchor_chain as anchor_chain_task
from xuncha.audit.tasks import verify_chain as verify_chain_task
from xuncha.orgs.models import Organization

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


@contextmanager
def tampering():
    """A cursor that can rewrite the audit table, as a database superuser could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def chain(office_user):
    """Four entries by a real user about a real object."""
    organization = OrganizationFactory()
    return [
        log_action(office_user, f"test.step{i}", organization, {"step": i, "note": "巡察"})
        for i in range(1, 5)
    ]


def verify_error() -> str:
    with pytest.raises(CommandError) as error:
        call_command("audit_verify", stdout=StringIO())
    return str(error.value)


# --- writing ---------------------------------------------------------------------


def test_first_entry_chains_to_genesis_and_each_next_to_the_one_before(chain):
    assert chain[0].id == 1
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in pairwise(chain):
        assert after.id == before.id + 1
        assert after.prev_hash == before.entry_hash
    stored = list(AuditEntry.objects.order_by("id"))
    assert [e.entry_hash for e in stored] == [e.entry_hash for e in chain]
    assert all(e.compute_hash() == e.entry_hash for e in stored)


def test_entry_records_actor_object_and_data(chain, office_user):
    entry = AuditEntry.objects.get(pk=chain[1].pk)
    assert entry.actor == office_user
    assert entry.actor_username == office_user.username
    assert entry.object_type == "orgs.organization"
    assert entry.data == {"step": 2, "note": "巡察"}
    assert entry.ip_address is None  # not in a request


def test_anonymous_or_system_actor_is_recorded_as_blank():
    entry = log_action(None, "system.job", None, {"when": "nightly"})
    assert entry.actor is None
    assert entry.actor_username == ""
    assert entry.object_type == ""


def test_saving_an_existing_entry_is_refused(chain):
    entry = AuditEntry.objects.get(pk=chain[0].pk)
    entry.action = "edited"
    with pytest.raises(PermissionError, match="只能追加"):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.step1"


def test_deleting_an_entry_is_refused(chain):
    with pytest.raises(PermissionError, match="只能追加"):
        AuditEntry.objects.get(pk=chain[0].pk).delete()
    assert AuditEntry.objects.count() == 4


def test_queryset_update_and_delete_are_refused(chain):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=chain[0].pk).update(action="edited")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    entry = AuditEntry.objects.get(pk=chain[0].pk)
    entry.action = "edited"
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.filter(action="edited").count() == 0


@on_postgresql
def test_postgresql_trigger_refuses_raw_update_and_delete(chain):
    for statement in (
        "UPDATE audit_auditentry SET action = 'edited' WHERE id = 2",
        "DELETE FROM audit_auditentry WHERE id = 2",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditEntry.objects.count() == 4
    call_command("audit_verify", stdout=StringIO())


# --- verifying ------------------------------------------------------------------


def test_audit_verify_passes_on_an_intact_chain(chain):
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计日志完好：共 4 条" in out.getvalue()


def test_audit_verify_passes_on_an_empty_log():
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "共 0 条" in out.getvalue()


def test_audit_verify_names_an_edited_entry(chain):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'harmless' WHERE id = 2")
    message = verify_error()
    assert "#2" in message
    assert "被修改" in message


def test_audit_verify_names_an_edited_entry_data(chain):
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET data = %s WHERE id = 3", ['{"step": 3, "note": "改"}']
        )
    assert "#3" in verify_error()


def test_audit_verify_catches_an_edit_whose_own_hash_was_recomputed(chain):
    entry = AuditEntry.objects.get(pk=2)
    entry.action = "harmless"
    forged = entry.compute_hash()
    with tampering() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = 'harmless', entry_hash = %s WHERE id = 2",
            [forged],
        )
    message = verify_error()
    assert "#3" in message  # the next entry no longer chains to it
    assert "前一条校验码不符" in message


def test_audit_verify_names_the_entry_after_a_deleted_one(chain):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 2")
    message = verify_error()
    assert "#3" in message
    assert "应为 #2" in message


def test_audit_verify_names_the_first_of_two_swapped_entries(chain):
    # Swapping the ids swaps the rows' places in the chain: row 2 now holds
    # what was written third and the other way round.
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET id = -2 WHERE id = 2")
        cursor.execute("UPDATE audit_auditentry SET id = 2 WHERE id = 3")
        cursor.execute("UPDATE audit_auditentry SET id = 3 WHERE id = -2")
    assert AuditEntry.objects.get(pk=2).action == "test.step3"
    message = verify_error()
    assert "#2" in message
    assert "调换" in message


def test_nightly_task_reports_the_break(chain, caplog):
    assert verify_chain_task() == {"checked": 4, "broken_at": None}
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_repr = 'x' WHERE id = 4")
    with caplog.at_level(logging.ERROR, logger="xuncha.audit.tasks"):
        result = verify_chain_task()
    assert result["broken_at"] == 4
    assert result["checked"] == 3
    assert "#4" in caplog.text


def test_verify_chain_reads_in_batches(chain):
    assert verify_chain(batch_size=1) == (4, None)


# --- where the request came from -----------------------------------------------


def test_audit_entry_records_the_request_ip_of_an_admin_save(client):
    office = make_user(Role.OFFICE)
    client.force_login(office)
    response = client.post(
        reverse("admin:orgs_organization_add"),
        {
            "code": "IP-001",
            "name": "中共测试局委员会",
            "short_name": "测试局",
            "kind": Organization.Kind.COMMITTEE,
            "sector": Organization.Sector.GOVERNMENT,
            "level": Organization.Level.CITY,
            "leader_name": "张三",
            "leader_title": "书记",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    organization = Organization.objects.get(code="IP-001")
    entry = AuditEntry.objects.get(action="organization.create", object_id=str(organization.pk))
    assert entry.ip_address == "127.0.0.1"
    assert entry.actor == office
    assert entry.data == {"code": "IP-001", "name": "中共测试局委员会"}
    call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db
def test_audit_verify_catches_the_newest_entries_cut_off_after_an_anchor(settings, tmp_path):
    """A shorter chain is still a valid chain: only the anchor written outside
    the database shows that its tail was removed."""
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")
    for n in range(3):
        log_action(None, "test.entry", None, {"n": n})
    call_command("audit_verify")  # passes and anchors the head, entry #3
    assert (tmp_path / "anchors.log").read_text().startswith("3 ")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 3")
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")
    with pytest.raises(CommandError, match=r"#3.*日志末尾被删除"):
        call_command("audit_verify")


@pytest.mark.django_db
def test_bulk_append_chains_like_single_appends():
    """log_actions (imports) writes the same chain log_action would."""
    from xuncha.audit.services import log_actions

    log_action(None, "test.first", None, {})
    organizations = [Organization(name=f"单位{n}") for n in range(3)]
    log_actions(None, "test.bulk", [(org, {"n": n}) for n, org in enumerate(organizations)])
    log_action(None, "test.last", None, {})
    checked, broken = verify_chain()
    assert (checked, broken) == (5, None)
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "test.first",
        "test.bulk",
        "test.bulk",
        "test.bulk",
        "test.last",
    ]


# --- the keyed chain ----------------------------------------------------------------


def _rehash_from(entry_id: int, *, mac, version: int | None = None, **changes) -> None:
    """What an attacker with only the database does: change one entry, then
    recompute every later entry's prev/MAC so the chain links up again."""
    entries = list(AuditEntry.objects.filter(id__gte=entry_id).order_by("id"))
    prev = AuditEntry.objects.get(id=entry_id - 1).entry_hash if entry_id > 1 else GENESIS_HASH
    with tampering() as cursor:
        for entry in entries:
            if entry.id == entry_id:
                for field, value in changes.items():
                    setattr(entry, field, value)
            if version is not None:
                entry.chain_version = version
            entry.prev_hash = prev
            entry.entry_hash = mac(entry)
            cursor.execute(
                "UPDATE audit_auditentry SET action = %s, prev_hash = %s, entry_hash = %s,"
                " chain_version = %s WHERE id = %s",
                [entry.action, entry.prev_hash, entry.entry_hash, entry.chain_version, entry.id],
            )
            prev = entry.entry_hash


def _plain_sha256(entry: AuditEntry) -> str:
    return hashlib.sha256(entry.canonical().encode("utf-8")).hexdigest()


def test_new_entries_are_keyed_with_a_key_not_in_the_database(chain, settings):
    entry = AuditEntry.objects.get(pk=2)
    assert entry.chain_version == KEYED_HMAC
    expected = hmac.new(
        settings.AUDIT_HMAC_KEY.encode(),
        f"{entry.prev_hash}\n{entry.canonical()}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert entry.entry_hash == expected
    assert entry.entry_hash != _plain_sha256(entry)


def test_edit_with_every_later_entry_rehashed_with_plain_sha256_is_caught(chain):
    _rehash_from(2, mac=_plain_sha256, action="harmless")
    message = verify_error()
    assert "#2" in message
    assert "被修改" in message


def test_edit_with_the_tail_downgraded_to_plain_sha256_is_caught(chain):
    _rehash_from(2, mac=_plain_sha256, version=PLAIN_SHA256, action="harmless")
    message = verify_error()
    assert "#2" in message
    assert "未加密钥" in message


def test_edit_with_every_later_entry_rehashed_with_a_wrong_key_is_caught(chain):
    wrong = b"attacker-guess-of-the-key"
    _rehash_from(2, mac=lambda e: e.compute_hash(key=wrong), action="harmless")
    message = verify_error()
    assert "#2" in message
    assert "被修改" in message


def test_whole_chain_rewritten_as_plain_sha256_is_caught_by_an_anchor(chain, settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")
    call_command("audit_verify", stdout=StringIO())
    _rehash_from(1, mac=_plain_sha256, version=PLAIN_SHA256, action="harmless")
    message = verify_error()
    assert "锚点" in message


def test_entries_written_before_keying_still_verify_and_keying_follows_them(settings):
    """Rows from before the change keep their SHA-256; the keyed chain starts
    on top of the last of them."""
    first = log_action(None, "test.old", None, {})
    with tampering() as cursor:
        first.chain_version = PLAIN_SHA256
        cursor.execute(
            "UPDATE audit_auditentry SET chain_version = 1, entry_hash = %s WHERE id = 1",
            [_plain_sha256(first)],
        )
    second = log_action(None, "test.new", None, {})
    assert second.prev_hash == _plain_sha256(first)
    assert second.chain_version == KEYED_HMAC
    assert verify_chain() == (2, None)


def test_verification_with_another_key_fails(chain, settings):
    settings.AUDIT_HMAC_KEY = "a-different-key-after-the-fact-000000"
    assert "#1" in verify_error()


# --- anchors ---------------------------------------------------------------------


def test_anchor_task_appends_a_signed_line_once_per_head(chain, settings, tmp_path):
    path = tmp_path / "sink" / "anchors.log"
    settings.AUDIT_ANCHOR_FILE = str(path)
    assert anchor_chain_task() == {"anchored": 4}
    assert anchor_chain_task() == {"anchored": None}  # idempotent: head unmoved
    lines = path.read_text().splitlines()
    assert len(lines) == 1
    head_id, mac, count, _at, signature = lines[0].split()
    assert (head_id, mac, count) == ("4", chain[3].entry_hash, "4")
    assert len(signature) == 64
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    log_action(None, "test.more", None, {})
    assert anchor_chain_task() == {"anchored": 5}
    assert len(path.read_text().splitlines()) == 2


def test_anchor_is_scheduled_every_few_minutes(settings):
    job = settings.CELERY_BEAT_SCHEDULE["audit-anchor"]
    assert job["task"] == "xuncha.audit.tasks.anchor_chain"
    assert job["schedule"] <= 15 * 60


def test_forged_anchor_line_is_caught(chain, settings, tmp_path):
    path = tmp_path / "anchors.log"
    settings.AUDIT_ANCHOR_FILE = str(path)
    anchor_chain_task()
    head_id, mac, _count, at, signature = path.read_text().split()
    path.write_text(f"{head_id} {mac} 3 {at} {signature}\n")
    assert "锚点签名不符" in verify_error()


def test_anchor_catches_a_tail_cut_off_and_rehashed(chain, settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.log")
    anchor_chain_task()
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 4")
    assert "日志末尾被删除" in verify_error()

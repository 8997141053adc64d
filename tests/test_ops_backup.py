"""Backup and restore: one encrypted file holds the database, the uploaded
files and the audit anchors; a restore into an empty database gives the same
row in every table and an audit chain that verifies; a wrong passphrase, an
altered or cut-off file, or a database that is not empty change nothing."""

import io
import os
import sqlite3
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection

from tests.reports_data import build_city
from tests.test_ops_jobs import seed_reference_data
from tests.workers import ROOT, worker_database_url
from xuncha.audit.services import log_action
from xuncha.ops import crypto
from xuncha.ops.crypto import BackupDecryptError, decrypt_stream, encrypt_stream
from xuncha.reports.models import ReportJob

PASSPHRASE = "correct horse battery staple"


def seal(data: bytes, passphrase: str = PASSPHRASE) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, passphrase)
    return out.getvalue()


def unseal(data: bytes, passphrase: str = PASSPHRASE) -> bytes:
    return b"".join(decrypt_stream(io.BytesIO(data), passphrase))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(crypto, "CHUNK", 1000)


def test_encryption_round_trips_over_many_chunks(small_chunks):
    data = os.urandom(4500)
    sealed = seal(data)
    assert data not in sealed
    assert unseal(sealed) == data


def test_a_wrong_passphrase_is_refused(small_chunks):
    with pytest.raises(BackupDecryptError, match="口令错误"):
        unseal(seal(b"x" * 3000), "a different passphrase")


def test_a_flipped_byte_is_refused(small_chunks):
    sealed = bytearray(seal(b"x" * 3000))
    sealed[len(sealed) // 2] ^= 1
    with pytest.raises(BackupDecryptError):
        unseal(bytes(sealed))


def test_a_cut_off_file_is_refused(small_chunks):
    sealed = seal(b"x" * 3000)
    last_chunk = 4 + 1000 + 16  # length header + one full chunk + tag
    with pytest.raises(BackupDecryptError, match=r"截断|改动"):
        unseal(sealed[:-last_chunk])


def test_a_short_passphrase_is_refused():
    with pytest.raises(ValueError, match="至少 12 个字符"):
        seal(b"x", "short")


# --- the commands, end to end, in their own processes ----------------------------------


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def count_rows(url: str) -> dict[str, int]:
    """Every table's row count, read straight from the database at ``url``."""
    tables = sorted(
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    )
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    import psycopg2

    with psycopg2.connect(url) as db, db.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.fixture
def empty_database(tmp_path):
    """A database URL with nothing in it, of the kind the tests run on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2

    name = f"xuncha_restore_{uuid.uuid4().hex[:8]}"
    source = urlsplit(os.environ["DATABASE_URL"])
    admin = source._replace(path="/postgres").geturl()

    def run(sql: str) -> None:
        db = psycopg2.connect(admin)
        db.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        try:
            db.cursor().execute(sql)
        finally:
            db.close()

    run(f'CREATE DATABASE "{name}"')
    yield source._replace(path=f"/{name}").geturl()
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_an_empty_database_matches_and_verifies(
    office_user, tmp_path, empty_database, settings
):
    seed_reference_data()
    build_city(office_user)
    for n in range(5):
        log_action(office_user, "test.backup", office_user, {"n": n})
    job = ReportJob.objects.create(owner=office_user, kind="x", params={}, params_hash="h")
    job.file.save("evidence.pdf", ContentFile(b"%PDF-1.7 evidence"), save=True)
    source_url = worker_database_url()
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE)
    out = tmp_path / "backups"
    common = {"XUNCHA_DATA_DIR": str(settings.DATA_DIR), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}

    made = manage(
        "backup",
        "--out",
        str(out),
        "--passphrase-file",
        str(passphrase_file),
        env={**common, "DATABASE_URL": source_url},
    )
    assert made.returncode == 0, made.stderr
    (backup_file,) = out.glob("*.xcb")
    assert b"evidence" not in backup_file.read_bytes()  # encrypted

    restored_media = tmp_path / "restored-media"
    restored = manage(
        "restore",
        str(backup_file),
        "--passphrase-file",
        str(passphrase_file),
        env={**common, "DATABASE_URL": empty_database, "MEDIA_ROOT": str(restored_media)},
    )

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "backup.verified: 1" in restored.stdout
    assert "审计日志完好" in restored.stdout
    assert count_rows(empty_database) == count_rows(source_url)
    assert (restored_media / job.file.name).read_bytes() == b"%PDF-1.7 evidence"

    again = manage(
        "restore",
        str(backup_file),
        "--passphrase-file",
        str(passphrase_file),
        env={**common, "DATABASE_URL": empty_database, "MEDIA_ROOT": str(tmp_path / "m2")},
    )
    assert again.returncode != 0
    assert "目标数据库不是空的" in again.stderr
    assert not (tmp_path / "m2").exists()  # nothing written

    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all")
    refused = manage(
        "restore",
        str(backup_file),
        "--passphrase-file",
        str(wrong),
        env={
            **common,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "m3"),
        },
    )
    assert refused.returncode != 0 and "口令错误" in refused.stderr
    assert not (tmp_path / "m3").exists()

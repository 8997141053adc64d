"""Backup and restore: the database, the uploaded files and the audit anchors
together, in one encrypted file with a manifest of checksums and row counts.

The archive (before encryption) is a tar of:

- ``manifest.json``: when, from which database kind, each file's SHA-256 and
  size, every table's row count and the audit chain's head;
- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or
  ``database.sqlite3`` (SQLite's online backup: consistent while the app runs);
- ``media/...``: the uploaded files (evidence, clue material, imports);
- ``audit-anchors.log``: the anchors that detect a cut-off audit chain.

A restore goes into an empty database only, checks every checksum before it
writes anything, and ends by comparing every table's count with the manifest
and walking the audit chain.
"""

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from xuncha.ops.crypto import decrypt_stream, encrypt_stream

FORMAT = 1


class RestoreRefused(Exception):
    """A restore that would overwrite data or that failed a check; nothing was written."""


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    mismatched_counts: dict[str, tuple[int, int]]


def table_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        counts[model._meta.db_table] = model._base_manager.using(connection.alias).count()
    return dict(sorted(counts.items()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    args = ["--host", settings_dict.get("HOST") or "localhost"]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _program(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise RestoreRefused(
            f"需要 PostgreSQL 客户端程序 {name}（Debian 软件包 postgresql-client）。"
        )
    return path


def _dump_database(folder: Path) -> Path:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        args, env = _pg_env(settings_dict)
        subprocess.run(  # noqa: S603 - a known program, arguments from settings
            [
                _program("pg_dump"),
                "--format=custom",
                "--no-owner",
                *args,
                "--file",
                str(target),
                settings_dict["NAME"],
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        return target
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
        return target
    raise RestoreRefused(f"不支持的数据库：{connection.vendor}")


def _anchor_path() -> Path | None:
    value = getattr(settings, "AUDIT_ANCHOR_FILE", "")
    return Path(value) if value else None


def _audit_head() -> dict:
    from xuncha.audit.models import AuditEntry

    last = AuditEntry.objects.order_by("-id").values("id").first()
    return {"last_id": last["id"] if last else 0}


def create_backup(*, out_dir: Path, passphrase: str) -> Path:
    """Write one encrypted backup file into ``out_dir`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = out_dir / f"xuncha-backup-{stamp}.xcb"
    with tempfile.TemporaryDirectory(dir=out_dir) as work:
        folder = Path(work)
        files: dict[str, Path] = {}
        database = _dump_database(folder)
        files[database.name] = database
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.exists():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                files[f"media/{path.relative_to(media_root).as_posix()}"] = path
        anchors = _anchor_path()
        if anchors and anchors.exists():
            files["audit-anchors.log"] = anchors
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "tables": table_counts(),
            "audit": _audit_head(),
            "files": {
                name: {"sha256": _sha256(p), "bytes": p.stat().st_size} for name, p in files.items()
            },
        }
        plain = folder / "archive.tar"
        with tarfile.open(plain, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            for name, path in files.items():
                archive.add(path, arcname=name, recursive=False)
        partial = target.with_suffix(".partial")
        with plain.open("rb") as source, partial.open("wb") as sealed:
            encrypt_stream(source, sealed, passphrase)
        partial.rename(target)  # a crash leaves a .partial, never a truncated backup
    target.chmod(0o600)
    return target


def _decrypt_to(path: Path, passphrase: str, folder: Path) -> dict:
    plain = folder / "archive.tar"
    with path.open("rb") as sealed, plain.open("wb") as out:
        for chunk in decrypt_stream(sealed, passphrase):
            out.write(chunk)
    unpacked = folder / "unpacked"
    with tarfile.open(plain) as archive:
        archive.extractall(unpacked, filter="data")
    plain.unlink()
    manifest = json.loads((unpacked / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise RestoreRefused("备份格式版本不符。")
    for name, expected in manifest["files"].items():
        path = unpacked / name
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            raise RestoreRefused(f"备份中的文件校验失败：{name}")
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _media_is_empty(media_root: Path) -> bool:
    return not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def _restore_database(unpacked: Path, manifest: dict) -> None:
    if manifest["database"] != connection.vendor:
        raise RestoreRefused(
            f"备份来自 {manifest['database']}，当前数据库是 {connection.vendor}：请恢复到同类数据库。"
        )
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_env(settings_dict)
        connection.close()
        subprocess.run(  # noqa: S603
            [
                _program("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                *args,
                "--dbname",
                settings_dict["NAME"],
                str(unpacked / "database.dump"),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        return
    connection.ensure_connection()
    with sqlite3.connect(unpacked / "database.sqlite3") as source:
        source.backup(connection.connection)
    source.close()


def restore_backup(*, path: Path, passphrase: str) -> RestoreResult:
    """Restore into an empty database and an empty media folder."""
    media_root = Path(settings.MEDIA_ROOT)
    if not _database_is_empty():
        raise RestoreRefused("目标数据库不是空的：恢复只写入空数据库，以免覆盖现有数据。")
    if not _media_is_empty(media_root):
        raise RestoreRefused(f"上传文件目录 {media_root} 不是空的：请换用空目录后再恢复。")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        manifest = _decrypt_to(path, passphrase, folder)  # every check before any write
        unpacked = folder / "unpacked"
        _restore_database(unpacked, manifest)
        restored_files = 0
        if (unpacked / "media").exists():
            shutil.copytree(unpacked / "media", media_root, dirs_exist_ok=True)
            restored_files = sum(1 for name in manifest["files"] if name.startswith("media/"))
        anchors = _anchor_path()
        if anchors and (unpacked / "audit-anchors.log").exists():
            anchors.parent.mkdir(parents=True, exist_ok=True)
            if anchors.exists() and anchors.stat().st_size:
                raise RestoreRefused(f"审计锚点文件 {anchors} 已存在内容，未覆盖。")
            shutil.copyfile(unpacked / "audit-anchors.log", anchors)
    counts = table_counts()
    mismatched = {
        table: (expected, counts.get(table, -1))
        for table, expected in manifest["tables"].items()
        if counts.get(table, -1) != expected
    }
    return RestoreResult(
        tables=len(counts),
        rows=sum(counts.values()),
        files=restored_files,
        mismatched_counts=mismatched,
    )

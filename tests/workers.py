"""A real Celery worker process for a test, on a queue of its own and on the
test's own database (SQLite file or PostgreSQL test database)."""

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_database_url() -> str:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


@contextlib.contextmanager
def real_worker(log_dir: Path, *, on_test_database: bool = True) -> Iterator[str]:
    """Yields the queue name; the worker's log is printed when the test fails.
    ``on_test_database=False``: a worker that needs no rows keeps the process's
    own database settings (a test without database access has no test database)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "XUNCHA_DATA_DIR": str(settings.DATA_DIR)}
    if on_test_database:
        env["DATABASE_URL"] = worker_database_url()
    log_path = log_dir / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "xuncha",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=WARNING",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield queue
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    print(log_path.read_text(errors="replace"))

"""A task goes through the real broker (Redis in CI, the filesystem transport
without servers) to a real worker process, and its result comes back."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from xuncha.core.tasks import ping

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def worker_queue(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = (tmp_path / "worker.log").open("wb")
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
        env=os.environ.copy(),
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
        log.close()


@pytest.mark.worker
def test_task_round_trip_through_broker_and_worker(worker_queue, settings):
    started = time.monotonic()
    result = ping.apply_async(args=["你好"], queue=worker_queue)
    value = result.get(timeout=60)
    assert value["pong"] == "你好"
    assert value["database"] in {"sqlite", "postgresql"}
    assert time.monotonic() - started < 60
    broker = settings.CELERY_BROKER_URL
    assert broker.startswith("redis") or broker.startswith("filesystem")

"""A task goes through the real broker (Redis in CI, the filesystem transport
without servers) to a real worker process, and its result comes back."""

import time
from pathlib import Path

import pytest

from tests.workers import real_worker
from xuncha.core.tasks import ping

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def worker_queue(tmp_path):
    with real_worker(tmp_path, on_test_database=False) as queue:
        yield queue


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

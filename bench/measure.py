"""How the bench measures: server time of a page, time of a call, peak memory.

Page times are the wall time of ``django.test.Client.get``: the whole
middleware stack, the view, its queries and the template, in this process,
without a network or a web server in front. They compare one version of the
code with another on the same machine; they are not what a browser waits.
"""

import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.registry import Measurement


class MeasureError(RuntimeError):
    """A page could not be measured (it did not answer 200)."""


@contextmanager
def measuring() -> Iterator[None]:
    # DEBUG off, as in production (no query log, no debug templates); the
    # test client's host is "testserver", which the settings may not allow.
    with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        yield


def logged_in_client(user) -> Client:
    """A client signed in as ``user`` with both factors, as the code step leaves
    a session: a password alone reaches no page (xuncha.twofactor)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _get_ok(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        location = response.headers.get("Location", "")
        raise MeasureError(
            f"GET {url} answered {response.status_code}" + (f" -> {location}" if location else "")
        )
    return response


def measure_page(client: Client, url: str, runs: int) -> tuple[float, int]:
    """Median server time in ms of ``runs`` GETs after one warm-up, and the
    number of queries of one more GET. Raises MeasureError unless each answers 200."""
    with measuring():
        _get_ok(client, url)  # warm-up: template loading, first connection, caches
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            _get_ok(client, url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            _get_ok(client, url)
    return statistics.median(timings), len(queries.captured_queries)


def page_figures(prefix: str, median_ms: float, queries: int) -> list[Measurement]:
    return [(f"{prefix}.median_ms", median_ms, "ms"), (f"{prefix}.queries", queries, "queries")]


def measure_callable(fn: Callable[[], Any], runs: int, *, warmup: bool = True) -> float:
    """Median wall time in ms of ``runs`` calls of ``fn`` (after one warm-up call)."""
    with measuring():
        if warmup:
            fn()
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def peak_memory_mb(fn: Callable[[], Any]) -> float:
    """Peak of the memory Python allocated while ``fn`` ran, in MB.

    tracemalloc sees allocations made through Python's allocator: objects,
    strings, lists, the rows Django builds. It does not see memory that C
    libraries take for themselves (psycopg2's result buffers, openpyxl's or
    WeasyPrint's native parts), nor the process's resident size; it also
    slows the call down, so never time a call while tracing it.
    """
    already_tracing = tracemalloc.is_tracing()
    if not already_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        with measuring():
            fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not already_tracing:
            tracemalloc.stop()
    return max(peak - baseline, 0) / (1024 * 1024)

from importlib import import_module
from pathlib import Path

import pytest
from pytest_django.plugin import blocking_manager_key

from tests.factories import make_user
from xuncha.accounts.roles import Role
from xuncha.accounts.services import ensure_role_groups

# The bench's own tests build sizeable data sets and take minutes: they run in
# `make test-bench`, not in `make test`. Marked here by path because their
# content belongs to the bench code; a new bench test file goes in this list.
BENCH_TEST_FILES = {"test_bench.py", "test_bench_domains.py"}
# The dashboard's bench figure compares two timings: on a busy machine running
# the suite in two processes that comparison is noise, so it runs with the bench.
BENCH_TESTS = {"test_dashboard.py::test_bench_data_set_builds_once_and_the_figures_measure"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = Path(str(item.fspath)).name
        if name in BENCH_TEST_FILES or f"{name}::{item.name}" in BENCH_TESTS:
            item.add_marker(pytest.mark.bench)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = bool(
        marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    )
    return transactional or "transactional_db" in getattr(item, "fixturenames", ())


def _seed_what_every_database_has() -> None:
    """What the migrations' data steps and django_db_setup put in every test
    database: the round kinds and problem categories, 大数据比对's shipped
    rules, the role groups."""
    from django.apps import apps

    import_module("rounds.migrations.0002_seed_kinds_and_categories").seed(apps, None)
    import_module("crosscheck.migrations.0001_initial").load_shipped_rules(apps, None)
    ensure_role_groups()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # A transactional test ends by emptying every table. Run alone (make test
    # runs in two processes, each file in one of them) the next test in the
    # same process would find no problem categories and no role groups: put
    # them back once the emptying is done, whatever order the tests run in.
    # After the last test the test database itself is gone: nothing to restore.
    result = yield
    if nextitem is not None and _is_transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            _seed_what_every_database_has()
    return result


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The role groups and their permissions exist in every installation
    # (seed_demo and deployment create them); create them once per test database.
    with django_db_blocker.unblock():
        ensure_role_groups()


@pytest.fixture
def office_user(db):
    return make_user(Role.OFFICE)


@pytest.fixture(scope="session", autouse=True)
def _force_login_includes_the_second_factor():
    """``client.force_login(user)`` stands for a finished sign-in, which now has
    two factors: it also gives the user a confirmed authenticator (if none) and
    marks the session verified with it, exactly as the code step does. A real
    password sign-in (``client.post(login)`` or ``client.login``) is not
    patched, so the tests in test_twofactor.py see the production path."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="测试设备", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", force_login)
        patch.setattr(Client, "force_login_password_only", original, raising=False)
        yield


@pytest.fixture(autouse=True)
def _cache_starts_empty():
    """The per-process cache (locmem in tests) holds counts and figures keyed by
    primary keys, which the next test's rows may reuse: each test starts empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _language_starts_as_configured():
    """A request with the English cookie leaves English active in the test's
    thread (LocaleMiddleware activates it and nothing deactivates it): the
    next test's service messages would read in English. Each test starts in
    the configured language and leaves none behind."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()

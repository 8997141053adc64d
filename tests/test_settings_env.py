"""Settings come from the environment and refuse what they cannot understand.

The production checks run in a fresh interpreter: settings are read once per
process, so only a subprocess shows what a server would do at start-up.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from xuncha.env import env_bool, env_choice, env_int, env_list, env_str

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# --- the typed helpers ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("1", True),
        (" Yes ", True),
        ("ON", True),
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("XUNCHA_TEST_FLAG", raw)
    assert env_bool("XUNCHA_TEST_FLAG", default=not expected) is expected


def test_env_bool_uses_default_when_unset_or_blank(monkeypatch):
    monkeypatch.delenv("XUNCHA_TEST_FLAG", raising=False)
    assert env_bool("XUNCHA_TEST_FLAG", default=True) is True
    monkeypatch.setenv("XUNCHA_TEST_FLAG", "  ")
    assert env_bool("XUNCHA_TEST_FLAG", default=False) is False


def test_env_bool_refuses_maybe_naming_the_variable(monkeypatch):
    monkeypatch.setenv("XUNCHA_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="XUNCHA_TEST_FLAG") as error:
        env_bool("XUNCHA_TEST_FLAG", default=False)
    assert "不是布尔值" in str(error.value)


def test_env_int_reads_an_integer(monkeypatch):
    monkeypatch.setenv("XUNCHA_TEST_NUMBER", " 42 ")
    assert env_int("XUNCHA_TEST_NUMBER", 1, minimum=1) == 42
    monkeypatch.delenv("XUNCHA_TEST_NUMBER")
    assert env_int("XUNCHA_TEST_NUMBER", 7) == 7


def test_env_int_refuses_text_naming_the_variable(monkeypatch):
    monkeypatch.setenv("XUNCHA_TEST_NUMBER", "abc")
    with pytest.raises(ImproperlyConfigured, match="XUNCHA_TEST_NUMBER") as error:
        env_int("XUNCHA_TEST_NUMBER", 1)
    assert "不是整数" in str(error.value)


def test_env_int_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("XUNCHA_TEST_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="XUNCHA_TEST_NUMBER") as error:
        env_int("XUNCHA_TEST_NUMBER", 30, minimum=1)
    assert "不能小于 1" in str(error.value)


def test_env_choice_refuses_an_unknown_value(monkeypatch):
    monkeypatch.setenv("XUNCHA_TEST_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="XUNCHA_TEST_MODE") as error:
        env_choice("XUNCHA_TEST_MODE", "development", ("development", "production"))
    assert "无效" in str(error.value)
    assert "production" in str(error.value)


def test_env_choice_defaults_when_unset(monkeypatch):
    monkeypatch.delenv("XUNCHA_TEST_MODE", raising=False)
    assert env_choice("XUNCHA_TEST_MODE", "development", ("development", "test")) == "development"


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("XUNCHA_TEST_HOSTS", " a.example , ,b.example,")
    assert env_list("XUNCHA_TEST_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.delenv("XUNCHA_TEST_HOSTS")
    assert env_list("XUNCHA_TEST_HOSTS", ["x"]) == ["x"]
    assert env_str("XUNCHA_TEST_HOSTS", "fallback") == "fallback"


# --- what the test run itself is configured with ------------------------------


def test_idle_sessions_expire_after_thirty_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Written once a minute at most (accounts.sessions.IdleTouchMiddleware), not per request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


# --- production start-up ---------------------------------------------------------

# The subprocess gets a clean environment: only what a server's would carry,
# never a variable some other test or conftest put into this process.
_PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
PRODUCTION_KEY = "Xq7-vN2kL9mR4tY8wZ3pB6sD1fG5hJ0cV-uE9iO3aS7dF2gH6jK1lZ4xC8bN"


def production_env(tmp_path, **overrides) -> dict[str, str]:
    """A complete production environment; pass NAME=None to leave a variable out."""
    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="xuncha.settings",
        PYTHONIOENCODING="utf-8",
        XUNCHA_DATA_DIR=str(tmp_path),
        XUNCHA_ENV="production",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="xuncha.example.gov.cn",
        DATABASE_URL="postgres://postgres@127.0.0.1/postgres",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        AUDIT_HMAC_KEY="audit-chain-key-kept-apart-from-the-database-0123",
        CROSSCHECK_ID_KEY="id-number-hmac-key-for-the-crosscheck-lists-0123",
        # Off the data directory, as production must put it (another volume).
        AUDIT_ANCHOR_FILE=str(tmp_path.parent / f"{tmp_path.name}-anchors" / "anchors.log"),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_the_production_key_fixture_is_long_enough():
    assert len(PRODUCTION_KEY) == 60


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"SECRET_KEY": None}, "生产环境必须设置 SECRET_KEY", id="dev-secret-key"),
        pytest.param({"SECRET_KEY": "too-short-" * 3}, "不少于 50 个字符", id="short-secret-key"),
        pytest.param({"DEBUG": "true"}, "生产环境不能开启 DEBUG", id="debug-on"),
        pytest.param({"ALLOWED_HOSTS": None}, "生产环境必须设置 ALLOWED_HOSTS", id="no-hosts"),
        pytest.param({"DATABASE_URL": None}, "生产环境必须设置 DATABASE_URL", id="no-database"),
        pytest.param(
            {"CELERY_BROKER_URL": None}, "生产环境必须设置 CELERY_BROKER_URL", id="no-broker"
        ),
        pytest.param(
            {"CELERY_BROKER_URL": "filesystem://"},
            "生产环境必须设置 CELERY_BROKER_URL",
            id="filesystem-broker",
        ),
        pytest.param({"AUDIT_HMAC_KEY": None}, "AUDIT_HMAC_KEY", id="no-audit-key"),
        pytest.param({"AUDIT_HMAC_KEY": "short"}, "AUDIT_HMAC_KEY", id="short-audit-key"),
        pytest.param({"AUDIT_ANCHOR_FILE": None}, "AUDIT_ANCHOR_FILE", id="no-anchor-file"),
        pytest.param({"CROSSCHECK_ID_KEY": None}, "CROSSCHECK_ID_KEY", id="no-id-key"),
        pytest.param({"CROSSCHECK_ID_KEY": "short"}, "CROSSCHECK_ID_KEY", id="short-id-key"),
        pytest.param(
            {"AUDIT_ANCHOR_FILE": "{data}/audit-anchors.log"},
            "AUDIT_ANCHOR_FILE",
            id="anchor-file-in-data-dir",
        ),
        pytest.param({"DEBUG": "maybe"}, "DEBUG='maybe'", id="debug-maybe"),
        pytest.param({"XUNCHA_ENV": "prod"}, "XUNCHA_ENV='prod'", id="unknown-env"),
    ],
)
def test_production_refuses_to_start_when_misconfigured(tmp_path, overrides, message):
    overrides = {k: v.format(data=tmp_path) if v else v for k, v in overrides.items()}
    result = run_python(
        production_env(tmp_path, **overrides), "-c", "import django; django.setup()"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_complete_production_environment_passes_the_deploy_check(tmp_path):
    result = run_python(
        production_env(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


# --- SQLite however it is named ---------------------------------------------------

CONCURRENT_WRITES = """
import json, threading
import django
django.setup()
from django.conf import settings
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS t (n integer)")
errors = []

def writer():
    try:
        for i in range(40):
            # Read, then write in one transaction: without BEGIN IMMEDIATE the
            # upgrade to a write lock fails at once when the other thread wrote.
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM t")
                    cursor.fetchone()
                    cursor.execute("INSERT INTO t VALUES (%s)", [i])
    except Exception as error:
        errors.append(str(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=writer) for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM t")
    rows = cursor.fetchone()[0]
print(json.dumps({"options": settings.DATABASES["default"].get("OPTIONS", {}),
                  "errors": errors, "rows": rows}))
"""


def test_a_sqlite_database_url_gets_the_same_options_and_concurrent_writes_wait(tmp_path):
    import json

    env = {name: os.environ[name] for name in _PASSED_THROUGH if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="xuncha.settings",
        XUNCHA_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'named.sqlite3'}",
    )
    result = run_python(env, "-c", CONCURRENT_WRITES)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"
    assert outcome["options"]["timeout"] == 20
    assert "journal_mode=WAL" in outcome["options"]["init_command"]
    assert outcome["errors"] == []
    assert outcome["rows"] == 120


def test_production_installs_no_demo_app_and_offers_no_seed_demo(tmp_path):
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.management import get_commands\n"
        "print('demo' in settings.INSTALLED_APPS, 'seed_demo' in get_commands())"
    )
    result = run_python(production_env(tmp_path), "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_development_and_tests_have_the_demo_app():
    assert "demo" in settings.INSTALLED_APPS


def test_each_test_process_has_a_data_folder_of_its_own():
    # make test runs two processes (pytest-xdist); their file brokers and uploads must not mix.
    if "XUNCHA_DATA_DIR" in os.environ:
        pytest.skip("XUNCHA_DATA_DIR names the data folder itself")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    assert settings.DATA_DIR.name == f"test-{worker}"
    assert settings.CELERY_QUEUE_DIR.is_relative_to(settings.DATA_DIR)

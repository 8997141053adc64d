"""The bench is a development app: no production module may import it."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# Everything but the bench itself, the tests and the tools around the code.
SKIPPED = {"bench", "tests", ".venv", "var", "static", "locale", "node_modules", "scripts"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def production_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in SKIPPED and "migrations" not in relative.parts:
            yield relative, path


def test_no_production_module_imports_the_bench():
    offenders = [
        f"{relative}: {name}"
        for relative, path in production_modules()
        for name in imported_modules(path)
        if name == "bench" or name.startswith("bench.")
    ]

    assert offenders == []


def test_the_production_packages_hold_no_bench_module():
    leftovers = [str(relative) for relative, path in production_modules() if path.stem == "bench"]

    assert leftovers == []


def test_settings_install_the_bench_only_outside_production():
    production = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xuncha.settings",
        "XUNCHA_ENV": "production",
        "SECRET_KEY": "p" * 60,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        "ALLOWED_HOSTS": "xuncha.example.org",
        # Production names the audit key and an anchor sink off the data folder.
        "AUDIT_HMAC_KEY": "k" * 64,
        "CROSSCHECK_ID_KEY": "i" * 64,
        "AUDIT_ANCHOR_FILE": "/var/log/xuncha-anchors/audit-anchors.log",
    }
    answer = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.INSTALLED_APPS)"],
        env=production,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert "'rounds'" in answer.stdout
    assert "'bench'" not in answer.stdout
    assert "bench" in settings.INSTALLED_APPS


@pytest.mark.django_db
def test_the_bench_client_is_signed_in_with_both_factors(monkeypatch):
    """The bench measures pages as a person sees them: its client passes the
    second factor itself (the tests' own force_login does it for them, which
    would hide a bench that only has the password step)."""
    from django.test import Client

    from bench.measure import logged_in_client
    from tests.factories import make_user
    from xuncha.accounts.roles import Role

    monkeypatch.setattr(Client, "force_login", Client.force_login_password_only)
    client = logged_in_client(make_user(Role.OFFICE))
    assert client.get("/").status_code == 200

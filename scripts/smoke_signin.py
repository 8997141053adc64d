"""Smoke check of `make run`'s sign-in: migrate, seed the demo, then sign in as
`office` with the demo password and the code `demo_otp` prints, through the
real login and code pages, and open a page of case data.

    XUNCHA_DATA_DIR=$(mktemp -d) .venv/bin/python scripts/smoke_signin.py

Exits non-zero naming the step that failed. Development settings only.
"""

import os
import sys
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuncha.settings")


def _wait_for_an_unused_code(username: str) -> None:
    """A code is good once: after a sign-in in this 30-s step, wait for the next."""
    import time

    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    while int((time.time() - device.t0) // device.step) <= device.last_t:
        time.sleep(1)


def main() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    steps = []

    response = client.post(
        "/accounts/login/", {"username": "office", "password": settings.DEMO_PASSWORD}
    )
    steps.append(("password accepted", response.status_code == 302))
    response = client.get("/clues/")
    steps.append(
        (
            "password alone sent to the code step",
            response.status_code == 302 and response["Location"].startswith("/accounts/2fa/"),
        )
    )
    _wait_for_an_unused_code("office")
    out = StringIO()
    call_command("demo_otp", "office", stdout=out)
    response = client.post("/accounts/2fa/", {"code": out.getvalue().strip(), "next": "/clues/"})
    steps.append(
        ("code accepted", response.status_code == 302 and response["Location"] == "/clues/")
    )
    response = client.get("/clues/")
    steps.append(("case data opens", response.status_code == 200))
    for name, ok in steps:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return 0 if all(ok for _, ok in steps) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Helpers of make faults (scripts/faults.py), run against the same database
in development mode: they are tools of the fault drill, never part of the app.

    python scripts/faults_helpers.py session USERNAME   -> prints a session key
    python scripts/faults_helpers.py request-ledger USERNAME -> prints a job id
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["XUNCHA_ENV"] = "development"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuncha.settings")

import django

django.setup()

from importlib import import_module  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import transaction  # noqa: E402

from xuncha.accounts.models import User  # noqa: E402


def session(username: str) -> str:
    user = User.objects.get(username=username)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    try:  # the second factor, where the installation has one
        from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

        device = next(devices_for_user(user, confirmed=True), None)
        if device is not None:
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    except ImportError:
        pass
    store.create()
    return store.session_key


def request_ledger(username: str) -> int:
    from xuncha.reports.services import job_request

    user = User.objects.get(username=username)
    with transaction.atomic():
        job, _ = job_request(
            user=user, kind="rectification.ledger", params={"scope": "city", "format": "pdf"}
        )
    return job.pk


def otp_keys(_: str = "") -> str:
    """``username hexkey`` of each demo account's authenticator, where there is one."""
    try:
        from django_otp.plugins.otp_totp.models import TOTPDevice
    except ImportError:
        return ""
    devices = TOTPDevice.objects.filter(confirmed=True).select_related("user")
    return "\n".join(f"{d.user.username} {d.key}" for d in devices)


if __name__ == "__main__":
    command, argument = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    commands = {"session": session, "request-ledger": request_ledger, "otp-keys": otp_keys}
    print(commands[command](argument))

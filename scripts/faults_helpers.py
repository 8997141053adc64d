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
    store[BACKEND_SESSION_KEY] = "xuncha.accounts.backends.UserWithOfficeBackend"
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
    """A round's 三单五账 ledger: the demo round with the most items (the bench's
    city data set, term 99, would make the drill time the PDF, not the recovery)."""
    from django.db.models import Count

    from rounds.models import Round
    from xuncha.reports.services import job_request

    user = User.objects.get(username=username)
    round_ = (
        Round.objects.exclude(term=99)
        .annotate(items=Count("targets__plan__items"))
        .order_by("-items")
        .first()
    )
    with transaction.atomic():
        job, _ = job_request(
            user=user,
            kind="rectification.ledger",
            params={"scope": "round", "id": str(round_.pk), "format": "pdf"},
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


def load_users(count: str) -> str:
    """Accounts for make loadtest: one per simulated person (a TOTP code is good
    once per device, so people cannot share an account within 30 s), cloned
    from the demo accounts with their links: office, organization, team.
    Prints ``username role hexkey`` per line. Safe to run again."""
    import secrets

    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rounds.models import Membership
    from xuncha.orgs.models import Cadre

    people = int(count)
    mix = [("office", 30), ("member", 25), ("unit", 25), ("leadership", 15)]
    total = sum(w for _, w in mix)
    lines = []
    demo_leader = User.objects.get(username="leader")
    lines.append(_with_device(demo_leader, "leader", TOTPDevice, secrets))
    for role, weight in mix:
        template = User.objects.get(username=role)
        for index in range(max(1, round((people - 1) * weight / total))):
            username = f"load-{role}-{index:03d}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": f"{template.full_name}{index}",
                    "password": template.password,  # the demo password, hashed once
                    "office": template.office,
                    "organization": template.organization,
                    "department": getattr(template, "department", None),
                },
            )
            if created:
                user.groups.set(template.groups.all())
                user.user_permissions.set(template.user_permissions.all())
                memberships = list(Membership.objects.filter(cadre__user=template))
                if memberships:
                    base = memberships[0].cadre
                    cadre = Cadre.objects.create(
                        code=f"LOAD-{role}-{index:03d}",
                        name=user.full_name,
                        organization=base.organization,
                        rank=base.rank,
                        user=user,
                    )
                for membership in memberships:
                    Membership.objects.create(
                        team=membership.team,
                        round=membership.round,
                        cadre=cadre,
                        role=Membership.Role.MEMBER,
                        commitments_completed_at=timezone.now(),
                    )
            lines.append(_with_device(user, role, TOTPDevice, secrets))
    return "\n".join(lines)


def _with_device(user, role, TOTPDevice, secrets) -> str:
    key = secrets.token_hex(20)
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name="load", key=key, confirmed=True)
    return f"{user.username} {role} {key}"


if __name__ == "__main__":
    command, argument = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    commands = {
        "session": session,
        "request-ledger": request_ledger,
        "otp-keys": otp_keys,
        "load-users": load_users,
    }
    print(commands[command](argument))

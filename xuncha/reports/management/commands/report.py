"""``manage.py report``: write a document to a file from the command line.

    manage.py report ledger --target 12 --format pdf --out ledger.pdf
    manage.py report ledger --round 3 --format xlsx --out round3.xlsx
    manage.py report feedback --id 12 --format docx --out feedback.docx

The document is produced as the user named by ``--user`` (by default the
first active office staff member of the city office, by id) and that user's
access is checked exactly as for a request from a page: the command is a
way to run a report without a browser, not a way around permissions. Nothing
is stored in the report job table; the audit log records the run.
"""

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.orgs.models import Office
from xuncha.reports.registry import get_document

# Short names on the command line for the registered document kinds.
DOCUMENTS = {
    "ledger": "rectification.ledger",
    "feedback": "rounds.feedback",
    "inspection-report": "rounds.inspection_report",
    "weekly-summary": "rounds.weekly_summary",
    "handover": "clues.handover",
}


def default_user() -> User | None:
    return (
        User.objects.filter(
            groups__name=Role.OFFICE.value, is_active=True, office__level=Office.Level.CITY
        )
        .order_by("pk")
        .first()
    )


class Command(BaseCommand):
    help = "Write a document (the 三单五账 ledger report, the feedback opinion...) to a file."

    def add_arguments(self, parser):
        parser.add_argument("document", choices=sorted(DOCUMENTS))
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--target", type=int, help="ledger: one target (巡察对象) by id")
        scope.add_argument("--round", type=int, help="ledger: one round (巡察轮次) by id")
        scope.add_argument("--region", type=int, help="ledger: one district (区县) by id")
        scope.add_argument("--city", action="store_true", help="ledger: the whole city")
        scope.add_argument("--id", type=int, help="other documents: the object's id")
        parser.add_argument("--format", default="pdf", choices=["pdf", "xlsx", "docx"])
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument(
            "--user",
            help="username to run as (default: the first active city office staff member)",
        )

    def handle(self, *args, document, format, out, user=None, **options):
        runner = self._user(user)
        params = self._params(document, options, format)
        doc = get_document(DOCUMENTS[document])
        started = time.perf_counter()
        try:
            doc.authorize(runner, params)
            generated = doc.generate(runner, params, lambda percent: None)
        except (PermissionDenied, Http404):
            raise CommandError(f"用户 {runner.get_username()} 无权查看该文书涉及的数据。") from None
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        Path(out).write_bytes(generated.content)
        log_action(runner, "report.command", None, {"kind": doc.kind, "params": params})
        self.stdout.write(
            f"{out}: {generated.filename}, {len(generated.content):,} bytes, "
            f"{time.perf_counter() - started:.1f} s (as {runner.get_username()})"
        )

    @staticmethod
    def _user(username: str | None) -> User:
        if username:
            try:
                return User.objects.get(username=username, is_active=True)
            except User.DoesNotExist:
                raise CommandError(f"没有名为 {username} 的有效用户。") from None
        user = default_user()
        if user is None:
            raise CommandError("没有市委巡察办的有效工作人员账号；请用 --user 指定用户。")
        return user

    @staticmethod
    def _params(document: str, options: dict, fmt: str) -> dict:
        if document == "ledger":
            if options["city"]:
                return {"scope": "city", "format": fmt}
            for scope in ("target", "round", "region"):
                if options[scope] is not None:
                    return {"scope": scope, "id": options[scope], "format": fmt}
            raise CommandError("台账报告须指定 --target、--round、--region 或 --city 之一。")
        if options["id"] is None:
            raise CommandError(f"{document} 须用 --id 指定对象。")
        return {"id": options["id"], "format": fmt}

"""Hand over an admin duty's account from the deployment's command line.

The running system never lets one person create or reset an admin duty's
account alone (三员分立), so the first ones (and a forgotten password of one)
come from whoever runs the deployment: the account is given a one-time
temporary password, printed here once, which its holder must replace at the
first sign-in. Every use is in the audit log with no actor (the command line)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_ROLES, Role
from xuncha.accounts.services import user_create, user_reset_password, user_set_roles


class Command(BaseCommand):
    help = "为三员（系统管理员、安全保密管理员、安全审计员）签发账号或重置临时密码。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", choices=sorted(r.value for r in ADMIN_ROLES), help="新账号担任的职责"
        )
        parser.add_argument("--full-name", default="")
        parser.add_argument("--reset", action="store_true", help="为已有的三员账号重新签发临时密码")

    def handle(self, *args, username, role, full_name, reset, **options):
        try:
            with transaction.atomic():
                if reset:
                    user = User.objects.filter(username=username).first()
                    if user is None or not user.roles & ADMIN_ROLES:
                        raise CommandError(f"没有名为 {username} 的三员账号。")
                    temporary = user_reset_password(user=user, actor=None)
                else:
                    if not role:
                        raise CommandError("新账号须用 --role 指定职责。")
                    user, temporary = user_create(
                        username=username, full_name=full_name, actor=None
                    )
                    user_set_roles(user=user, roles=[Role(role)], actor=None)
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        self.stdout.write(f"账号：{user.username}（{'、'.join(user.role_labels)}）")
        self.stdout.write(f"一次性临时密码：{temporary}")
        self.stdout.write("请以保密方式交给本人；首次登录时必须设置自己的密码。")

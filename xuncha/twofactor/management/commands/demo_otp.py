from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xuncha.accounts.models import User


class Command(BaseCommand):
    help = "打印演示账号身份验证器当前的 6 位验证码（仅用于演示环境，生产环境拒绝执行）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="演示账号的用户名，例如 office")

    def handle(self, *args, username: str, **options):
        # A code on the command line is a second factor for whoever has a shell:
        # acceptable for the demo's published secret, never in production.
        if settings.PRODUCTION:
            raise CommandError("生产环境不能打印验证码：请使用本人手机上的身份验证器。")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号。")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} 还没有绑定身份验证器：先运行 seed_demo，或登录后绑定。")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:06d}")

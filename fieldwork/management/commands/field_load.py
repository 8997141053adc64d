"""Field edition: migrate the laptop's own database and load a package into it."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fieldwork.package import PackageRefused, load_public_key
from fieldwork.services.field import field_load, require_field_mode


class Command(BaseCommand):
    help = "单机版：载入巡察办导出的现场数据包（XUNCHA_ENV=field）。"

    def add_arguments(self, parser):
        parser.add_argument("--package", required=True)
        parser.add_argument("--passphrase-file", required=True)
        parser.add_argument("--office-key", required=True, help="巡察办公钥（.pub）")

    def handle(self, *args, **options):
        require_field_mode()
        call_command("migrate", verbosity=0, interactive=False)
        try:
            session = field_load(
                data=Path(options["package"]).read_bytes(),
                passphrase=Path(options["passphrase_file"]).read_text().strip(),
                office_key=load_public_key(Path(options["office_key"])),
            )
        except PackageRefused as refused:
            raise CommandError(f"数据包被拒绝：{refused}") from None
        self.stdout.write(f"已载入：{session.team.round.name}{session.team.name}")
        self.stdout.write(f"数据包 SHA-256：{session.package_sha256}")
        self.stdout.write(
            "组员请用领取单上的现场密码和单机身份验证器登录；办公系统的密码在本机无效。"
        )

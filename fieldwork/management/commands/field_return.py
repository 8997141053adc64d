"""Field edition: write the encrypted, signed return package."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fieldwork.package import PackageRefused, sha256_hex
from fieldwork.services.field import field_return


class Command(BaseCommand):
    help = "单机版：生成回传包（用载入时的数据包和口令签名、加密）。"

    def add_arguments(self, parser):
        parser.add_argument("--package", required=True, help="本机载入的数据包")
        parser.add_argument("--passphrase-file", required=True)
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        try:
            blob = field_return(
                package_data=Path(options["package"]).read_bytes(),
                passphrase=Path(options["passphrase_file"]).read_text().strip(),
            )
        except PackageRefused as refused:
            raise CommandError(str(refused)) from None
        Path(options["out"]).write_bytes(blob)
        self.stdout.write(f"回传包：{options['out']}  SHA-256 {sha256_hex(blob)}")

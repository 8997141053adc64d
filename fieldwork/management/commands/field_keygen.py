"""Make the office's Ed25519 signing key (FIELD_SIGNING_KEY_FILE) and its .pub."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fieldwork.package import fingerprint, generate_key_file, public_key_path


class Command(BaseCommand):
    help = "生成巡察办签发现场数据包的 Ed25519 密钥（已存在则不覆盖）。"

    def add_arguments(self, parser):
        parser.add_argument("--out", help="私钥文件（默认 FIELD_SIGNING_KEY_FILE）")

    def handle(self, *args, **options):
        path = Path(options["out"] or settings.FIELD_SIGNING_KEY_FILE)
        if path.exists():
            raise CommandError(f"密钥文件已存在，未覆盖：{path}")
        public = generate_key_file(path)
        self.stdout.write(f"私钥：{path}\n公钥（随单机版分发）：{public_key_path(path)}")
        self.stdout.write(f"指纹：{fingerprint(public)}")

import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xuncha.ops.backup import RestoreRefused, create_backup
from xuncha.ops.management.commands._passphrase import read_passphrase


class Command(BaseCommand):
    help = "备份：数据库、上传文件与审计锚点合为一个加密文件（含清单与校验和）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            default=str(Path(settings.DATA_DIR) / "backups"),
            help="备份文件写入的目录（默认 $XUNCHA_DATA_DIR/backups）",
        )
        parser.add_argument("--passphrase-file", help="存放备份口令的文件（口令至少 12 个字符）")

    def handle(self, *args, **options):
        passphrase = read_passphrase(options)
        started = time.monotonic()
        try:
            path = create_backup(out_dir=Path(options["out"]), passphrase=passphrase)
        except subprocess.CalledProcessError as error:
            stderr = error.stderr.decode(errors="replace").strip() if error.stderr else ""
            raise CommandError(f"备份失败：pg_dump 退出码 {error.returncode}。{stderr}") from error
        except (ValueError, OSError, RestoreRefused) as error:
            raise CommandError(f"备份失败：{error}") from error
        size_mb = path.stat().st_size / 1024 / 1024
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}（{size_mb:.1f} MB）。"))
        self.stdout.write(f"backup.create_s: {time.monotonic() - started:.1f}")

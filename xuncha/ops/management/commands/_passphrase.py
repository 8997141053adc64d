import os
from pathlib import Path

from django.core.management.base import CommandError


def read_passphrase(options) -> str:
    """From --passphrase-file, else BACKUP_PASSPHRASE: never on the command
    line, where other users of the machine could read it in the process list."""
    if options.get("passphrase_file"):
        return Path(options["passphrase_file"]).read_text().strip()
    value = os.environ.get("BACKUP_PASSPHRASE", "")
    if not value:
        raise CommandError("请用 --passphrase-file 或环境变量 BACKUP_PASSPHRASE 提供备份口令。")
    return value

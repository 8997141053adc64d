"""Field edition: 清理 — remove the database, files and packages; print the record."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from fieldwork.services.field import field_clear


class Command(BaseCommand):
    help = "单机版：清理本机的数据库、附件和数据包，并打印清理记录。"

    def add_arguments(self, parser):
        parser.add_argument("packages", nargs="*", help="要一并删除的数据包和回传包")
        parser.add_argument("--record", help="清理记录另存为此文件（不要放在被清理的目录中）")

    def handle(self, *args, **options):
        record = field_clear(packages=[Path(p).resolve() for p in options["packages"]])
        lines = [
            "清理记录",
            f"时间：{record['cleared_at']}",
            f"巡察组：{record['team'] or '（本机未载入数据包）'}",
            f"数据包编号：{record['package_id']}",
            f"载入的数据包 SHA-256：{record['package_sha256']}",
            "已删除：",
            *[
                f"  {item['path']}"
                + (
                    f"（{item['files']} 个文件）"
                    if "files" in item
                    else f"（{item['bytes']} 字节）"
                )
                + (f" SHA-256 {item['sha256']}" if "sha256" in item else "")
                for item in record["removed"]
            ],
        ]
        text = "\n".join(lines)
        self.stdout.write(text)
        if options["record"]:
            Path(options["record"]).write_text(
                text + "\n\n" + json.dumps(record, ensure_ascii=False, indent=1)
            )

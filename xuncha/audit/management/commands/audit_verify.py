from django.core.management.base import BaseCommand, CommandError

from xuncha.audit.anchors import write_anchor
from xuncha.audit.services import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现被修改、删除或乱序的记录时以非零状态退出。"

    def handle(self, *args, **options):
        checked, broken = verify_chain()
        if broken:
            raise CommandError(
                f"审计日志链在 #{broken.entry_id} 处断裂：{broken.reason}（此前 {checked} 条完好）"
            )
        anchor = write_anchor()
        where = f"，已记录锚点 #{anchor.entry_id}" if anchor else ""
        self.stdout.write(self.style.SUCCESS(f"审计日志完好：共 {checked} 条{where}。"))

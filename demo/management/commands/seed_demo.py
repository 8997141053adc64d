from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from demo.seed import seed_demo
from demo.users import DEMO_USERS
from xuncha.accounts.models import User
from xuncha.orgs.models import (
    Cadre,
    CadreRelation,
    CadreWorkHistory,
    ConflictDeclaration,
    Department,
    Office,
    Organization,
    Region,
)


class Command(BaseCommand):
    help = (
        "生成演示数据：虚构的市、区县（市）、党组织、干部库和各角色的演示账号。"
        "可重复运行，不会重复创建。"
    )

    def handle(self, *args, **options):
        demo = seed_demo()
        resets = demo.created["password_resets"]
        created = sum(demo.created.values()) - resets
        message = f"演示数据已就绪，本次新建 {created} 条记录"
        if resets:
            message += f"，重设 {resets} 个演示账号的密码"
        self.stdout.write(self.style.SUCCESS(message + "。"))
        for line in summary_lines():
            self.stdout.write(line)


def summary_lines() -> list[str]:
    organizations_by_level = dict(
        Organization.objects.values_list("level").annotate(Count("pk")).order_by()
    )
    levels = "，".join(
        f"{label} {organizations_by_level.get(level, 0)}"
        for level, label in Organization.Level.choices
    )
    cadres = Cadre.objects.aggregate(
        total=Count("pk"),
        leaders=Count("pk", filter=Q(in_leader_pool=True)),
        talents=Count("pk", filter=Q(in_talent_pool=True)),
    )
    lines = [
        f"区县（市）{Region.objects.count()} 个，巡察机构 {Office.objects.count()} 个，"
        f"接收部门 {Department.objects.count()} 个",
        f"党组织 {sum(organizations_by_level.values())} 个：{levels}",
        f"干部库 {cadres['total']} 人：组长库 {cadres['leaders']}，人才库 {cadres['talents']}；"
        f"亲属 {CadreRelation.objects.count()} 条，工作经历 {CadreWorkHistory.objects.count()} 条，"
        f"回避申报 {ConflictDeclaration.objects.count()} 条",
        "演示账号（密码为 DEMO_PASSWORD 的值）：",
    ]
    names = dict(
        User.objects.filter(username__in=[row.username for row in DEMO_USERS]).values_list(
            "username", "full_name"
        )
    )
    lines += [f"  {row.username}：{row.role.label}，{names[row.username]}" for row in DEMO_USERS]
    return lines

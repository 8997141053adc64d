"""The kinds of round and the starting category tree, which every installation needs.

The office edits the tree afterwards (admin); this only adds what is missing.
"""

from django.db import migrations

ROUND_KINDS = [
    ("regular", "常规"),
    ("special", "专项"),
    ("adhoc", "机动"),
    ("elevated", "提级"),
    ("cross", "交叉"),
    ("linked", "联动"),
    ("extended", "延伸"),
    ("follow_up", "回头看"),
]

# (code, name, [(code, negative-list item), ...])
CATEGORY_TREE = [
    (
        "A",
        "党的领导弱化",
        [
            ("A01", "贯彻落实党中央决策部署和上级要求不到位"),
            ("A02", "“三重一大”事项未经集体研究决策"),
            ("A03", "意识形态工作责任制落实不到位"),
            ("A04", "落实乡村振兴、生态环保等重点任务打折扣"),
            ("A05", "形式主义、官僚主义问题突出"),
        ],
    ),
    (
        "B",
        "党的建设缺失",
        [
            ("B01", "民主集中制执行不到位"),
            ("B02", "组织生活不严肃不规范"),
            ("B03", "基层党组织软弱涣散"),
            ("B04", "选人用人不规范"),
            ("B05", "党员发展和管理不规范"),
            ("B06", "干部档案管理不规范"),
        ],
    ),
    (
        "C",
        "全面从严治党不力",
        [
            ("C01", "履行全面从严治党主体责任不力"),
            ("C02", "监督责任落实不到位"),
            ("C03", "违反中央八项规定精神"),
            ("C04", "违规发放津补贴"),
            ("C05", "违规公款吃喝"),
            ("C06", "公款存放不规范"),
            ("C07", "工程项目未公开招标"),
            ("C08", "政府采购不规范"),
            ("C09", "村级财务管理不规范"),
            ("C10", "集体资产资源管理不规范"),
            ("C11", "惠民惠农资金管理使用不规范"),
            ("C12", "群众身边腐败和不正之风"),
        ],
    ),
    (
        "D",
        "巡视巡察和审计整改不到位",
        [
            ("D01", "上轮巡察整改不彻底"),
            ("D02", "审计发现问题整改不到位"),
        ],
    ),
]


def seed(apps, schema_editor):
    RoundKind = apps.get_model("rounds", "RoundKind")
    ProblemCategory = apps.get_model("rounds", "ProblemCategory")
    for order, (code, name) in enumerate(ROUND_KINDS):
        RoundKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (code, name, items) in enumerate(CATEGORY_TREE):
        parent, _ = ProblemCategory.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        for item_order, (item_code, item_name) in enumerate(items):
            ProblemCategory.objects.get_or_create(
                code=item_code,
                defaults={
                    "name": item_name,
                    "parent": parent,
                    "is_negative_list": True,
                    "sort_order": item_order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("rounds", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

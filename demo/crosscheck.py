"""Step for 大数据比对: small lists in the city's on-site round (十三届第四轮)
with a planted hit for each shipped rule and near-misses beside them (a
wrong check digit, a same-name different person, a payment before the
death), read through the services and every shipped rule run once.

Idempotent: a list is found by its name in the round, and a rule run again
adds no hit (the unique constraint); only new lists and new hits count.
"""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from crosscheck.models import Hit, Rule, RuleRun, Source
from crosscheck.normalize import check_digit
from crosscheck.services import review, sources
from crosscheck.services.runs import rule_run
from crosscheck.tasks import run_rule
from demo.context import DemoContext
from demo.rounds import find_round, user
from rounds.models import Target


def _id(birth: str, seq: str) -> str:
    first17 = "330106" + birth + seq
    return first17 + check_digit(first17)


def _wrong(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# The cast (fictional): cadres and a spouse, relief recipients, payroll names.
HAN = _id("19680412", "013")  # 韩建国, cadre
XU = _id("19700923", "024")  # 许丽华, his spouse
CAO = _id("19660130", "035")  # 曹志明, cadre
HAN_OTHER = _id("19850612", "017")  # another 韩建国
DENG = _id("19380705", "046")  # 邓桂英, died, relief still paid
PENG = _id("19520318", "057")  # 彭玉兰, relief paid before she died
LU = _id("19571111", "068")  # 陆长福, owns a car
LU_OTHER = _id("19720101", "079")  # another 陆长福
JIANG = _id("19810214", "081")  # 蒋晓东, two payrolls
XIE = _id("19590808", "092")  # 谢永年, died, still paid

LISTS = {
    "cadres": (
        "干部及亲属名册（组织部提供）",
        ["姓名", "身份证号", "关系", "工作单位"],
        [
            ["韩建国", HAN, "本人", "市发展和改革委员会"],
            ["许丽华", XU, "配偶", "市第二中学"],
            ["曹志明", CAO, "本人", "市住房和城乡建设局"],
        ],
    ),
    "payments": (
        "2023 年产业扶持资金发放表（财政局提供）",
        ["收款单位", "统一社会信用代码", "金额", "发放日期", "资金名称"],
        [
            ["华东智造科技有限公司", "91330106MA2H0001XA", "680000", "2023-03-15", "产业扶持资金"],
            ["青禾农业（杭州）有限公司", "", "150,000.00", "2023-05-20", "农业技改补贴"],
            ["远帆贸易有限公司", "91330106MA2H0003XC", "90000", "2023-06-01", "外贸补贴"],
        ],
    ),
    "enterprises": (
        "企业登记信息（市场监管局提供）",
        ["企业名称", "统一社会信用代码", "姓名", "身份证号", "任职"],
        [
            ["华东智造科技有限公司", "91330106MA2H0001XA", "韩建国", HAN, "法定代表人"],
            ["青禾农业(杭州)有限公司", "91330106MA2H0002XB", "许丽华", XU, "股东"],
            ["远帆贸易有限公司", "91330106MA2H0003XC", "韩建国", HAN_OTHER, "法定代表人"],
            ["明川咨询有限公司", "91330106MA2H0004XD", "曹志明", CAO, "股东"],
        ],
    ),
    "personal_reports": (
        "个人有关事项报告（组织部提供）",
        ["姓名", "身份证号", "企业名称", "统一社会信用代码"],
        [
            ["韩建国", HAN, "华东智造科技有限公司", "91330106MA2H0001XA"],
            ["许丽华", XU, "", ""],
            ["曹志明", CAO, "", ""],
        ],
    ),
    "relief": (
        "2023 年低保发放名册（民政局提供）",
        ["户主", "身份证号", "发放金额", "发放日期"],
        [
            ["邓桂英", DENG, "720", "2023-04-01"],
            ["邓桂英", _wrong(DENG), "720", "2023-04-01"],
            ["彭玉兰", PENG, "720", "2023-02-01"],
            ["陆长福", LU, "720", "2023-04-01"],
            ["许丽华", XU, "720", "2023-04-01"],
        ],
    ),
    "deceased": (
        "死亡人员名单（公安局、卫健委提供）",
        ["姓名", "身份证号", "死亡日期"],
        [
            ["邓桂英", DENG, "2023-01-20"],
            ["彭玉兰", PENG, "2023-03-10"],
            ["谢永年", XIE, "2023-02-05"],
        ],
    ),
    "assets": (
        "车辆登记信息（公安交警提供）",
        ["姓名", "身份证号", "车牌号"],
        [["陆长福", LU, "浙A·D1234"], ["陆长福", LU_OTHER, "浙A·D4321"]],
    ),
    "payroll": (
        "财政供养人员工资发放表（财政局提供）",
        ["姓名", "身份证号", "发放单位", "实发工资", "发放日期"],
        [
            ["蒋晓东", JIANG, "市园林文物局", "6200", "2023-06-10"],
            ["蒋晓东", JIANG, "市城投集团", "9100", "2023-06-10"],
            ["谢永年", XIE, "市园林文物局", "5400", "2023-06-10"],
        ],
    ),
}


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def seed_crosscheck(demo: DemoContext) -> None:
    round_ = find_round(13, 4)
    office = user("office")
    for kind, (label, headers, rows) in LISTS.items():
        if Source.objects.filter(round=round_, label=label).exists():
            continue
        source = sources.source_upload(
            user=office, round_=round_, kind=kind, label=label,
            upload=SimpleUploadedFile(f"{kind}.csv", _csv(headers, rows)),
        )  # fmt: skip
        source = sources.source_set_mapping(user=office, source=source, mapping=source.mapping)
        sources.source_import(source.pk)
        demo.count("crosscheck.source")
    before = Hit.objects.filter(round=round_).count()
    # Once per rule: a second run would find nothing new, but it is still a run
    # (a row and an audit entry), and seeding again must change nothing.
    ran = RuleRun.objects.filter(round=round_).values("rule_id")
    for rule in Rule.objects.filter(office=None, is_active=True).exclude(pk__in=ran).order_by("pk"):
        run_rule(rule_run(user=office, round_=round_, rule=rule, send=False).pk)  # as the worker
    demo.count("crosscheck.hit", Hit.objects.filter(round=round_).count() - before)
    # The lists are the city's (the office's, for the whole round), so their
    # hits have no target: the office gives each to a target's team, in turn.
    targets = list(Target.objects.filter(round=round_).order_by("team__number", "pk"))
    if targets:
        unassigned = Hit.objects.filter(round=round_, target__isnull=True).order_by("pk")
        for n, hit in enumerate(unassigned):
            review.hit_assign(hit=hit, target=targets[n % len(targets)], user=office)

"""Lists with planted hits for each shipped rule of 大数据比对, and near-misses
that must not match: a wrong check digit, a same-name different person, a
different birth date, a role outside the rule, an unchanged unit, a payment
before the death. Full-width digits and a 15-digit number are the same
person written differently: they must match."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from crosscheck.normalize import check_digit
from crosscheck.services import runs, sources


def idn(birth: str, seq: str, region: str = "330102") -> str:
    first17 = region + birth + seq
    return first17 + check_digit(first17)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


ZHANG = idn("19700101", "011")  # cadre 张三
LI = idn("19720202", "022")  # his spouse 李梅
WANG = idn("19650505", "031")  # cadre 王五
ZHANG_OTHER = idn("19800808", "019")  # another 张三, no relation
ZHAO = idn("19400101", "041")  # 赵六, dead, relief still paid
QIAN = idn("19450303", "052")  # 钱七, relief paid before death
FENG = idn("19500505", "061")  # 冯二, relief listed without an ID number
SUN = idn("19550909", "073")  # 孙八, owns a car
SUN_OTHER = idn("19660606", "074")  # another 孙八
ZHOU = idn("19780707", "083")  # 周九, two payrolls
WU = idn("19790101", "095")  # 吴十, one payroll, two months
ZHENG = idn("19600303", "105")  # 郑一, dead, still paid
ZHENG_15 = ZHENG[:6] + ZHENG[8:17]  # the first-generation form of the same number

LISTS = {
    "cadres": (
        ["姓名", "身份证号", "关系", "工作单位"],
        [
            ["张三", ZHANG, "本人", "市发改委"],
            ["李梅", LI, "配偶", "市一中"],
            ["王五", WANG, "本人", "市住建局"],
        ],
    ),
    "payments": (
        ["收款单位", "统一社会信用代码", "金额", "发放日期", "资金名称"],
        [
            ["甲科技有限公司", "91330100MA2AAAAA1X", "500000", "2023-03-01", "产业扶持资金"],
            ["乙科技（杭州）有限公司", "", "200,000.00", "2023-04-01", "技改补贴"],
            ["丙贸易有限公司", "91330100MA2CCCCC3X", "100000", "2023-05-01", "外贸补贴"],
            ["丁建设有限公司", "91330100MA2DDDDD4X", "300000", "2023-06-01", "建设补助"],
        ],
    ),
    "enterprises": (
        ["企业名称", "统一社会信用代码", "姓名", "身份证号", "任职"],
        [
            ["甲科技有限公司", "91330100MA2AAAAA1X", "张三", ZHANG, "法定代表人"],
            ["乙科技(杭州)有限公司", "91330100MA2BBBBB2X", "李梅", LI, "股东"],
            ["丙贸易有限公司", "91330100MA2CCCCC3X", "张三", ZHANG_OTHER, "法定代表人"],
            ["丁建设有限公司", "91330100MA2DDDDD4X", "王五", WANG, "监事"],
            ["戊咨询有限公司", "91330100MA2EEEEE5X", "王五", WANG, "股东"],
        ],
    ),
    "personal_reports": (
        ["姓名", "身份证号", "企业名称", "统一社会信用代码"],
        [
            ["张三", ZHANG, "甲科技有限公司", "91330100MA2AAAAA1X"],
            ["李梅", LI, "", ""],
            ["王五", WANG, "丁建设有限公司", "91330100MA2DDDDD4X"],
        ],
    ),
    "relief": (
        ["户主", "身份证号", "出生日期", "发放金额", "发放日期"],
        [
            ["赵六", ZHAO, "", "600", "2023-03-01"],
            ["赵六", wrong_check(ZHAO), "", "600", "2023-03-01"],
            ["钱七", QIAN, "", "600", "2023-03-01"],
            ["冯二", "", "1950-05-05", "600", "2023-04-01"],
            ["冯二", "", "1950-05-06", "600", "2023-04-01"],
            ["孙 八", SUN, "", "600", "2023-03-01"],
            ["李梅", full_width(LI), "", "600", "2023-03-01"],
        ],
    ),
    "deceased": (
        ["姓名", "身份证号", "出生日期", "死亡日期"],
        [
            ["赵六", ZHAO, "", "2023-01-10"],
            ["钱七", QIAN, "", "2023-05-01"],
            ["冯二", "", "1950-05-05", "2023-01-01"],
            ["郑一", ZHENG_15, "", "2023-02-01"],
        ],
    ),
    "assets": (
        ["姓名", "身份证号", "车牌号"],
        [["孙八", SUN, "浙A12345"], ["孙八", SUN_OTHER, "浙A54321"]],
    ),
    "payroll": (
        ["姓名", "身份证号", "发放单位", "实发工资", "发放日期"],
        [
            ["周九", ZHOU, "市园林局", "6000", "2023-06-01"],
            ["周九", ZHOU, "市水务集团", "8000", "2023-06-01"],
            ["吴十", WU, "市园林局", "6000", "2023-05-01"],
            ["吴十", WU, "市园林局", "6000", "2023-06-01"],
            ["郑一", ZHENG, "市园林局", "5000", "2023-06-01"],
        ],
    ),
}

# The pairs each shipped rule must find: (left name or enterprise, right name).
EXPECTED = {
    "subsidy-cadre-enterprise": {("甲科技有限公司", "张三"), ("乙科技(杭州)有限公司", "李梅")},
    "enterprise-undeclared": {("乙科技(杭州)有限公司", "李梅"), ("戊咨询有限公司", "王五")},
    "relief-deceased": {("赵六", "赵六"), ("冯二", "冯二")},
    "relief-assets": {("孙八", "孙八")},
    "relief-cadres": {("李梅", "李梅")},
    "payroll-multiple": {("周九", "周九")},
    "payroll-deceased": {("郑一", "郑一")},
}


def csv_bytes(headers: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def load_list(
    round_, user, kind: str, content: bytes | None = None, name: str = "名单.csv", target=None
):
    """Upload, map (the guessed mapping) and read a list, as the worker would;
    for ``target`` (its team sees it), or the whole round (the office only)."""
    if content is None:
        content = csv_bytes(*LISTS[kind])
    source = sources.source_upload(
        user=user, round_=round_, kind=kind, label=f"{kind}名单",
        upload=SimpleUploadedFile(name, content), target=target,
    )  # fmt: skip
    source = sources.source_set_mapping(user=user, source=source, mapping=source.mapping)
    return sources.source_import(source.pk)


def load_all(round_, user) -> dict:
    return {kind: load_list(round_, user, kind) for kind in LISTS}


def rule_run_now(*, user, round_, rule):
    """Ask for a run, then do it as the worker does (the task, under its lease)."""
    from crosscheck.tasks import run_rule

    run = runs.rule_run(user=user, round_=round_, rule=rule, send=False)
    run_rule(run.pk)
    run.refresh_from_db()
    return run

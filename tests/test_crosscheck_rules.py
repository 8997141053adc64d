"""Each shipped rule finds exactly its planted hits, nothing else; a re-run adds nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crosscheck.models import Hit, Row, Rule, Source
from crosscheck.services import sources
from crosscheck.services.rules import rule_create
from crosscheck.shipped import SHIPPED_RULES
from tests import test_clues_pages as clue_pages
from tests.crosscheck_fixtures import (
    EXPECTED,
    LISTS,
    ZHANG,
    csv_bytes,
    load_all,
    load_list,
    rule_run_now,
)


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return clue_pages.build_world()


@pytest.fixture
def loaded(w):
    return load_all(w.target.round, w.officer)


def found(rule: Rule) -> set[tuple[str, str]]:
    return {
        (hit.left_row.enterprise or hit.left_row.name, hit.right_row.name)
        for hit in Hit.objects.filter(rule=rule).select_related("left_row", "right_row")
    }


def test_every_shipped_rule_is_in_the_library(db):
    assert set(Rule.objects.filter(office=None).values_list("code", flat=True)) == {
        rule["code"] for rule in SHIPPED_RULES
    }
    assert set(EXPECTED) == {rule["code"] for rule in SHIPPED_RULES}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_shipped_rule_finds_exactly_its_planted_hits(w, loaded, code):
    rule = Rule.objects.get(code=code)
    run = rule_run_now(user=w.member, round_=w.target.round, rule=rule)
    assert found(rule) == EXPECTED[code]
    assert run.new_hits == len(EXPECTED[code])
    # No other rule's hits were made by this run.
    assert Hit.objects.exclude(rule=rule).count() == 0


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_a_second_run_adds_nothing(w, loaded, code):
    rule = Rule.objects.get(code=code)
    rule_run_now(user=w.officer, round_=w.target.round, rule=rule)
    before = list(Hit.objects.order_by("pk").values_list("pk", flat=True))
    again = rule_run_now(user=w.officer, round_=w.target.round, rule=rule)
    assert again.new_hits == 0
    assert list(Hit.objects.order_by("pk").values_list("pk", flat=True)) == before


def test_a_list_read_again_into_the_round_adds_only_its_new_pairs(w, loaded):
    round_ = w.target.round
    rule = Rule.objects.get(code="relief-assets")
    rule_run_now(user=w.officer, round_=round_, rule=rule)
    # The same list uploaded again is new rows: its pairs are new hits, once.
    load_list(round_, w.officer, "assets")
    assert rule_run_now(user=w.officer, round_=round_, rule=rule).new_hits == 1
    assert rule_run_now(user=w.officer, round_=round_, rule=rule).new_hits == 0


def test_bad_id_numbers_are_reported_by_row_and_never_match(w, loaded):
    relief = loaded["relief"]
    assert relief.status == Source.Status.DONE
    assert relief.rows == len(LISTS["relief"][1])
    assert relief.bad_count == 1
    assert relief.bad_rows == [[3, "身份证号", "校验码错误"]]
    bad = Row.objects.get(source=relief, line=3)
    assert bad.id_hash is None and bad.id_masked == ""


def test_no_raw_id_number_is_stored(w, loaded):
    for row in Row.objects.exclude(id_masked=""):
        assert "*" in row.id_masked
        assert row.id_hash and len(row.id_hash) == 32
    assert not Row.objects.filter(id_hash=ZHANG).exists()
    assert Row.objects.filter(id_masked=ZHANG[:6] + "********" + ZHANG[-4:]).exists()


def test_a_gbk_csv_and_an_xlsx_read_the_same(w):
    import io

    from openpyxl import Workbook

    round_ = w.target.round
    headers, rows = LISTS["cadres"]
    gbk = load_list(round_, w.officer, "cadres", csv_bytes(headers, rows, "gb18030"))
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    xlsx = load_list(round_, w.officer, "cadres", out.getvalue(), name="名单.xlsx")
    fields = ("line", "name", "id_hash", "role", "unit")
    assert list(Row.objects.filter(source=gbk).order_by("line").values_list(*fields)) == list(
        Row.objects.filter(source=xlsx).order_by("line").values_list(*fields)
    )
    assert Row.objects.filter(source=gbk, name="李梅", role="配偶").exists()


def test_the_mapping_is_saved_for_the_next_list_of_its_kind(w):
    round_ = w.target.round
    content = csv_bytes(["人员", "证件"], [["张三", ZHANG]])
    first = sources.source_upload(
        user=w.officer, round_=round_, kind="cadres", label="", upload=_file(content)
    )
    assert first.mapping == {}
    sources.source_set_mapping(
        user=w.officer, source=first, mapping={"name": "人员", "id_number": "证件"}
    )
    second = sources.source_upload(
        user=w.officer, round_=round_, kind="cadres", label="", upload=_file(content)
    )
    assert second.mapping == {"name": "人员", "id_number": "证件"}


def test_a_mapping_without_any_key_is_refused(w):
    content = csv_bytes(["金额"], [["1"]])
    source = sources.source_upload(
        user=w.officer, round_=w.target.round, kind="payments", label="", upload=_file(content)
    )
    with pytest.raises(ValidationError, match="至少要对应"):
        sources.source_set_mapping(user=w.officer, source=source, mapping={"amount": "金额"})
    source.refresh_from_db()
    assert source.status == Source.Status.MAPPING


def test_a_file_that_is_not_a_list_is_refused(w):
    with pytest.raises(ValidationError, match=r"\.xlsx 或 \.csv"):
        sources.source_upload(
            user=w.officer, round_=w.target.round, kind="payments", label="",
            upload=_file(b"%PDF-1.4", name="a.pdf"),
        )  # fmt: skip
    assert not Source.objects.exists()


def test_people_outside_the_round_may_not_upload_or_run(w, loaded):
    rule = Rule.objects.get(code="relief-assets")
    for outsider in (w.leadership, w.contact, w.dept_user):
        with pytest.raises(PermissionDenied):
            rule_run_now(user=outsider, round_=w.target.round, rule=rule)
        with pytest.raises(PermissionDenied):
            sources.source_upload(
                user=outsider, round_=w.target.round, kind="cadres", label="",
                upload=_file(csv_bytes(*LISTS["cadres"])),
            )  # fmt: skip


def test_an_office_adds_its_own_pairing_without_code(w, loaded):
    rule = rule_create(
        user=w.officer,
        name="低保 × 企业登记",
        description="低保对象在企业中任职：可能不符合保障条件。",
        left_kind="relief",
        key=Rule.Key.PERSON,
        right_kind="enterprises",
        params={"right_roles": "法定代表人、股东", "min_amount": "100"},
    )
    assert rule.params == {"right_roles": ["法定代表人", "股东"], "min_amount": "100"}
    run = rule_run_now(user=w.officer, round_=w.target.round, rule=rule)
    # 李梅 (spouse, shareholder of 乙) receives relief; nobody else on both lists.
    assert found(rule) == {("李梅", "李梅")}
    assert run.new_hits == 1


def test_a_team_may_not_add_rules(w):
    with pytest.raises(PermissionDenied):
        rule_create(
            user=w.member, name="x", description="x", left_kind="relief",
            key=Rule.Key.PERSON, right_kind="deceased",
        )  # fmt: skip


def test_held_data_becomes_a_name_only_list(w):
    from xuncha.orgs.models import CadreRelation

    cadre = w.member.cadre
    CadreRelation.objects.create(cadre=cadre, relation="spouse", name="配 偶甲", workplace="某公司")
    source = sources.source_from_held_data(user=w.officer, round_=w.target.round)
    assert source.status == Source.Status.DONE
    rows = Row.objects.filter(source=source)
    assert rows.filter(name="配偶甲", role__startswith="配偶").exists()
    assert rows.filter(name=cadre.name, role="本人").exists()
    assert not rows.exclude(id_hash=None).exists()


def _file(content: bytes, name: str = "名单.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_name_and_birth_date_are_kept_only_as_a_keyed_hash(w, loaded):
    qian = Row.objects.get(source=loaded["relief"], line=4)
    assert qian.id_masked and qian.birth_date is None
    assert len(qian.name_birth) == 32 and "钱七" not in qian.name_birth
    assert "1945" not in qian.name_birth
    # A row without an ID number keeps the birth date its list gave.
    feng = Row.objects.get(source=loaded["relief"], line=5)
    assert feng.id_masked == "" and feng.birth_date == datetime.date(1950, 5, 5)
    assert not Row.objects.filter(name_birth__contains="|").exists()


def test_a_row_with_an_id_still_matches_one_without_by_name_and_birth_date(w):
    round_ = w.target.round
    load_list(round_, w.officer, "relief")
    deceased = (
        ["姓名", "身份证号", "出生日期", "死亡日期"],
        [["钱七", "", "1945-03-03", "2023-01-01"]],
    )
    load_list(round_, w.officer, "deceased", csv_bytes(*deceased))
    rule = Rule.objects.get(code="relief-deceased")
    rule_run_now(user=w.officer, round_=round_, rule=rule)
    hits = Hit.objects.filter(rule=rule, left_row__name="钱七", right_row__name="钱七")
    assert [hit.basis for hit in hits] == [Hit.Basis.NAME_BIRTH]


def test_only_the_office_may_turn_the_cadre_pool_into_a_list(w):
    # The pool (relatives, work history) is office-only; a team would read it page by page.
    for user in (w.member, w.leader):
        with pytest.raises(PermissionDenied):
            sources.source_from_held_data(user=user, round_=w.target.round)
    assert not Source.objects.filter(file_format=Source.Format.HELD).exists()


def test_the_migration_hashes_rows_read_before_it(w, loaded):
    import importlib

    from django.apps import apps

    from crosscheck import normalize

    migration = importlib.import_module("crosscheck.migrations.0002_hash_name_birth")
    qian = Row.objects.get(source=loaded["relief"], line=4)
    Row.objects.filter(pk=qian.pk).update(
        birth_date=datetime.date(1945, 3, 3), name_birth="钱七|1945-03-03"
    )
    migration.hash_existing(apps, None)
    qian.refresh_from_db()
    assert qian.birth_date is None
    assert qian.name_birth == normalize.name_birth_key("钱七", datetime.date(1945, 3, 3))

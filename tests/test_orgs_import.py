"""Importing the office's Excel ledgers: preview first, then every row or none.

The files are built here with openpyxl, with the headers of the office's template.
"""

import io
from io import StringIO

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from tests.factories import OrganizationFactory, RegionFactory, SpecialtyFactory, make_user
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.orgs.imports import SpreadsheetError, read_xlsx, row_problems, run_import
from xuncha.orgs.models import Cadre, Organization
from xuncha.orgs.resources import CadreResource, OrganizationResource

pytestmark = pytest.mark.django_db

ORG_HEADERS = [
    "组织编码",
    "党组织名称",
    "单位简称",
    "上级组织编码",
    "组织类别",
    "领域",
    "层级",
    "所属区县（市）",
    "主要负责人",
    "主要负责人职务",
]
CADRE_HEADERS = [
    "干部编号",
    "姓名",
    "性别",
    "所在单位编码",
    "职务",
    "职级",
    "组长库",
    "人才库",
    "专业特长",
    "联系电话",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows, headers=ORG_HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def org_row(
    code,
    name,
    *,
    short="简称",
    parent=None,
    kind="党委",
    sector="党政机关",
    level="市直",
    region=None,
    leader="张三",
    title="书记",
) -> list:
    return [code, name, short, parent, kind, sector, level, region, leader, title]


@pytest.fixture
def office():
    return make_user(Role.OFFICE)


@pytest.fixture
def lixia():
    return RegionFactory(name="历下区")


@pytest.fixture
def good_file(lixia):
    return xlsx(
        [
            org_row("370100-001", "中共测试市财政局党组", kind="党组", leader="王财", title="局长"),
            org_row("370102-001", "中共历下区委员会", level="区县", region="历下区"),
            # The parent is the row above: a file can carry a whole subtree.
            org_row(
                "370102-101",
                "中共历下区某街道工作委员会",
                parent="370102-001",
                kind="党工委",
                sector="乡镇（街道）",
                level="乡镇",
                region="历下区",
            ),
        ]
    )


@pytest.fixture
def bad_file(lixia):
    return xlsx(
        [
            org_row("370100-001", "中共测试市财政局党组"),
            org_row("370100-002", "中共测试市某局党小组", kind="党小组"),  # sheet row 3
            org_row("370199-001", "中共火星区委员会", level="区县", region="火星区"),  # row 4
            org_row("370100-003", None),  # row 5
        ]
    )


def import_organizations(content: bytes, user, *, dry_run: bool):
    resource = OrganizationResource(user=user)
    return run_import(resource=resource, dataset=read_xlsx(content), user=user, dry_run=dry_run)


# --- reading the file -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "文件是空的", id="empty"),
        pytest.param("组织编码,党组织名称\nA1,甲\n".encode(), "不是 Excel", id="csv"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "不是 Excel", id="exe"),
        pytest.param(b"PK\x03\x04 not really a zip", "无法读取", id="broken-zip"),
    ],
)
def test_read_xlsx_refuses_what_is_not_a_readable_workbook(content, message):
    with pytest.raises(SpreadsheetError, match=message):
        read_xlsx(content)


def test_read_xlsx_refuses_a_sheet_with_headers_only():
    with pytest.raises(SpreadsheetError, match="没有数据行"):
        read_xlsx(xlsx([]))


def test_wrong_headers_are_refused_naming_the_missing_columns(office):
    content = xlsx([["A1", "甲", "党委"]], headers=["编码", "党组织名称", "类别"])
    with pytest.raises(SpreadsheetError, match="缺少列") as error:
        import_organizations(content, office, dry_run=True)
    assert "组织编码" in str(error.value)
    assert "组织类别" in str(error.value)
    assert "党组织名称" not in str(error.value).split("缺少列")[1]
    assert Organization.objects.count() == 0


# --- preview and commit ---------------------------------------------------------------


def test_dry_run_of_a_good_file_writes_nothing(office, good_file):
    result = import_organizations(good_file, office, dry_run=True)

    assert row_problems(result) == []
    assert result.totals["new"] == 3
    assert Organization.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_good_file_imports_every_row_and_audits_it(office, good_file, lixia):
    result = import_organizations(good_file, office, dry_run=False)

    assert row_problems(result) == []
    bureau = Organization.objects.get(code="370100-001")
    assert bureau.name == "中共测试市财政局党组"
    assert bureau.kind == Organization.Kind.LEADING_GROUP
    assert bureau.sector == Organization.Sector.GOVERNMENT
    assert bureau.level == Organization.Level.CITY
    assert bureau.region is None
    assert (bureau.leader_name, bureau.leader_title) == ("王财", "局长")
    street = Organization.objects.get(code="370102-101")
    assert street.parent == Organization.objects.get(code="370102-001")
    assert street.region == lixia
    assert street.kind == Organization.Kind.WORKING_COMMITTEE

    imports = AuditEntry.objects.filter(action="import.organization")
    assert imports.count() == 1
    assert imports.get().actor == office
    assert imports.get().data["rows"] == 3
    creates = AuditEntry.objects.filter(action="organization.create")
    assert creates.count() == 3
    assert {e.actor_id for e in creates} == {office.pk}
    call_command("audit_verify", stdout=StringIO())


def test_reimporting_the_same_file_changes_nothing_and_an_edit_is_an_update(office, good_file):
    import_organizations(good_file, office, dry_run=False)
    result = import_organizations(good_file, office, dry_run=False)
    assert result.totals["skip"] == 3
    assert not AuditEntry.objects.filter(action="organization.update").exists()

    renamed = xlsx([org_row("370100-001", "中共测试市财政局党组（更名）", kind="党组")])
    import_organizations(renamed, office, dry_run=False)
    assert Organization.objects.get(code="370100-001").name.endswith("（更名）")
    assert AuditEntry.objects.filter(action="organization.update").count() == 1
    assert Organization.objects.count() == 3


def test_bad_rows_are_reported_by_sheet_row_with_chinese_messages(office, bad_file):
    result = import_organizations(bad_file, office, dry_run=True)

    problems = row_problems(result)
    by_row = {p.row_number: p for p in problems}
    assert sorted(by_row) == [3, 4, 5]  # the header is sheet row 1; row 2 is fine
    assert "「党小组」不是有效值" in by_row[3].message
    assert "党委" in by_row[3].message  # lists what is allowed
    assert "「火星区」不存在" in by_row[4].message
    assert "不能为" in by_row[5].message  # 不能为空 / 不能为 null
    assert Organization.objects.count() == 0


def test_bad_rows_name_the_column_as_the_sheet_heads_it(office, bad_file):
    problems = row_problems(import_organizations(bad_file, office, dry_run=True))
    assert [(p.row_number, p.column) for p in problems] == [
        (3, "组织类别"),
        (4, "所属区县（市）"),
        (5, "党组织名称"),
    ]


def test_commit_with_one_bad_row_writes_nothing(office, bad_file):
    existing = OrganizationFactory()
    result = import_organizations(bad_file, office, dry_run=False)

    assert result.has_validation_errors()
    assert list(Organization.objects.all()) == [existing]
    assert AuditEntry.objects.count() == 0


def test_blank_optional_cells_are_accepted(office):
    content = xlsx(
        [org_row("370100-009", "中共测试市某局党组", short=None, leader=None, title=None)]
    )
    result = import_organizations(content, office, dry_run=False)
    assert row_problems(result) == []
    organization = Organization.objects.get(code="370100-009")
    assert (organization.short_name, organization.leader_name) == ("", "")


def test_dry_run_reports_a_parent_cycle_like_the_commit_does(office):
    # The preview must refuse what the commit will refuse, or the office is
    # told a file is fine and then that it is not.
    top = OrganizationFactory(code="A1")
    OrganizationFactory(code="A2", parent=top)
    content = xlsx([org_row("A1", "中共甲委员会", parent="A2")])

    preview = row_problems(import_organizations(content, office, dry_run=True))
    commit = row_problems(import_organizations(content, office, dry_run=False))

    assert commit, "the commit refuses a cycle"
    assert preview == commit
    top.refresh_from_db()
    assert top.parent is None


# --- cadres ------------------------------------------------------------------------------


def test_good_cadre_file_imports_with_pools_and_specialties(office):
    unit = OrganizationFactory(code="370100-001")
    finance, audit = SpecialtyFactory(name="财务"), SpecialtyFactory(name="审计")
    content = xlsx(
        [
            [
                "GB001",
                "张组长",
                "男",
                "370100-001",
                "副局长",
                "处级",
                "是",
                "否",
                "财务、审计",
                "13800000000",
            ],
            [
                "GB002",
                "李干事",
                "女",
                "370100-001",
                "科员",
                "科级",
                "否",
                "是",
                "审计",
                "13900000000",
            ],
        ],
        headers=CADRE_HEADERS,
    )
    resource = CadreResource(user=office)
    result = run_import(resource=resource, dataset=read_xlsx(content), user=office, dry_run=False)

    assert row_problems(result) == []
    leader = Cadre.objects.get(code="GB001")
    assert leader.organization == unit
    assert leader.gender == "M"
    assert leader.rank == Cadre.Rank.DEPARTMENT
    assert (leader.in_leader_pool, leader.in_talent_pool) == (True, False)
    assert set(leader.specialties.all()) == {finance, audit}
    member = Cadre.objects.get(code="GB002")
    assert (member.in_leader_pool, member.in_talent_pool) == (False, True)
    assert AuditEntry.objects.filter(action="cadre.create").count() == 2
    assert AuditEntry.objects.filter(action="import.cadre").count() == 1


def test_unknown_specialty_is_refused_not_dropped(office):
    OrganizationFactory(code="370100-001")
    SpecialtyFactory(name="财务")
    content = xlsx(
        [["GB001", "张组长", "男", "370100-001", "副局长", "处级", "是", "否", "财物", "138"]],
        headers=CADRE_HEADERS,
    )
    resource = CadreResource(user=office)
    result = run_import(resource=resource, dataset=read_xlsx(content), user=office, dry_run=True)
    problems = row_problems(result)
    assert [p.row_number for p in problems] == [2]
    assert "财物" in problems[0].message


# --- the admin import page ----------------------------------------------------------------


def upload(content: bytes, name="组织.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_TYPE)


def post_import(client, url_name, content):
    # ImportForm (django-import-export 4.x): resource (hidden, one resource),
    # import_file, format (index into IMPORT_EXPORT_FORMATS).
    return client.post(
        reverse(url_name),
        {"resource": "0", "format": "0", "import_file": upload(content)},
    )


def confirm_import(client, url_name, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(reverse(url_name), data)


def test_admin_import_preview_shows_chinese_errors_and_offers_no_confirm(client, office, bad_file):
    client.force_login(office)
    response = post_import(client, "admin:orgs_organization_import", bad_file)

    assert response.status_code == 200
    html = response.content.decode()
    assert "「党小组」不是有效值" in html
    assert "「火星区」不存在" in html
    assert response.context.get("confirm_form") is None
    assert reverse("admin:orgs_organization_process_import") not in html
    assert Organization.objects.count() == 0


def test_admin_import_preview_then_confirm_imports_and_audits(client, office, good_file):
    client.force_login(office)
    preview = post_import(client, "admin:orgs_organization_import", good_file)
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert Organization.objects.count() == 0

    response = confirm_import(client, "admin:orgs_organization_process_import", preview)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:orgs_organization_changelist")
    assert Organization.objects.count() == 3
    creates = AuditEntry.objects.filter(action="organization.create")
    assert creates.count() == 3
    assert {(e.actor_id, e.ip_address) for e in creates} == {(office.pk, "127.0.0.1")}
    call_command("audit_verify", stdout=StringIO())


def test_admin_confirm_writes_nothing_if_a_row_turned_bad_after_the_preview(
    client, office, good_file, lixia
):
    client.force_login(office)
    preview = post_import(client, "admin:orgs_organization_import", good_file)
    assert preview.context["confirm_form"] is not None
    lixia.name = "历下区（已更名）"  # two of the three rows name the old region
    lixia.save()

    response = confirm_import(client, "admin:orgs_organization_process_import", preview)

    assert Organization.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="organization.").exists()
    # ...and the office is told so, not "导入成功".
    notes = list(get_messages(response.wsgi_request))
    assert not any("成功" in str(note) for note in notes)
    assert any(note.level == messages.ERROR for note in notes)


def test_admin_import_records_the_import_itself(client, office, good_file):
    client.force_login(office)
    preview = post_import(client, "admin:orgs_organization_import", good_file)
    confirm_import(client, "admin:orgs_organization_process_import", preview)
    entry = AuditEntry.objects.get(action="import.organization")
    assert entry.actor == office


def test_admin_import_with_wrong_headers_says_which_columns_are_missing(client, office):
    client.force_login(office)
    content = xlsx([["A1", "甲", "党委"]], headers=["编码", "党组织名称", "类别"])
    response = post_import(client, "admin:orgs_organization_import", content)
    html = response.content.decode()
    assert response.status_code == 200
    assert "缺少列" in html
    assert response.context.get("confirm_form") is None
    assert Organization.objects.count() == 0


def test_admin_import_of_a_non_excel_file_says_so_in_chinese(client, office):
    client.force_login(office)
    response = post_import(
        client, "admin:orgs_organization_import", "组织编码,党组织名称\nA1,甲\n".encode()
    )
    assert response.status_code == 200
    assert "不是 Excel" in response.content.decode()
    assert response.context.get("confirm_form") is None


def test_admin_cadre_import_preview_then_confirm(client, office):
    OrganizationFactory(code="370100-001")
    SpecialtyFactory(name="财务")
    content = xlsx(
        [["GB001", "张组长", "男", "370100-001", "副局长", "处级", "是", "是", "财务", "138"]],
        headers=CADRE_HEADERS,
    )
    client.force_login(office)
    preview = post_import(client, "admin:orgs_cadre_import", content)
    assert preview.context["confirm_form"] is not None

    response = confirm_import(client, "admin:orgs_cadre_process_import", preview)

    assert response.status_code == 302
    cadre = Cadre.objects.get(code="GB001")
    assert cadre.in_leader_pool
    assert [s.name for s in cadre.specialties.all()] == ["财务"]
    assert AuditEntry.objects.get(action="cadre.create").actor == office


@pytest.mark.django_db
def test_chinese_labels_import_while_the_page_is_in_english():
    """The office's sheets are Chinese; an English UI must not make 党组 unknown."""
    from django.utils import translation

    from xuncha.orgs.models import Organization
    from xuncha.orgs.resources import ChoiceLabelWidget

    widget = ChoiceLabelWidget(Organization.Kind.choices)
    with translation.override("en"):
        assert widget.clean("党组") == Organization.Kind.LEADING_GROUP
        assert widget.render(Organization.Kind.LEADING_GROUP) == "党组"


def test_admin_import_of_an_xlsx_bomb_is_refused_before_parsing(client, office, settings):
    """The admin's import form goes through read_xlsx too: the zip directory is
    judged before openpyxl opens anything."""
    import zipfile

    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_MB = 2
    source = zipfile.ZipFile(io.BytesIO(xlsx([org_row("X-1", "甲单位党委")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<sheetData>", b"<!--" + b"x" * 3 * 1024 * 1024 + b"-->" + b"<sheetData>", 1
                )
            bomb.writestr(info.filename, data)
    client.force_login(office)
    response = post_import(client, "admin:orgs_organization_import", out.getvalue())
    assert response.status_code == 200
    assert "解压后达 3 MB，超过 2 MB 的上限" in response.content.decode()
    assert Organization.objects.count() == 0

"""A whole past term imported from files made by LibreOffice, and its
published figures read back from the dashboard exactly (issue 13).

The synthetic term has the size of one city's published 2017 figures: 339
organizations inspected in two rounds by five teams, 1,931 problems, 241
clues transferred, 16 cases filed (立案), 20 people disciplined (处分, in
people: four cases discipline two), 2 sent to justice. Its rectification
ledgers carry dated history (an item closed in 2022 is dated 2022). Every
file is written as CSV or filled in the downloaded template with openpyxl,
and saved as .xlsx by LibreOffice (soffice --headless --convert-to xlsx), as
an office's own sheets are.
"""

import csv
import datetime
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from clues.models import Clue, Disposition, DispositionPerson
from portal.dashboard.figures import Reach, Scope, compute_figures, compute_options
from rectification.models import Item, LedgerEntry
from rounds.models import Problem, Round, Target, Team
from tests.factories import DepartmentFactory, OrganizationFactory
from xuncha.audit.models import AuditEntry
from xuncha.imports import services
from xuncha.imports.kinds import get_kind
from xuncha.imports.models import ImportJob
from xuncha.orgs.models import Organization

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports_urls")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

ORGANIZATIONS = 339
PROBLEMS = 1931
CLUES = 241
CASES = 16
DISCIPLINED = 20  # people: cases 0-3 discipline two, cases 4-15 one
JUSTICE = 2
ITEM_TARGETS = 10  # the first ten targets' ledgers, six problems each
TEAMS = 5


def soffice(tmp_path: Path, sources: list[Path]) -> dict[str, bytes]:
    """Each source (CSV or .xlsx) saved by LibreOffice as .xlsx: {stem: bytes}."""
    assert SOFFICE, "LibreOffice is needed: apt-get install libreoffice-calc-nogui"
    out = tmp_path / "lo-out"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--infilter=CSV:44,34,76,1",  # comma, double quote, UTF-8, from line 1
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *[str(source) for source in sources],
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {source.stem: (out / f"{source.stem}.xlsx").read_bytes() for source in sources}


def write_csv(path: Path, headers: list[str], rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
    return path


def code(i: int) -> str:
    return f"3702-{i + 1:04d}"


def team_of(i: int) -> int:
    return i % TEAMS + 1


def round_of(i: int) -> int:
    return 1 if i < 170 else 2


def problem_count(i: int) -> int:
    # 1,931 = 339 × 5 + 236: the first 236 targets have six problems.
    return 6 if i < PROBLEMS - ORGANIZATIONS * 5 else 5


def organization_rows() -> list[list]:
    rows = []
    for i in range(ORGANIZATIONS):
        rows.append(
            [
                code(i),
                f"中共测试市第{i + 1}单位委员会",
                f"第{i + 1}单位",
                "",
                "党委",
                "国有企业" if i % 3 else "党政机关",
                "市直",
                "",
                f"负责人{i + 1}",
                "党委书记",
            ]
        )
    return rows


def round_rows() -> list[list]:
    rows = []
    for i in range(ORGANIZATIONS):
        number = round_of(i)
        start = datetime.date(2017, 3, 1) if number == 1 else datetime.date(2017, 8, 1)
        rows.append(
            [
                12,
                number,
                2017,
                "常规",
                "",
                start.isoformat(),
                (start + datetime.timedelta(days=90)).isoformat(),
                "归档",
                team_of(i),
                "",
                "",  # 组长, 副组长, 组员: the published figures name no one
                "",
                "",
                code(i),
                "",
                (start + datetime.timedelta(days=10)).isoformat(),
                (start + datetime.timedelta(days=40)).isoformat(),
                (start + datetime.timedelta(days=70)).isoformat(),
                "已完成",
            ]
        )
    return rows


def problem_rows() -> list[list]:
    rows = []
    sources, severities = ["谈话", "调阅", "信访", "走访"], ["一般", "较重", "严重"]
    n = 0
    for i in range(ORGANIZATIONS):
        for k in range(problem_count(i)):
            rows.append(
                [
                    None,
                    code(i),
                    12,
                    round_of(i),
                    "C06",
                    f"第{i + 1}单位问题{k + 1}：公款存放不规范。",
                    sources[n % 4],
                    severities[n % 3],
                    "是" if n % 10 == 0 else "否",
                    datetime.date(2017, 4, 1) + datetime.timedelta(days=n % 20),
                    "已反馈",
                ]
            )
            n += 1
    return rows


def clue_number(c: int) -> str:
    return f"XC2017-{c + 1:05d}"


def clue_rows() -> list[list]:
    rows = []
    for c in range(CLUES):
        i = (c * 7) % ORGANIZATIONS
        if c < CASES:
            method, final, money, closed = "立案审查调查", "是", 10000 * (c + 1), "2018-01-20"
        elif c % 3 == 0:
            method, final, money, closed = "谈话函询", "是", "", "2017-12-01"
        elif c % 3 == 1:
            method, final, money, closed = "初步核实", "否", "", ""
        else:
            method, final, money, closed = "", "", "", ""
        rows.append(
            [
                clue_number(c),
                "",
                code(i),
                12,
                round_of(i),
                f"被反映人{c + 1}",
                "科长",
                "乡科级",
                "否",
                "廉洁纪律",
                "信访",
                "秘密",
                f"反映第{c + 1}条问题线索。",
                "市纪委监委",
                "否",
                "2017-05-10",
                "2017-05-12",
                "2017-05-15",
                method,
                "2017-09-30" if method else "",
                final,
                money,
                "处置说明" if method else "",
                closed,
            ]
        )
    return rows


def people_rows() -> list[list]:
    rows = []
    for c in range(CASES):
        rows.append(
            [
                clue_number(c),
                f"被反映人{c + 1}",
                "科长",
                "开除党籍" if c < JUSTICE else "警告",
                "开除" if c < JUSTICE else "",
                "",
                "是" if c < JUSTICE else "否",
            ]
        )
        if c < 4:
            rows.append([clue_number(c), f"同案人员{c + 1}", "会计", "", "记过", "", "否"])
    # Organizational handling after a talk: not 处分, not counted in the headline.
    rows.append([clue_number(CASES + 2), f"被反映人{CASES + 3}", "科长", "", "", "诫勉", "否"])
    return rows


def item_rows() -> list[list]:
    """Every problem of the first ten targets; each item's history in rows.
    Target 0's items were closed in 2022; the others' in 2018, but for the
    last item of each target, still in progress."""
    rows = []
    for i in range(ITEM_TARGETS):
        for k in range(problem_count(i)):
            base = [
                None,
                code(i),
                12,
                round_of(i),
                None,
                f"第{i + 1}单位问题{k + 1}：公款存放不规范。",
                "规范资金存放管理。",
                "限期整改",
                "",
                "财务负责人",
                "",
                "2017-12-31",
            ]
            rows.append([*base, "整改中", "2017-07-01", 50, "", 0, 0, "已启动整改"])
            if k < problem_count(i) - 1:
                closed = "2022-06-30" if i == 0 else "2018-03-01"
                rows.append([*base, "已销号", closed, 100, "", 1, 1000, "整改完毕"])
    return rows


def filled_template(client, kind: str, rows: list[list], path: Path) -> Path:
    """The downloaded template (its example row left in), filled in with openpyxl."""
    response = client.get(reverse("imports:template", args=[kind]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    workbook.save(path)
    return path


@pytest.fixture
def office(office_user):
    office_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
    )
    office_user = type(office_user).objects.get(pk=office_user.pk)  # permissions read again
    DepartmentFactory(code="JW", name="市纪委监委")
    return office_user


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """The queued task runs at once, as the worker would after the commit."""
    monkeypatch.setattr(services, "run_in_worker", lambda task, job_id: task(job_id))


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def import_file(user, kind: str, content: bytes, name: str) -> ImportJob:
    job = services.import_upload(user=user, kind=kind, upload=upload(content, name))
    assert job.status == ImportJob.Status.VALID, (kind, job.message, job.problems[:5])
    job = services.import_confirm(job=job, user=user)
    assert job.status == ImportJob.Status.DONE, (kind, job.message, job.problems[:5])
    return job


@pytest.fixture
def files(tmp_path, client, office):
    client.force_login(office)
    sources = [
        write_csv(
            tmp_path / "organizations.csv", get_kind("organizations").headers, organization_rows()
        ),
        write_csv(tmp_path / "rounds.csv", get_kind("rounds").headers, round_rows()),
        write_csv(tmp_path / "clues.csv", get_kind("clues").headers, clue_rows()),
        write_csv(tmp_path / "clue_people.csv", get_kind("clue_people").headers, people_rows()),
        write_csv(tmp_path / "items.csv", get_kind("items").headers, item_rows()),
        # Problems: the template itself, example row and drop-downs included.
        filled_template(client, "problems", problem_rows(), tmp_path / "problems.xlsx"),
    ]
    return soffice(tmp_path, sources)


def test_a_whole_past_term_from_libreoffice_files_gives_back_its_published_figures(office, files):
    jobs = {
        kind: import_file(office, kind, files[kind], f"{kind}.xlsx")
        for kind in ("organizations", "rounds", "problems", "clues", "clue_people", "items")
    }

    assert jobs["problems"].totals["new"] == PROBLEMS  # the example row was not imported
    reach = Reach.of(office.office)
    figures = compute_figures(reach, Scope(term=12, year=2017), compute_options(reach))
    assert figures["targets"]["organizations"] == ORGANIZATIONS
    assert figures["coverage"]["covered"] == ORGANIZATIONS
    assert figures["problems"]["total"] == PROBLEMS
    assert figures["problems"]["immediate"] == len(range(0, PROBLEMS, 10))
    assert figures["clues"] == {
        "transferred": CLUES,
        "cases": CASES,
        "disciplined": DISCIPLINED,
        "justice": JUSTICE,
    }
    items = sum(problem_count(i) for i in range(ITEM_TARGETS))
    assert figures["items"]["total"] == items
    assert figures["items"]["done"] == items - ITEM_TARGETS
    # Money: the cases' (10,000 × 1..16) and the closed items' (1,000 each).
    money = sum(10000 * (c + 1) for c in range(CASES)) + 1000 * (items - ITEM_TARGETS)
    assert figures["money"]["yuan"] == f"{money}.00"

    # Rounds, teams and targets as the sheet gave them.
    assert Round.objects.filter(term=12, year=2017).count() == 2
    assert Team.objects.filter(round__term=12).count() == 2 * TEAMS
    assert Target.objects.filter(status=Target.Status.CLOSED).count() == ORGANIZATIONS


def test_imported_history_keeps_its_own_numbers_and_dates_and_is_marked_imported(office, files):
    for kind in ("organizations", "rounds", "problems", "clues", "clue_people", "items"):
        import_file(office, kind, files[kind], f"{kind}.xlsx")

    clue = Clue.objects.get(number="XC2017-00001")
    assert clue.status == Clue.Status.CLOSED
    assert [clue.submitted_at.year, clue.approved_at.year, clue.received_at.year] == [2017] * 3
    assert clue.closed_at.date() == datetime.date(2018, 1, 20)
    disposition = clue.dispositions.get()
    assert disposition.reported_at.date() == datetime.date(2017, 9, 30)
    assert [p.name for p in disposition.people.order_by("name")] == ["同案人员1", "被反映人1"]
    assert not Clue.objects.filter(number__startswith="XC2026").exists()

    closed_2022 = Item.objects.filter(organization__code=code(0), state=Item.State.CLOSED)
    assert closed_2022.count() == problem_count(0) - 1
    assert {item.closed_at.year for item in closed_2022} == {2022}
    entries = LedgerEntry.objects.filter(item__in=closed_2022).order_by("created_at")
    assert {e.created_at.date() for e in entries} == {
        datetime.date(2017, 7, 1),
        datetime.date(2022, 6, 30),
    }
    assert {(e.state_before, e.state_after) for e in entries} == {
        ("planning", "in_progress"),
        ("in_progress", "closed"),
    }

    for action, count in [
        ("problem.import", PROBLEMS),
        ("clue.import", CLUES),
        ("target.import", ORGANIZATIONS),
        ("item.import", sum(problem_count(i) for i in range(ITEM_TARGETS))),
        ("organization.create", ORGANIZATIONS),
    ]:
        entries = AuditEntry.objects.filter(action=action)
        assert entries.count() == count, action
        assert all(entry.data.get("imported") for entry in entries[:50]), action


def test_a_duplicate_row_and_a_re_upload_are_refused_with_nothing_written(office, files):
    for kind in ("organizations", "rounds"):
        import_file(office, kind, files[kind], f"{kind}.xlsx")
    problems = import_file(office, "problems", files["problems"], "problems.xlsx")
    assert Problem.objects.count() == PROBLEMS

    # The same file again: refused at upload, by its content.
    with pytest.raises(Exception, match=r"已于 .* 导入过") as refused:
        services.import_upload(
            user=office, kind="problems", upload=upload(files["problems"], "again.xlsx")
        )
    assert refused.type.__name__ == "ValidationError"
    assert str(problems.pk) in str(refused.value)

    # An edited file: one new problem, one already imported, and one row twice.
    headers = get_kind("problems").headers
    new = [
        None,
        code(1),
        12,
        1,
        "C06",
        "新问题：未公开招标。",
        "调阅",
        "一般",
        "否",
        "2017-05-01",
        "已反馈",
    ]
    old = problem_rows()[0]
    old[9] = old[9].isoformat()
    content = _lo_xlsx(office, headers, [new, old, new])
    job = services.import_upload(user=office, kind="problems", upload=upload(content, "edit.xlsx"))
    assert job.status == ImportJob.Status.INVALID
    by_row = {row: reason for row, _column, reason in job.problems}
    assert "系统中已有这条记录" in by_row[3]
    assert "与第 2 行重复" in by_row[4]
    assert (job.totals["new"], job.totals["duplicate"]) == (1, 2)
    assert Problem.objects.count() == PROBLEMS  # nothing written


def test_a_re_uploaded_organization_file_that_is_edited_shows_updated_and_unchanged_rows(
    office, files
):
    import_file(office, "organizations", files["organizations"], "organizations.xlsx")
    headers = get_kind("organizations").headers
    rows = organization_rows()[:3]
    rows[0][1] = "中共测试市第1单位委员会（更名）"
    job = services.import_upload(
        user=office,
        kind="organizations",
        upload=upload(_lo_xlsx(office, headers, rows), "orgs.xlsx"),
    )
    assert job.status == ImportJob.Status.VALID
    assert (job.totals["updated"], job.totals["unchanged"], job.totals["new"]) == (1, 2, 0)
    assert job.totals["samples"]["updated"][0][0] == 2
    job = services.import_confirm(job=job, user=office)
    assert Organization.objects.get(code=code(0)).name.endswith("（更名）")


def _lo_xlsx(user, headers, rows) -> bytes:
    folder = Path(tempfile.mkdtemp(prefix="lo-"))
    try:
        return soffice(folder, [write_csv(folder / "sheet.csv", headers, rows)])["sheet"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_organization_import_refuses_a_code_given_twice(office, tmp_path):
    headers = get_kind("organizations").headers
    rows = [*organization_rows()[:2], organization_rows()[0]]
    content = soffice(tmp_path, [write_csv(tmp_path / "orgs.csv", headers, rows)])["orgs"]
    job = services.import_upload(
        user=office, kind="organizations", upload=upload(content, "o.xlsx")
    )
    assert job.status == ImportJob.Status.INVALID
    assert job.problems == [[4, "", "与第 2 行重复（按组织编码识别），同一条记录只能填写一行。"]]
    assert not Organization.objects.filter(code__startswith="3702-").exists()


def test_a_missing_required_header_is_reported_with_every_row_error(office, tmp_path):
    OrganizationFactory(code=code(0))
    headers = [h for h in get_kind("organizations").headers if h != "层级"]
    rows = [
        [v for h, v in zip(get_kind("organizations").headers, row, strict=True) if h != "层级"]
        for row in organization_rows()[:3]
    ]
    rows[1][4] = "党小组"  # 组织类别: not a choice
    rows[2][5] = ""  # 领域: required
    content = soffice(tmp_path, [write_csv(tmp_path / "orgs.csv", headers, rows)])["orgs"]
    job = services.import_upload(
        user=office, kind="organizations", upload=upload(content, "o.xlsx")
    )
    assert job.status == ImportJob.Status.INVALID
    assert [1, "层级", "缺少必填列（表头），该列的内容无法校验。"] in job.problems
    columns = {(row, column) for row, column, _reason in job.problems}
    assert {(3, "组织类别"), (4, "领域")} <= columns
    assert not Organization.objects.filter(code=code(1)).exists()


def test_the_template_has_drop_downs_the_allowed_values_and_a_marked_example_row(client, office):
    client.force_login(office)
    response = client.get(reverse("imports:template", args=["clue_people"]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    data, notes = workbook.worksheets[0], workbook["填写说明"]
    header = [cell.value for cell in data[1]]
    assert header[0] == "序号" and data["A2"].value == "示例"
    validated = {
        str(v.sqref).split(":")[0][:-1]: v.formula1 for v in data.data_validations.dataValidation
    }
    party = "ABCDEFGH"[header.index("党纪处分")]
    assert party in validated
    rows = {row[0].value: [c.value for c in row] for row in notes.iter_rows(min_row=2)}
    assert rows["党纪处分"][1].startswith("选填")
    assert "严重警告" in rows["党纪处分"][2]
    assert rows["识别方式"][1] == "交接单编号和姓名"


def test_a_disposition_person_whose_outcome_the_method_cannot_produce_is_refused(office, files):
    for kind in ("organizations", "rounds", "clues"):
        import_file(office, kind, files[kind], f"{kind}.xlsx")
    talk = clue_number(CASES + 2)  # 谈话函询
    content = _lo_xlsx(
        office,
        get_kind("clue_people").headers,
        [[talk, "某人", "", "警告", "", "", "否"]],
    )
    job = services.import_upload(user=office, kind="clue_people", upload=upload(content, "p.xlsx"))
    assert job.status == ImportJob.Status.INVALID
    assert "处置方式为“谈话函询”时只能记录组织处理，不能记录党纪处分" in job.problems[0][2]
    assert not DispositionPerson.objects.exists()
    assert Disposition.objects.count() == sum(1 for row in clue_rows() if row[18])

"""Importing problems and rectification ledgers from the office's Excel files:
checked first, every bad row listed, nothing written until confirmed, then
all rows or none; refusals for files that are not what they should be."""

import csv
import datetime
import io
import shutil
import subprocess
import zipfile

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from rectification.models import Item, LedgerEntry, Plan
from rounds.models import Problem, Round
from tests.factories import OfficeFactory, make_user
from tests.reports_data import build_city
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.imports import services
from xuncha.imports.kinds import get_kind
from xuncha.imports.models import ImportJob

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports_urls")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM_HEADERS = get_kind("problems").headers
ITEM_HEADERS = get_kind("items").headers


def xlsx(rows, headers=PROBLEM_HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problem_row(description="新导入的问题：公款存放不规范。", **changes) -> list:
    row = {
        "巡察对象编号": None,
        "组织编码": "C-CZJ",
        "届次": 13,
        "轮次": 1,
        "问题类别": "C06",
        "问题描述": description,
        "问题来源": "调阅",
        "严重程度": "一般",
        "立行立改": "否",
        "发现日期": datetime.date(2025, 4, 2),
        "问题状态": "",
    }
    row.update(changes)
    return [row[header] for header in PROBLEM_HEADERS]


def upload(content: bytes, name="问题.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


@pytest.fixture
def city(office_user):
    return build_city(office_user)


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """The queued task runs at once, as the worker would after the commit
    (the test's transaction never commits). Returns the real queueing."""
    queue = services.run_in_worker
    monkeypatch.setattr(services, "run_in_worker", lambda task, job_id: task(job_id))
    return queue


def imported_problems():
    return Problem.objects.filter(description__startswith="新导入")


def test_a_good_file_is_checked_first_and_written_only_when_confirmed(city):
    content = xlsx([problem_row(), problem_row("新导入的问题二", 问题类别="违规公款吃喝")])

    job = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))

    assert job.status == ImportJob.Status.VALID
    assert job.rows == 2 and job.problems == []
    assert not imported_problems().exists()
    assert job.file.name.startswith("imports/") and "问题" not in job.file.name

    job = services.import_confirm(job=job, user=city.office_user)

    assert job.status == ImportJob.Status.DONE
    problems = list(imported_problems().order_by("pk"))
    assert [p.category.code for p in problems] == ["C06", "C05"]
    first = problems[0]
    assert first.target == city.target and first.round == city.round and first.team == city.team
    assert first.status == Problem.Status.FED_BACK  # the target was fed back
    assert first.found_by == city.office_user
    assert first.source == Problem.Source.DOCUMENTS and first.severity == Problem.Severity.MINOR
    assert AuditEntry.objects.filter(action="problem.import").count() == 2
    assert AuditEntry.objects.filter(action="import.problems").count() == 1


def test_confirming_twice_imports_once(city):
    job = services.import_upload(
        user=city.office_user, kind="problems", upload=upload(xlsx([problem_row()]))
    )
    services.import_confirm(job=job, user=city.office_user)
    job = services.import_confirm(job=job, user=city.office_user)

    assert job.status == ImportJob.Status.DONE
    assert imported_problems().count() == 1
    # And the commit task delivered twice finds the job done.
    services.import_commit(job.pk)
    assert imported_problems().count() == 1


def test_every_bad_row_is_listed_with_sheet_row_column_and_reason(city):
    content = xlsx(
        [
            problem_row(),  # sheet row 2: fine
            problem_row(问题类别="不存在的类别"),  # row 3
            problem_row(组织编码="NO-SUCH-ORG"),  # row 4
            problem_row(严重程度="特别严重", 发现日期="2025-13-45"),  # row 5: two columns
            problem_row(""),  # row 6: no description
            problem_row(组织编码=city.other_organization.code, 届次=13, 轮次=9),  # row 7
        ]
    )

    job = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))

    assert job.status == ImportJob.Status.INVALID
    by_row = {}
    for row_number, column, reason in job.problems:
        by_row.setdefault(row_number, {})[column] = reason
    assert sorted(by_row) == [3, 4, 5, 6, 7]
    assert "「不存在的类别」不存在" in by_row[3]["问题类别"]
    assert "NO-SUCH-ORG" in by_row[4]["组织编码"]
    assert "「特别严重」不是有效值" in by_row[5]["严重程度"]
    assert "不是有效日期" in by_row[5]["发现日期"]
    assert "问题描述" in by_row[6]
    assert "不是巡察对象" in by_row[7]["组织编码"]
    assert not imported_problems().exists()
    with pytest.raises(Exception, match="未通过校验"):
        services.import_confirm(job=job, user=city.office_user)
    assert not imported_problems().exists()


def test_a_row_that_turns_bad_after_the_check_stops_the_whole_commit(city):
    content = xlsx([problem_row(), problem_row("新导入的问题二")])
    job = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))
    # The category is switched off between the check and the confirmation.
    from rounds.models import ProblemCategory

    ProblemCategory.objects.filter(code="C06").update(is_active=False)

    job = services.import_confirm(job=job, user=city.office_user)

    assert job.status == ImportJob.Status.INVALID
    assert "已停用" in job.problems[0][2]
    assert not imported_problems().exists()
    assert not AuditEntry.objects.filter(action="problem.import").exists()


def test_another_offices_round_is_refused(city):
    district_user = make_user(Role.OFFICE, username="district", office=OfficeFactory(district=True))
    content = xlsx([problem_row(巡察对象编号=city.target.pk)])

    job = services.import_upload(user=district_user, kind="problems", upload=upload(content))

    assert job.status == ImportJob.Status.INVALID
    assert "不属于本级巡察办" in job.problems[0][2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"%PDF-1.7 not a spreadsheet", "不是 Excel"),
        ("组织编码,问题描述\nA,B\n".encode(), "不是 Excel"),
        (b"PK\x03\x04 broken zip", "无法读取"),
    ],
)
def test_files_that_are_not_the_template_are_refused_with_nothing_written(city, content, message):
    with pytest.raises(Exception, match=message) as refused:
        services.import_upload(user=city.office_user, kind="problems", upload=upload(content))

    assert refused.type.__name__ == "ValidationError"
    assert not ImportJob.objects.exists()
    assert not imported_problems().exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (xlsx([], headers=PROBLEM_HEADERS), "没有数据行"),
        (xlsx([["问题"]], headers=["问题说明"]), "没有一列是模板中的列"),
    ],
)
def test_sheets_that_are_not_the_template_fail_in_the_worker_with_nothing_written(
    city, content, message
):
    job = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))

    assert job.status == ImportJob.Status.FAILED
    assert message in job.message
    assert not imported_problems().exists()


def bomb_xlsx(uncompressed_mb: int) -> bytes:
    """A real workbook whose sheet XML carries megabytes of one repeated
    character in a shared string: a few dozen KB on disk."""
    workbook = Workbook()
    workbook.active.append(PROBLEM_HEADERS)
    workbook.active.append(["x" * 32000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                padding = b"<!--" + b"x" * (uncompressed_mb * 1024 * 1024) + b"-->"
                data = data.replace(b"<sheetData>", padding + b"<sheetData>", 1)
            target.writestr(info.filename, data)
    return out.getvalue()


def test_an_xlsx_bomb_is_refused_before_any_parse(city, monkeypatch):
    content = bomb_xlsx(63)
    assert len(content) < 200 * 1024  # tiny on disk, 63 MB inside

    def no_parse(*args, **kwargs):
        raise AssertionError("the bomb was handed to the spreadsheet reader")

    monkeypatch.setattr(tablib.Dataset, "load", no_parse)
    with pytest.raises(ValidationError) as refused:
        services.import_upload(user=city.office_user, kind="problems", upload=upload(content))

    assert "该 Excel 文件解压后达 63 MB，超过 50 MB 的上限" in refused.value.messages[0]
    assert not ImportJob.objects.exists()


def test_the_ratio_limit_catches_a_smaller_bomb(city, settings):
    settings.UPLOAD_ZIP_MAX_RATIO = 100
    with pytest.raises(ValidationError, match="压缩比异常"):
        services.import_upload(user=city.office_user, kind="problems", upload=upload(bomb_xlsx(20)))
    assert not ImportJob.objects.exists()


def test_the_request_only_stores_and_queues_the_worker_parses(
    city, worker, monkeypatch, django_capture_on_commit_callbacks
):
    from xuncha.imports import tasks

    monkeypatch.setattr(services, "run_in_worker", worker)  # the real queueing
    queued = []
    monkeypatch.setattr(tasks.validate_import, "delay", queued.append)
    monkeypatch.setattr(
        tablib.Dataset, "load", lambda *a, **k: pytest.fail("parsed in the request")
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_upload(
            user=city.office_user, kind="problems", upload=upload(xlsx([problem_row()]))
        )
    assert job.status == ImportJob.Status.VALIDATING and job.rows == 0
    assert queued == [job.pk]


def test_the_upload_page_shows_the_refusal_in_chinese(client, city):
    client.force_login(city.office_user)
    response = client.post(
        reverse("imports:index"),
        {"kind": "problems", "file": SimpleUploadedFile("a.xlsx", b"hello", content_type=XLSX)},
    )
    assert response.status_code == 400
    assert "不是 Excel（.xlsx）表格" in response.content.decode()


def test_the_pages_walk_through_check_and_confirm(client, city):
    client.force_login(city.office_user)
    response = client.post(
        reverse("imports:index"),
        {"kind": "problems", "file": upload(xlsx([problem_row(), problem_row(问题类别="X")]))},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "有错误，未导入" in page and "「X」不存在" in page
    assert "确认导入" not in page

    response = client.post(
        reverse("imports:index"), {"kind": "problems", "file": upload(xlsx([problem_row()]))}
    )
    job = ImportJob.objects.latest("pk")
    assert "确认导入" in client.get(job.get_absolute_url()).content.decode()
    client.post(reverse("imports:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert imported_problems().count() == 1


def test_templates_have_the_chinese_headers_and_an_example_row(client, city):
    client.force_login(city.office_user)
    for kind in ("problems", "items", "organizations", "cadres"):
        response = client.get(reverse("imports:template", args=[kind]))
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        assert list(rows[0]) == ["序号", *get_kind(kind).headers]
        assert len(rows) == 2 and rows[1][0] == "示例" and any(rows[1][1:])


def test_import_pages_are_office_only(client, city):
    job = services.import_upload(
        user=city.office_user, kind="problems", upload=upload(xlsx([problem_row()]))
    )
    other_office_user = make_user(Role.OFFICE, username="office2")
    urls = [
        reverse("imports:index"),
        reverse("imports:template", args=["problems"]),
        job.get_absolute_url(),
    ]
    for user in (city.unit_user, city.leader_user, city.department_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    client.force_login(other_office_user)  # office staff, but not the job's owner
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("imports:job_confirm", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("imports:index")).status_code == 302  # to the login page


def test_a_large_file_runs_as_a_job_with_progress(
    client, city, worker, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "run_in_worker", worker)  # the real queueing
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    queued = []
    from xuncha.imports import tasks

    monkeypatch.setattr(tasks.validate_import, "delay", lambda pk: queued.append(("v", pk)))
    monkeypatch.setattr(tasks.commit_import, "delay", lambda pk: queued.append(("c", pk)))
    seen = []
    write = services._write_progress
    monkeypatch.setattr(services, "_write_progress", lambda job, p: (seen.append(p), write(job, p)))
    content = xlsx([problem_row(f"新导入的问题{i}") for i in range(6)])

    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))

    assert job.status == ImportJob.Status.VALIDATING
    assert queued == [("v", job.pk)]
    assert services.live_progress(job) == 0
    client.force_login(city.office_user)
    services._write_progress(job, 40)
    partial = client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="validating"' in partial and "hx-get" in partial and "40%" in partial
    job = services.import_validate(job.pk)  # what the worker runs
    assert job.status == ImportJob.Status.VALID
    assert seen and all(0 < p < 100 for p in seen)

    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_confirm(job=job, user=city.office_user)
    assert job.status == ImportJob.Status.IMPORTING
    assert queued[-1] == ("c", job.pk)
    job = services.import_commit(job.pk)
    assert job.status == ImportJob.Status.DONE
    assert imported_problems().count() == 6


def test_the_task_checks_the_permission_again(
    city, worker, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "run_in_worker", worker)  # the real queueing
    from xuncha.imports import tasks

    monkeypatch.setattr(tasks.validate_import, "delay", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_upload(
            user=city.office_user, kind="problems", upload=upload(xlsx([problem_row()]))
        )
    city.office_user.groups.clear()  # no longer office staff

    job = services.import_validate(job.pk)

    assert job.status == ImportJob.Status.FAILED
    assert job.message == "您已无权导入数据。"


def item_row(description, **changes) -> list:
    row = dict.fromkeys(ITEM_HEADERS)
    row.update(
        {
            "组织编码": "C-JYJ",
            "届次": 13,
            "轮次": 1,
            "问题描述": description,
            "整改措施": "修订制度，清退资金。",
            "整改类型": "限期整改",
            "责任人": "刘洋",
            "完成时限": datetime.date(2025, 9, 30),
            "台账状态": "已销号",
            "建章立制（项）": 2,
            "挽回经济损失（元）": "3,500.50",
            "台账说明": "已于8月整改完毕。",
        }
    )
    row.update(changes)
    return [row[header] for header in ITEM_HEADERS]


def archive(round_) -> None:
    """Past rounds are archived: only those take an imported ledger."""
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.ARCHIVED)


def test_an_item_is_imported_with_its_ledger_state(city):
    archive(city.round)
    content = xlsx([item_row("教育局的问题，不属于财政局。")], headers=ITEM_HEADERS)
    job = services.import_upload(user=city.office_user, kind="items", upload=upload(content))
    assert job.status == ImportJob.Status.VALID, job.problems
    assert not Plan.objects.filter(target=city.other_target).exists()

    job = services.import_confirm(job=job, user=city.office_user)

    assert job.status == ImportJob.Status.DONE, job.problems
    item = Item.objects.get(problem__target=city.other_target)
    assert item.plan.status == Plan.Status.ACCEPTED
    assert item.state == Item.State.CLOSED and item.closed_at is not None
    assert item.responsible_person == "刘洋" and item.rules_made == 2
    assert str(item.money_recovered) == "3500.50"
    entry = LedgerEntry.objects.get(item=item)
    assert entry.action == LedgerEntry.Action.CLOSE and entry.actor == city.office_user
    assert entry.note == "导入历史台账：已于8月整改完毕。"
    assert AuditEntry.objects.filter(action="item.import").count() == 1


def test_item_rows_that_do_not_fit_the_ledger_are_refused(city):
    archive(city.round)
    content = xlsx(
        [
            item_row("没有这个问题"),  # row 2
            item_row(
                "违规向在职人员发放津补贴共计12.6万元，整改不彻底。", 组织编码="C-CZJ"
            ),  # row 3: already on the ledger
            item_row("教育局的问题，不属于财政局。", 台账状态="已转办"),  # row 4: no department
        ],
        headers=ITEM_HEADERS,
    )
    job = services.import_upload(user=city.office_user, kind="items", upload=upload(content))

    assert job.status == ImportJob.Status.INVALID
    by_row = {row: (column, reason) for row, column, reason in job.problems}
    assert by_row[2][0] == "问题描述" and "没有描述完全相同" in by_row[2][1]
    assert "不能重复导入" in by_row[3][1]
    assert by_row[4] == ("转办部门", "台账状态为“已转办”时须填写转办部门。")
    assert not Plan.objects.filter(target=city.other_target).exists()


def libreoffice_xlsx(tmp_path, rows, headers) -> bytes:
    source = tmp_path / "problems.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(rows)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--infilter=CSV:44,34,76,1",  # comma, double quote, UTF-8, from line 1
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp_path / "problems.xlsx").read_bytes()


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc",
)
def test_a_file_saved_by_libreoffice_is_accepted(city, tmp_path):
    rows = [
        [
            "",
            "C-CZJ",
            "13",
            "1",
            "C06",
            "新导入的问题：LibreOffice 一",
            "走访",
            "较重",
            "是",
            "2025-04-02",
            "",
        ],
        [
            str(city.target.pk),
            "",
            "",
            "",
            "违规公款吃喝",
            "新导入的问题：LibreOffice 二",
            "信访",
            "严重",
            "否",
            "2025/4/3",
            "已反馈",
        ],
    ]
    content = libreoffice_xlsx(tmp_path, rows, PROBLEM_HEADERS)

    job = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))
    assert job.status == ImportJob.Status.VALID, job.problems
    services.import_confirm(job=job, user=city.office_user)

    problems = list(imported_problems().order_by("pk"))
    assert [p.description for p in problems] == [
        "新导入的问题：LibreOffice 一",
        "新导入的问题：LibreOffice 二",
    ]
    assert problems[0].immediate_fix and problems[0].source == Problem.Source.VISIT
    assert problems[1].found_on == datetime.date(2025, 4, 3)


def test_organizations_go_through_the_same_pages(city):
    headers = get_kind("organizations").headers
    rows = [
        [
            "IMP-001",
            "中共某市新单位党组",
            "新单位",
            None,
            "党组",
            "党政机关",
            "市直",
            None,
            "李明",
            "书记",
        ],
        ["IMP-002", "新单位机关党支部", "", "IMP-001", "党支部", "党政机关", "市直", None, "", ""],
    ]  # the second names the first as its parent: the preview must see it
    job = services.import_upload(
        user=city.office_user, kind="organizations", upload=upload(xlsx(rows, headers=headers))
    )
    assert job.status == ImportJob.Status.VALID, job.problems
    from xuncha.orgs.models import Organization

    assert not Organization.objects.filter(code__startswith="IMP-").exists()
    services.import_confirm(job=job, user=city.office_user)
    assert Organization.objects.get(code="IMP-002").parent.code == "IMP-001"

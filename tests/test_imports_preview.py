"""The import's preview and its refusals, on small openpyxl files (the
LibreOffice round trip and the whole-term figures are test_imports_term)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from openpyxl import Workbook

from rounds.models import Problem
from rounds.resources import ProblemImporter
from tests.factories import OrganizationFactory, SpecialtyFactory
from tests.reports_data import build_city
from xuncha.audit.models import AuditEntry
from xuncha.imports import services
from xuncha.imports.kinds import get_kind
from xuncha.imports.models import ImportJob
from xuncha.orgs.models import Cadre

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports_urls")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("sheet.xlsx", content, content_type=XLSX)


def problem(description: str, **changes) -> dict:
    return {
        "组织编码": "C-CZJ",
        "届次": 13,
        "轮次": 1,
        "问题类别": "C06",
        "问题描述": description,
        "问题来源": "调阅",
        "严重程度": "一般",
        "发现日期": datetime.date(2025, 4, 2),
        **changes,
    }


def sheet(rows: list[dict]) -> bytes:
    headers = list(rows[0])
    return xlsx(headers, [[row.get(h) for h in headers] for row in rows])


@pytest.fixture
def city(office_user):
    return build_city(office_user)


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    monkeypatch.setattr(services, "run_in_worker", lambda task, job_id: task(job_id))


def test_the_job_page_shows_new_and_duplicate_rows_with_samples(client, city):
    existing = Problem.objects.filter(target=city.target).first()
    rows = [
        {"序号": "示例", **problem("示例行：永不导入。")},
        {"序号": 1, **problem("新导入的问题：公款存放不规范。")},
        {
            "序号": 2,
            **problem(existing.description, 发现日期=existing.found_on, 问题类别="C06"),
        },
    ]
    job = services.import_upload(user=city.office_user, kind="problems", upload=upload(sheet(rows)))

    assert job.status == ImportJob.Status.INVALID
    assert (job.totals["new"], job.totals["duplicate"], job.totals["rows"]) == (1, 1, 2)
    assert job.totals["samples"]["new"] == [[3, "市财政局党组｜新导入的问题：公款存放不规范。"]]
    client.force_login(city.office_user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="import-preview"' in page
    assert "新增 1" in page and "重复 1" in page and "第 3 行" in page
    assert "系统中已有这条记录（按巡察对象、问题描述和发现日期识别）" in page
    assert not Problem.objects.filter(description__startswith="示例行").exists()


def test_optional_columns_may_be_left_out(city):
    # No 巡察对象编号, 立行立改 or 问题状态 column at all.
    job = services.import_upload(
        user=city.office_user,
        kind="problems",
        upload=upload(sheet([problem("新导入的问题：无选填列。")])),
    )
    assert job.status == ImportJob.Status.VALID, job.problems
    services.import_confirm(job=job, user=city.office_user)
    made = Problem.objects.get(description="新导入的问题：无选填列。")
    assert not made.immediate_fix
    entry = AuditEntry.objects.get(action="problem.import", object_id=str(made.pk))
    assert entry.data["imported"] == job.pk


def test_a_database_fault_says_so_and_blames_no_row(city, monkeypatch):
    job = services.import_upload(
        user=city.office_user,
        kind="problems",
        upload=upload(sheet([problem("新导入的问题：数据库忙。")])),
    )
    assert job.status == ImportJob.Status.VALID

    def locked(self, rows, *, job):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ProblemImporter, "write", locked)
    job = services.import_confirm(job=job, user=city.office_user)

    assert job.status == ImportJob.Status.FAILED
    assert "数据库暂时繁忙或不可用" in job.message
    assert "不是表格内容的问题" in job.message and "请稍后重试" in job.message
    assert job.problems == []
    assert not Problem.objects.filter(description="新导入的问题：数据库忙。").exists()


def test_cadres_are_created_then_updated_leaving_out_columns_keeps_values(city):
    OrganizationFactory(code="C-GB")
    SpecialtyFactory(name="财务")
    headers = get_kind("cadres").headers
    row = ["GB0001", "张三", "男", "C-GB", "科长", "科级", "否", "是", "财务", "13800000000"]
    job = services.import_upload(
        user=city.office_user, kind="cadres", upload=upload(xlsx(headers, [row]))
    )
    assert job.status == ImportJob.Status.VALID, job.problems
    services.import_confirm(job=job, user=city.office_user)
    cadre = Cadre.objects.get(code="GB0001")
    assert [s.name for s in cadre.specialties.all()] == ["财务"]

    # Only the required columns, with a new position: the phone stays.
    required = [
        h
        for h, r in zip(headers, [c.required for c in get_kind("cadres").columns], strict=True)
        if r
    ]
    values = dict(zip(headers, row, strict=True)) | {"职务": "副处长"}
    job = services.import_upload(
        user=city.office_user,
        kind="cadres",
        upload=upload(xlsx(required, [[values[h] for h in required]])),
    )
    assert (job.totals["updated"], job.totals["new"]) == (1, 0)
    services.import_confirm(job=job, user=city.office_user)
    cadre.refresh_from_db()
    assert (cadre.position, cadre.phone) == ("副处长", "13800000000")
    assert [s.name for s in cadre.specialties.all()] == ["财务"]


def test_existing_dispositions_migrate_to_one_person_each_with_their_outcomes():
    """clues 0003: a disposition that recorded outcomes dealt with the clue's
    reported person; one without outcomes dealt with nobody."""
    from importlib import import_module
    from types import SimpleNamespace

    migration = import_module("clues.migrations.0003_people_dealt_with")
    clue = SimpleNamespace(person_name="王某", person_position="科长")
    blank = {"party_discipline": "", "government_sanction": "", "organizational_handling": ""}
    old = [
        SimpleNamespace(pk=1, clue=clue, transferred_to_justice=True, **blank),
        SimpleNamespace(
            pk=2,
            clue=clue,
            transferred_to_justice=False,
            **(blank | {"party_discipline": "warning"}),
        ),
        SimpleNamespace(pk=3, clue=clue, transferred_to_justice=False, **blank),
    ]
    written = []

    class Dispositions:
        class objects:
            @staticmethod
            def select_related(*_names):
                return SimpleNamespace(iterator=lambda chunk_size: iter(old))

    class People(SimpleNamespace):
        objects = SimpleNamespace(bulk_create=lambda rows, batch_size: written.extend(rows))

    models = {"Disposition": Dispositions, "DispositionPerson": People}
    apps = SimpleNamespace(get_model=lambda _app, name: models[name])

    migration.people_from_dispositions(apps, None)

    assert [(p.disposition_id, p.name, p.position) for p in written] == [
        (1, "王某", "科长"),
        (2, "王某", "科长"),
    ]
    assert written[0].transferred_to_justice and written[1].party_discipline == "warning"


def test_rows_written_by_another_import_since_the_check_are_refused_at_commit(city):
    content = sheet([problem("新导入的问题：两次上传。")])
    first = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))
    second = services.import_upload(user=city.office_user, kind="problems", upload=upload(content))
    assert first.status == second.status == ImportJob.Status.VALID

    assert services.import_confirm(job=second, user=city.office_user).status == "done"
    first = services.import_confirm(job=first, user=city.office_user)

    assert first.status == ImportJob.Status.INVALID
    assert "系统中已有这条记录" in first.problems[0][2]
    assert Problem.objects.filter(description="新导入的问题：两次上传。").count() == 1

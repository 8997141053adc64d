"""Historical imports and live rounds; a team's people in the round import.

An import writes the past: it may add to an existing round only once the
round is archived (rounds.workflow.import_refusal); a round still on site or
in rectification is refused row by row, naming the round, with nothing
written. The round import's 组长 / 副组长 / 组员 columns put cadres of the
干部库 on the team, found by 干部编号 or by name.
"""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from rectification.models import Item, Plan
from rounds.models import Membership, Round, Target, Team
from tests.factories import CadreFactory, OrganizationFactory
from tests.reports_data import build_city
from xuncha.audit.models import AuditEntry
from xuncha.imports import services
from xuncha.imports.kinds import get_kind
from xuncha.imports.models import ImportJob
from xuncha.imports.templates import template_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports_urls")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows: list[dict]) -> bytes:
    """A sheet whose headers are the union of the rows' keys, in first-seen order."""
    headers: list[str] = []
    for row in rows:
        headers += [h for h in row if h not in headers]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("sheet.xlsx", content, content_type=XLSX)


def check(user, kind: str, rows: list[dict]) -> ImportJob:
    return services.import_upload(user=user, kind=kind, upload=upload(xlsx(rows)))


def imported(user, kind: str, rows: list[dict]) -> ImportJob:
    job = check(user, kind, rows)
    assert job.status == ImportJob.Status.VALID, job.problems
    job = services.import_confirm(job=job, user=user)
    assert job.status == ImportJob.Status.DONE, (job.message, job.problems)
    return job


def round_row(code: str, *, term=13, number=1, team=1, **changes) -> dict:
    return {
        "届次": term,
        "轮次": number,
        "年度": 2025,
        "计划开始": datetime.date(2025, 3, 1),
        "计划结束": datetime.date(2025, 5, 31),
        "组号": team,
        "组织编码": code,
        **changes,
    }


def item_row(description: str, **changes) -> dict:
    return {
        "组织编码": "C-JYJ",
        "届次": 13,
        "轮次": 1,
        "问题描述": description,
        "整改措施": "修订制度，清退资金。",
        "整改类型": "限期整改",
        "责任人": "刘洋",
        "完成时限": datetime.date(2025, 9, 30),
        "台账状态": "已销号",
        "台账日期": datetime.date(2025, 9, 1),
        **changes,
    }


def set_status(round_: Round, status: str) -> None:
    Round.objects.filter(pk=round_.pk).update(status=status)


def entries(action: str):
    return AuditEntry.objects.filter(action=action)


@pytest.fixture
def city(office_user):
    return build_city(office_user)


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """The queued task runs at once, as the worker would after the commit."""
    monkeypatch.setattr(services, "run_in_worker", lambda task, job_id: task(job_id))


# --- live rounds ----------------------------------------------------------------


def test_items_of_a_round_in_rectification_are_refused_and_no_plan_is_accepted(city):
    """The review's finding: the item import accepted a live round's plans."""
    job = check(city.office_user, "items", [item_row("教育局的问题，不属于财政局。")])

    assert job.status == ImportJob.Status.INVALID
    [(row, column, reason)] = job.problems
    assert (row, column) == (2, "组织编码")
    assert "十三届市委第一轮巡察" in reason and "“整改”阶段" in reason and "尚未归档" in reason
    assert job.totals["invalid"] == 1 and job.totals["new"] == 0
    assert not Plan.objects.filter(target=city.other_target).exists()
    assert not Item.objects.filter(problem__target=city.other_target).exists()
    assert not entries("item.import").exists() and not entries("plan.import_accept").exists()


def test_the_item_service_refuses_a_live_round_even_unchecked(city):
    from rectification.services.imports import items_import

    problem = city.other_target.problems.get()
    step = {
        "problem": problem,
        "values": {"state": Item.State.CLOSED, "kind": Item.Kind.DEADLINE},
        "on": datetime.date(2025, 9, 1),
        "note": "",
    }
    with pytest.raises(ValidationError, match="尚未归档"):
        items_import(steps=[step], user=city.office_user)
    assert not Plan.objects.filter(target=city.other_target).exists()


def test_items_of_an_archived_round_are_imported_and_marked_with_the_job(city):
    set_status(city.round, Round.Status.ARCHIVED)

    job = imported(city.office_user, "items", [item_row("教育局的问题，不属于财政局。")])

    item = Item.objects.get(problem__target=city.other_target)
    assert item.state == Item.State.CLOSED and item.plan.status == Plan.Status.ACCEPTED
    assert entries("item.import").get().data["imported"] == job.pk


def test_a_round_on_site_takes_no_new_target_and_no_change_from_an_import(city):
    set_status(city.round, Round.Status.ON_SITE)
    OrganizationFactory(code="C-WJW", name="市卫健委党组")
    before = (Target.objects.count(), Team.objects.count(), AuditEntry.objects.count())

    job = check(
        city.office_user,
        "rounds",
        [
            round_row("C-WJW"),  # row 2: a new target in a round on site
            round_row("C-JYJ", 反馈日期=datetime.date(2025, 6, 1)),  # row 3: a changed target
            round_row("C-WJW", number=2, team=1),  # row 4: a new round is fine
        ],
    )

    assert job.status == ImportJob.Status.INVALID
    refused = {row: (column, reason) for row, column, reason in job.problems}
    assert set(refused) == {2, 3}
    for column, reason in refused.values():
        assert column == "轮次"
        assert "十三届市委第一轮巡察" in reason and "“进驻”阶段" in reason
    assert (job.totals["invalid"], job.totals["new"]) == (2, 1)
    assert (Target.objects.count(), Team.objects.count()) == before[:2]
    assert not Round.objects.filter(number=2).exists()
    # Only the upload itself is logged: nothing of the rows.
    assert AuditEntry.objects.count() == before[2] + 1


def test_an_unchanged_row_of_a_live_round_is_no_change_and_passes(city):
    target = city.target
    row = round_row(
        "C-CZJ",
        主要负责人=target.leader_name,
        进驻日期=target.entry_date,
        撤离日期=target.exit_date,
        反馈日期=target.feedback_date,
        对象状态="整改中",
    )

    job = check(city.office_user, "rounds", [row])

    assert job.status == ImportJob.Status.VALID, job.problems
    assert (job.totals["unchanged"], job.totals["updated"], job.totals["new"]) == (1, 0, 0)


def test_an_archived_round_takes_new_targets_marked_with_the_job(city):
    set_status(city.round, Round.Status.ARCHIVED)
    OrganizationFactory(code="C-WJW", name="市卫健委党组")

    job = imported(city.office_user, "rounds", [round_row("C-WJW", team=2, 联络员="周平")])

    target = Target.objects.get(round=city.round, organization__code="C-WJW")
    assert target.team.number == 2 and target.team.liaison == "周平"
    assert job.totals["new"] == 1
    assert entries("target.import").get().data["imported"] == job.pk
    assert entries("team.import").get().data["imported"] == job.pk


def test_a_live_round_made_between_check_and_commit_is_refused_at_commit(city):
    OrganizationFactory(code="C-WJW")
    job = check(city.office_user, "rounds", [round_row("C-WJW", number=2)])
    assert job.status == ImportJob.Status.VALID and job.totals["new"] == 1
    # Meanwhile the office plans round 2 in the system.
    live = Round.objects.create(
        office=city.office_user.office,
        term=13,
        number=2,
        year=2025,
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 5, 31),
    )

    job = services.import_confirm(job=job, user=city.office_user)

    assert job.status == ImportJob.Status.INVALID
    assert "“计划”阶段" in job.problems[0][2]
    assert not live.targets.exists() and not live.teams.exists()


def test_the_rule_is_on_the_instructions_sheet(city):
    for kind in ("rounds", "items"):
        notes = load_workbook(io.BytesIO(template_bytes(get_kind(kind))))["填写说明"]
        text = "".join(str(cell.value or "") for row in notes.iter_rows() for cell in row)
        assert "只有处于“归档”阶段的才能通过导入补充或更正" in text, kind


# --- a team's people --------------------------------------------------------------


@pytest.fixture
def cadres(db):
    return {
        "王志强": CadreFactory(code="GB-001", name="王志强", in_leader_pool=True),
        "李红": CadreFactory(code="GB-002", name="李红"),
        "赵磊": CadreFactory(code="GB-003", name="赵磊"),
        "钱芳": CadreFactory(code="GB-004", name="钱芳"),
        "孙伟": CadreFactory(code="GB-005", name="孙伟"),
        "张伟": CadreFactory(code="GB-006", name="张伟"),
        "张伟2": CadreFactory(code="GB-007", name="张伟"),  # the same name twice in the 干部库
    }


def memberships(round_: Round) -> set[tuple[int, str, str]]:
    return {
        (m.team.number, m.role, m.cadre.code)
        for m in Membership.objects.filter(round=round_).select_related("team", "cadre")
    }


def test_a_new_round_is_imported_with_its_leaders_and_members(city, cadres):
    OrganizationFactory(code="C-WJW")
    OrganizationFactory(code="C-SWJ")
    rows = [
        # Names, 姓名（干部编号） and a bare code; the people given on one row of the team.
        round_row("C-WJW", number=2, 组长="王志强", 副组长="张伟（GB-006）", 组员="赵磊、GB-004"),
        round_row("C-SWJ", number=2),
        round_row("C-JYJ", number=2, team=2, 组长="孙伟", 组员="李红"),
    ]

    job = imported(city.office_user, "rounds", rows)

    assert job.totals["new"] == 3
    round_ = Round.objects.get(term=13, number=2)
    assert memberships(round_) == {
        (1, "leader", "GB-001"),
        (1, "deputy", "GB-006"),
        (1, "member", "GB-003"),
        (1, "member", "GB-004"),
        (2, "leader", "GB-005"),
        (2, "member", "GB-002"),
    }
    # A past secondment: no commitments, and no access is granted by the import.
    assert not Membership.objects.filter(
        round=round_, commitments_completed_at__isnull=False
    ).exists()
    logged = entries("team.member_import")
    assert logged.count() == 6
    assert {entry.data["imported"] for entry in logged} == {job.pk}
    assert job.totals["written"]["members"] == 6


def test_a_space_before_or_inside_the_code_s_brackets_does_not_split_the_name():
    from rounds.round_import import people_cells

    assert people_cells("张伟 （GB-006）、赵磊 李红") == ["张伟（GB-006）", "赵磊", "李红"]
    assert people_cells("张伟 ( GB-006 ) 钱芳") == ["张伟(GB-006)", "钱芳"]


def test_unknown_or_ambiguous_people_are_refused_per_row_with_nothing_written(city, cadres):
    OrganizationFactory(code="C-WJW")
    OrganizationFactory(code="C-SWJ")
    before = AuditEntry.objects.count()

    job = check(
        city.office_user,
        "rounds",
        [
            round_row("C-WJW", number=2, 组长="王志强", 组员="赵磊、刘不在"),  # row 2
            round_row("C-SWJ", number=2, team=2, 组长="张伟"),  # row 3: two 张伟
            round_row("C-JYJ", number=2, team=3, 组长="王志强、李红"),  # row 4: two leaders
            round_row("C-CZJ", number=2, team=4, 组长="孙伟（GB-001）"),  # row 5: code of another
        ],
    )

    assert job.status == ImportJob.Status.INVALID
    refused = {row: (column, reason) for row, column, reason in job.problems}
    assert refused[2] == (
        "组员",
        "干部库中没有「刘不在」（按干部编号或姓名查找），请先导入干部。",
    )
    assert refused[3][0] == "组长" and "有 2 名「张伟」" in refused[3][1]
    assert refused[4][0] == "组长" and "只有一名组长" in refused[4][1]
    assert refused[5] == ("组长", "干部编号「GB-001」是王志强，不是「孙伟」。")
    assert job.totals["invalid"] == 4
    assert not Round.objects.filter(number=2).exists()
    assert not Membership.objects.filter(cadre__code__startswith="GB-").exists()
    assert AuditEntry.objects.count() == before + 1  # the upload


def test_rows_of_one_team_must_name_the_same_people_and_a_person_one_team(city, cadres):
    OrganizationFactory(code="C-WJW")
    OrganizationFactory(code="C-SWJ")

    job = check(
        city.office_user,
        "rounds",
        [
            round_row("C-WJW", number=2, 组长="王志强", 组员="赵磊"),
            round_row("C-SWJ", number=2, 组长="王志强", 组员="孙伟"),  # row 3: other members
            round_row("C-JYJ", number=2, team=2, 组长="李红", 组员="赵磊"),  # row 4: 赵磊 again
        ],
    )

    assert job.status == ImportJob.Status.INVALID
    refused = {row: (column, reason) for row, column, reason in job.problems}
    assert "与第 2 行是同一巡察组" in refused[3][1]
    assert refused[4][0] == "组员" and "已填在本轮第一巡察组" in refused[4][1]
    assert not Round.objects.filter(number=2).exists()


def test_people_are_added_to_a_team_of_an_archived_round_never_moved(city, cadres):
    set_status(city.round, Round.Status.ARCHIVED)
    target = city.target
    unchanged = {
        "主要负责人": target.leader_name,
        "进驻日期": target.entry_date,
        "撤离日期": target.exit_date,
        "反馈日期": target.feedback_date,
        "对象状态": "整改中",
    }
    leader = city.team.memberships.get(role="leader").cadre

    job = imported(city.office_user, "rounds", [round_row("C-CZJ", 组员="李红、孙伟", **unchanged)])

    assert job.totals["updated"] == 1  # the target is as it was; its team gains two
    assert {m.cadre.code for m in city.team.memberships.filter(role="member")} >= {
        "GB-002",
        "GB-005",
    }
    assert not entries("target.import").exists()  # the target itself did not change
    assert entries("team.member_import").count() == 2

    # Another leader for the team, or a member in another role, is refused.
    job = check(city.office_user, "rounds", [round_row("C-CZJ", 组长="王志强", **unchanged)])
    assert job.status == ImportJob.Status.INVALID
    assert f"已有组长{leader.name}" in job.problems[0][2]
    job = check(city.office_user, "rounds", [round_row("C-CZJ", 副组长="李红", **unchanged)])
    assert job.status == ImportJob.Status.INVALID
    assert "「李红」在第一巡察组中是组员，与本行填写的副组长不一致" in job.problems[0][2]
    assert city.team.memberships.count() == 4


def test_people_go_only_onto_an_archived_rounds_teams(city, cadres):
    """A live round's members are added on its team page (recusal, access);
    an import that named them would skip both."""
    OrganizationFactory(code="C-WJW")
    before = (Membership.objects.count(), Round.objects.count(), AuditEntry.objects.count())

    job = check(
        city.office_user,
        "rounds",
        [round_row("C-WJW", number=3, 轮次状态="进驻", 组员="李红")],
    )

    assert job.status == ImportJob.Status.INVALID
    assert "只有已归档轮次的巡察组可以导入组长、副组长、组员" in job.problems[0][2]
    # The same people onto the live round of the fixture: refused as well.
    job = check(city.office_user, "rounds", [round_row("C-WJW", 组员="李红")])
    assert job.status == ImportJob.Status.INVALID
    assert "尚未归档" in job.problems[0][2]
    assert (Membership.objects.count(), Round.objects.count()) == before[:2]
    assert AuditEntry.objects.count() == before[2] + 2  # the two uploads, nothing else


def test_the_people_rule_holds_in_the_service_even_unchecked(city, cadres):
    from rounds.services.imports import targets_import

    organization = OrganizationFactory(code="C-WJW")
    cadre = cadres["李红"]
    row = {
        "term": 13,
        "number": 4,
        "round": {
            "year": 2025,
            "kinds": [],
            "theme": "",
            "planned_start": datetime.date(2025, 3, 1),
            "planned_end": datetime.date(2025, 5, 31),
            "status": Round.Status.ON_SITE,
        },
        "organization": organization,
        "target": {
            "team_number": 1,
            "liaison": "",
            "leader_name": "",
            "entry_date": None,
            "exit_date": None,
            "feedback_date": None,
            "status": Target.Status.ASSIGNED,
        },
        "people": [("member", cadre)],
        "existing": None,
        "row": 2,
    }
    with pytest.raises(ValidationError, match="只有已归档轮次"):
        targets_import(rows=[row], user=city.office_user)
    assert not Round.objects.filter(term=13, number=4).exists()


def test_an_import_never_gives_a_target_to_another_team(city):
    set_status(city.round, Round.Status.ARCHIVED)
    Team.objects.create(round=city.round, number=9)

    job = check(city.office_user, "rounds", [round_row("C-CZJ", team=9)])

    assert job.status == ImportJob.Status.INVALID
    assert "导入不能改换巡察组" in job.problems[0][2]
    city.target.refresh_from_db()
    assert city.target.team == city.team


def test_commitments_cannot_be_signed_in_an_archived_round(city):
    from rounds.services.planning import commitment_sign

    membership = city.team.memberships.exclude(cadre__user=None).first()
    membership.commitments.all().delete()
    set_status(city.round, Round.Status.ARCHIVED)

    with pytest.raises(ValidationError, match="本轮巡察已归档"):
        commitment_sign(membership=membership, kind="confidentiality", user=membership.cadre.user)
    assert not membership.commitments.exists()


# --- 巡察建议书 --------------------------------------------------------------------


def recommendation_row(title: str, **changes) -> dict:
    return {
        "标题": title,
        "主送部门": "市国资委",
        "建议内容": "多家国有企业存在公款存放不规范问题，建议开展专项治理。",
        "届次": 13,
        "轮次": 1,
        "印发日期": datetime.date(2025, 7, 1),
        "反馈期限": datetime.date(2025, 9, 30),
        "办理状态": "已办结",
        "签收日期": datetime.date(2025, 7, 3),
        "反馈日期": datetime.date(2025, 9, 20),
        "办结日期": datetime.date(2025, 10, 10),
        "落实情况": "已开展资金存放专项治理，修订管理办法1项。",
        **changes,
    }


@pytest.fixture
def sasac(db):
    from tests.factories import DepartmentFactory

    return DepartmentFactory(code="GZW", name="市国资委", kind="other")


def test_past_recommendations_are_imported_with_their_dated_ledger(city, sasac):
    from rectification.models import Recommendation
    from xuncha.notifications.models import Notification

    set_status(city.round, Round.Status.ARCHIVED)
    notified = Notification.objects.count()
    rows = [
        recommendation_row("关于规范国有企业资金存放管理的巡察建议书"),
        # By the department's code, with no round, received but not yet answered;
        # the receipt's date left out takes the issue's.
        recommendation_row(
            "关于加强村级财务管理的巡察建议书",
            主送部门="GZW",
            届次=None,
            轮次=None,
            办理状态="已签收",
            签收日期=None,
            反馈日期=None,
            办结日期=None,
            落实情况=None,
        ),
    ]

    job = imported(city.office_user, "recommendations", rows)

    assert (job.totals["new"], job.totals["duplicate"]) == (2, 0)
    closed = Recommendation.objects.get(title__startswith="关于规范")
    assert (closed.round, closed.department, closed.status) == (city.round, sasac, "closed")
    assert (closed.issued_at, closed.due) == (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))
    ledger = [(e.action, e.created_at.date(), e.note) for e in closed.entries.all()]
    assert ledger == [
        ("issued", datetime.date(2025, 7, 1), "导入历史建议书"),
        ("received", datetime.date(2025, 7, 3), "导入历史建议书"),
        ("answered", datetime.date(2025, 9, 20), "已开展资金存放专项治理，修订管理办法1项。"),
        ("closed", datetime.date(2025, 10, 10), "导入历史建议书"),
    ]
    received = Recommendation.objects.get(title__startswith="关于加强")
    assert received.round is None and received.status == "received"
    assert [(e.action, e.created_at.date()) for e in received.entries.all()] == [
        ("issued", datetime.date(2025, 7, 1)),
        ("received", datetime.date(2025, 7, 1)),
    ]
    logged = entries("recommendation.import")
    assert logged.count() == 2 and {e.data["imported"] for e in logged} == {job.pk}
    assert Notification.objects.count() == notified  # handled long ago: nobody is told

    # The same recommendation again (in an edited file) is a duplicate, refused.
    again = check(city.office_user, "recommendations", [rows[0] | {"建议内容": "改过的内容"}])
    assert again.status == ImportJob.Status.INVALID
    assert "系统中已有这条记录（按主送部门、标题和印发日期" in again.problems[0][2]
    assert Recommendation.objects.count() == 2


def test_recommendation_rows_that_do_not_fit_are_refused_with_nothing_written(city, sasac):
    from rectification.models import Recommendation

    before = AuditEntry.objects.count()

    job = check(
        city.office_user,
        "recommendations",
        [
            recommendation_row("建议一"),  # row 2: its round is in rectification
            recommendation_row("建议二", 届次=None, 主送部门="市不存在局"),  # row 3
            recommendation_row("建议三", 届次=None, 轮次=None, 办理状态="已签收"),  # row 4
            recommendation_row("建议四", 届次=None, 轮次=None, 落实情况=None),  # row 5
            recommendation_row("建议五", 届次=None, 轮次=None),  # row 6
            recommendation_row("建议五", 届次=None, 轮次=None),  # row 7: row 6 again
        ],
    )

    assert job.status == ImportJob.Status.INVALID
    refused: dict[int, list] = {}
    for row, column, reason in job.problems:
        refused.setdefault(row, []).append((column, reason))
    [(column, reason)] = refused[2]
    assert column == "轮次" and "十三届市委第一轮巡察处于“整改”阶段" in reason
    assert ("轮次", "届次和轮次须同时填写，或都不填。") in refused[3]
    assert any(c == "主送部门" and "「市不存在局」不存在" in r for c, r in refused[3])
    assert ("反馈日期", "办理状态为“已签收”，不应填写反馈日期。") in refused[4]
    assert refused[5] == [("落实情况", "办理状态为“已反馈”或“已办结”时须填写落实情况。")]
    assert 6 not in refused and "与第 6 行重复" in refused[7][0][1]
    assert (job.totals["new"], job.totals["duplicate"], job.totals["invalid"]) == (1, 1, 4)
    assert not Recommendation.objects.exists()
    assert AuditEntry.objects.count() == before + 1  # the upload


def test_the_downloaded_templates_fill_in_and_their_example_rows_are_never_imported(
    client, city, cadres, sasac
):
    from django.urls import reverse

    from rectification.models import Recommendation

    set_status(city.round, Round.Status.ARCHIVED)
    OrganizationFactory(code="370100-001")  # the example row's organization
    client.force_login(city.office_user)

    def filled(kind: str, rows: list[dict]) -> bytes:
        response = client.get(reverse("imports:template", args=[kind]))
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = workbook.worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        assert sheet.cell(row=2, column=1).value == "示例"
        for number, row in enumerate(rows, start=1):
            sheet.append([number if h == "序号" else row.get(h) for h in headers])
        notes = workbook["填写说明"]
        text = "".join(str(cell.value or "") for line in notes.iter_rows() for cell in line)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue(), sheet, text

    content, sheet, text = filled(
        "rounds", [round_row("C-JYJ", number=3, 组长="王志强", 组员="赵磊、GB-004")]
    )
    assert "干部编号或干部库中的姓名" in text
    job = services.import_upload(user=city.office_user, kind="rounds", upload=upload(content))
    assert job.status == ImportJob.Status.VALID and job.totals["new"] == 1, job.problems
    services.import_confirm(job=job, user=city.office_user)
    assert memberships(Round.objects.get(number=3)) == {
        (1, "leader", "GB-001"),
        (1, "member", "GB-003"),
        (1, "member", "GB-004"),
    }

    content, sheet, text = filled("recommendations", [recommendation_row("建议一")])
    assert "主送部门、标题和印发日期" in text and "已印发、已签收、已反馈、已办结" in text
    validated = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert any(ref.startswith("I3") for ref in validated)  # 办理状态's drop-down
    job = services.import_upload(
        user=city.office_user, kind="recommendations", upload=upload(content)
    )
    assert job.status == ImportJob.Status.VALID and job.totals["new"] == 1, job.problems
    services.import_confirm(job=job, user=city.office_user)
    assert list(Recommendation.objects.values_list("title", flat=True)) == ["建议一"]

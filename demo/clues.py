"""Steps for the problem clues: the security officer lets `office` handle
clues, then clues in every state of the handover (审批交接单) and the
disposition, received by 市纪委监委 (`jiwei`) and by 市委组织部.

Each signature is given through the clue services by the person who signs
in life: a team member drafts, the team leader submits, `office` approves
(or returns), the department signs for receipt and reports what it did,
`office` closes (销号) and reopens. The services stamp ``now()``; afterwards
the timestamps and the disposition deadline are moved back to the days the
story puts them on (a clue received fifty days ago is overdue today).
"""

import datetime
import io
from decimal import Decimal
from typing import NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clues import services
from clues.models import Clue, ClueFile, Disposition
from clues.services.handover import disposition_due_from
from demo.context import DemoContext
from demo.rounds import at, days, find_round, plain_account, step_names, step_rng, user
from rounds.models import Membership, Problem, Target
from xuncha.accounts.roles import Role
from xuncha.accounts.services import user_set_clue_officer
from xuncha.orgs.models import Department

D = Disposition
Rank = Clue.Rank
Discipline = Clue.Discipline


class Report(NamedTuple):
    """One disposition report: ``day`` relative to today."""

    day: int
    method: str
    note: str
    is_final: bool = False
    people: tuple[dict, ...] = ()  # those dealt with; name "" is the reported person
    money: str = "0"  # 元


def dealt(name: str = "", position: str = "", **outcomes) -> dict:
    """A person dealt with in a report: "" for the clue's reported person."""
    return {"name": name, "position": position, **outcomes}


class ClueRow(NamedTuple):
    term: int
    number: int
    organization: str  # code of the target
    state: str  # see STATES
    department: str  # code
    discipline: str
    position: str
    rank: str
    drafted: int  # days relative to today; each later signature a few days on
    top_leader: bool = False
    urgent: bool = False
    reports: tuple[Report, ...] = ()
    closed: int | None = None
    reopened: int | None = None
    files: int = 1  # material files attached while drafting


# Where the story leaves each clue: the handover steps done, in order.
STATES = {
    "draft": (),
    "returned": ("submit", "return"),
    "submitted": ("submit",),
    "approved": ("submit", "approve"),
    "received": ("submit", "approve", "receive"),
    "closed": ("submit", "approve", "receive", "close"),
    "reopened": ("submit", "approve", "receive", "close", "reopen"),
}
# Days between drafting and each signature.
STEP_DAYS = {"submit": 2, "approve": 5, "receive": 7}

CLUES = [
    # 十三届第四轮, on site now: the team of `leader` and `member`.
    ClueRow(13, 4, "C009", "draft", "JW", Discipline.INTEGRITY, "监测站站长", Rank.SECTION, -3),
    ClueRow(13, 4, "C009", "returned", "JW", Discipline.WORK, "执法支队副支队长", Rank.SECTION, -12),
    ClueRow(13, 4, "C033", "submitted", "JW", Discipline.INTEGRITY, "归集管理科科长", Rank.SECTION, -4),
    ClueRow(
        13, 4, "C033", "received", "JW", Discipline.INTEGRITY, "党委委员、副主任", Rank.DEPARTMENT,
        -8, urgent=True,
        reports=(Report(-2, D.Method.VERIFY, "已成立核查组，调取相关贷款审批档案，初步核实工作正在进行。"),),
    ),
    # 十三届第三轮, reporting: approved, awaiting the departments' receipt.
    ClueRow(13, 3, "C004", "approved", "JW", Discipline.INTEGRITY, "产业投资科科长", Rank.SECTION, -30),
    ClueRow(13, 3, "C042", "approved", "ZZB", Discipline.ORGANIZATIONAL, "党委副书记", Rank.DEPARTMENT, -28),
    # 十三届第一轮, rectifying: received long ago or lately, some done.
    ClueRow(
        13, 1, "C019", "received", "JW", Discipline.INTEGRITY, "食品生产监管科科长", Rank.SECTION,
        -19,
        reports=(Report(-4, D.Method.TALK, "已对其本人开展函询，要求于两周内作出书面说明。"),),
    ),
    ClueRow(13, 1, "C006", "received", "ZZB", Discipline.ORGANIZATIONAL, "人事科科长", Rank.SECTION, -34),
    ClueRow(13, 1, "C020", "received", "JW", Discipline.MASSES, "基金监管科副科长", Rank.SECTION, -57),
    ClueRow(13, 1, "C016", "received", "ZZB", Discipline.WORK, "医政医管科科长", Rank.SECTION, -42),
    ClueRow(
        13, 1, "C031", "received", "JW", Discipline.LIFE, "后勤保障部主任", Rank.SECTION, -33,
        reports=(
            Report(-20, D.Method.VERIFY, "经初步核实，反映的问题基本属实。"),
            Report(
                -3, D.Method.CLOSE, "本人已深刻检讨并退缴违规所得，经研究予以了结。",
                is_final=True, people=(dealt(organizational_handling="批评教育"),), money="28600",
            ),
        ),
    ),
    ClueRow(
        13, 1, "C037", "closed", "JW", Discipline.INTEGRITY, "副总经理", Rank.DEPARTMENT, -300,
        reports=(
            Report(-270, D.Method.VERIFY, "经初步核实，反映的收受好处费问题基本属实，建议立案审查调查。"),
            Report(
                -120, D.Method.CASE,
                "经审查调查，其利用职务便利在工程分包中为他人谋取利益，收受财物，构成严重违纪违法并涉嫌受贿犯罪。",
                is_final=True,
                people=(
                    dealt(
                        party_discipline=D.PartyDiscipline.EXPULSION,
                        government_sanction=D.GovernmentSanction.EXPULSION,
                        transferred_to_justice=True,
                    ),
                    dealt(
                        "周立新", "工程管理部经理",
                        party_discipline=D.PartyDiscipline.PROBATION,
                        government_sanction=D.GovernmentSanction.DISMISSAL_FROM_POST,
                    ),
                ),
                money="1265000",
            ),
        ),
        closed=-90,
    ),
    ClueRow(
        13, 1, "C041", "closed", "ZZB", Discipline.ORGANIZATIONAL, "人力资源部经理", Rank.SECTION,
        -296,
        reports=(
            Report(
                -240, D.Method.TALK, "经谈话函询，其对个人有关事项漏报问题作出说明，情节较轻。",
                is_final=True, people=(dealt(organizational_handling="诫勉谈话"),),
            ),
        ),
        closed=-200,
    ),
    ClueRow(
        13, 1, "C006", "closed", "JW", Discipline.INTEGRITY, "国库支付中心主任", Rank.SECTION, -299,
        reports=(
            Report(-250, D.Method.VERIFY, "初步核实发现其违规发放津补贴问题属实。"),
            Report(
                -150, D.Method.CASE, "经立案审查，给予党内严重警告处分、政务记过处分，违规资金已全部追回。",
                is_final=True, money="386000",
                people=(
                    dealt(
                        party_discipline=D.PartyDiscipline.SERIOUS_WARNING,
                        government_sanction=D.GovernmentSanction.DEMERIT,
                    ),
                    dealt("钱慧", "国库支付中心会计", organizational_handling="调离岗位"),
                ),
            ),
        ),
        closed=-130,
    ),
    ClueRow(
        13, 1, "C019", "reopened", "JW", Discipline.INTEGRITY, "稽查支队副支队长", Rank.SECTION,
        -298,
        reports=(
            Report(-230, D.Method.CLOSE, "经初步核实，反映问题查无实据，予以了结。", is_final=True),
        ),
        closed=-200, reopened=-9,
    ),
    # 十三届第二轮, feedback given.
    ClueRow(
        13, 2, "R08-T01-V01", "closed", "JW", Discipline.MASSES, "村党支部书记、村委会主任",
        Rank.OTHER, -95, top_leader=True,
        reports=(
            Report(
                -40, D.Method.CASE, "经审查，其在低保评定中优亲厚友，给予党内警告处分，违规资金已退缴。",
                is_final=True, people=(dealt(party_discipline=D.PartyDiscipline.WARNING),),
                money="42800",
            ),
        ),
        closed=-30,
    ),
    # 十二届: long closed.
    ClueRow(
        12, 1, "C012", "closed", "JW", Discipline.INTEGRITY, "工程建设管理科科长", Rank.SECTION,
        -1960,
        reports=(
            Report(
                -1800, D.Method.CASE, "经立案审查调查，给予其党内警告处分、政务警告处分。",
                is_final=True, money="123000",
                people=(
                    dealt(
                        party_discipline=D.PartyDiscipline.WARNING,
                        government_sanction=D.GovernmentSanction.WARNING,
                    ),
                ),
            ),
        ),
        closed=-1790,
    ),
    ClueRow(
        12, 2, "R06-T02-V02", "closed", "JW", Discipline.INTEGRITY, "村委会主任", Rank.OTHER, -1850,
        top_leader=True,
        reports=(
            Report(
                -1700, D.Method.CASE, "经审查调查，其侵占扶贫项目资金，开除党籍，涉嫌职务侵占犯罪移送司法机关。",
                is_final=True, money="860000",
                people=(
                    dealt(party_discipline=D.PartyDiscipline.EXPULSION, transferred_to_justice=True),
                ),
            ),
        ),
        closed=-1650,
    ),
]  # fmt: skip

SUMMARIES = {
    Discipline.INTEGRITY: [
        "反映{name}在担任{position}期间，利用职务便利在{project}中为他人谋取利益，收受好处费。"
        "巡察组调阅合同及付款凭证，发现该项目存在围标串标迹象。",
        "反映{name}违规收受管理服务对象礼金、购物卡，{y}年春节期间涉及{n}人次。",
    ],
    Discipline.WORK: [
        "反映{name}在{project}验收中失职失责，未按规定组织验收即同意支付工程款。",
    ],
    Discipline.ORGANIZATIONAL: [
        "反映{name}在干部选拔任用中违规操作，且个人有关事项报告不实，隐瞒配偶经商办企业情况。",
    ],
    Discipline.MASSES: [
        "反映{name}在低保、危房改造补助审核中优亲厚友，{n}户亲属违规享受补助。",
    ],
    Discipline.POLITICAL: [
        "反映{name}在巡察期间与相关人员串供，转移、隐匿财务资料，对抗组织审查。",
    ],
    Discipline.LIFE: [
        "反映{name}生活奢靡，长期接受私营企业主安排的高消费娱乐活动。",
    ],
}
PROJECTS = ["办公楼维修改造工程", "信息化平台建设项目", "道路硬化工程", "设备采购项目"]
RETURN_REASON = "线索反映的问题要素不全，请补充谈话笔录和相关书证材料后重新报送。"
REOPEN_REASON = "回头看中群众再次反映该问题，并提供了新的书证材料，需重新核查。"
MATERIALS = [
    (ClueFile.Kind.INTERVIEW, "谈话笔录.pdf"),
    (ClueFile.Kind.DOCUMENT, "相关合同及付款凭证.pdf"),
]


def seed_clue_officer(demo: DemoContext) -> None:
    """The security officer grants `office` the clue permission, person by person."""
    office = user("office")
    if not office.has_perm("clues.manage_clue"):
        user_set_clue_officer(user=office, enabled=True, actor=user("secadmin"))
        demo.count("permission_grants")


def seed_department_accounts(demo: DemoContext) -> None:
    """市委组织部 needs someone to sign for what is handed to it."""
    names = step_names(demo, "clue-departments")
    department = Department.objects.get(code="ZZB")
    plain_account(demo, "dept-ZZB", names.name(), Role.DEPARTMENT, department=department)


def seed_clues(demo: DemoContext) -> None:
    rng = step_rng("clues")
    names = step_names(demo, "clues")
    for row in CLUES:
        person = names.name()
        summary = rng.choice(SUMMARIES[row.discipline]).format(
            name=person,
            position=row.position,
            project=rng.choice(PROJECTS),
            y=timezone.localdate().year - 1,
            n=rng.randint(2, 9),
        )
        source = rng.choice(list(Problem.Source.values))
        round_ = find_round(row.term, row.number)
        target = Target.objects.select_related("round__office", "team").get(
            round=round_, organization__code=row.organization
        )
        if Clue.objects.filter(target=target, person_name=person).exists():
            continue
        _build_clue(demo, row, target, person, summary, source)
    services.send_due_reminders()


def _team_users(target: Target):
    memberships = list(
        Membership.objects.filter(team=target.team).select_related("cadre__user").order_by("pk")
    )
    leader = next(m.cadre.user for m in memberships if m.role == Membership.Role.LEADER)
    drafter = next(m.cadre.user for m in memberships if m.role == Membership.Role.MEMBER)
    return leader, drafter


def _build_clue(
    demo: DemoContext, row: ClueRow, target: Target, person: str, summary: str, source: str
) -> None:
    leader, drafter = _team_users(target)
    department = Department.objects.get(code=row.department)
    receiver = department.users.filter(is_active=True).order_by("pk").first()
    office = user("office")
    problems = list(target.problems.order_by("pk")[:1])
    clue = services.clue_create(
        target=target,
        user=drafter,
        problems=problems,
        person_name=person,
        person_position=row.position,
        person_rank=row.rank,
        person_is_top_leader=row.top_leader,
        discipline=row.discipline,
        source=source,
        confidentiality=Clue.Confidentiality.SECRET,
        summary=summary,
        department=department,
        urgent=row.urgent,
    )
    demo.count("clues")
    for kind, name in MATERIALS[: row.files]:
        upload = SimpleUploadedFile(name, material_pdf(clue.number), "application/pdf")
        services.clue_attach_file(clue=clue, upload=upload, kind=kind, user=drafter)
        demo.count("clue_files")
    drafted = days(row.drafted)
    stamps = {"drafted_at": at(drafted, 16)}
    # 直报快车道: the office approves and the department signs the same day.
    step_days = {"submit": 0, "approve": 1, "receive": 1} if row.urgent else STEP_DAYS
    for step in STATES[row.state]:
        if step == "submit":
            clue = services.clue_submit(clue=clue, user=leader)
            stamps["submitted_at"] = at(drafted + datetime.timedelta(days=step_days[step]), 10)
        elif step == "return":
            clue = services.clue_return(clue=clue, user=office, reason=RETURN_REASON)
            stamps.pop("submitted_at")
        elif step == "approve":
            clue = services.clue_approve(clue=clue, user=office)
            stamps["approved_at"] = at(drafted + datetime.timedelta(days=step_days[step]), 11)
        elif step == "receive":
            clue = services.clue_receive(clue=clue, user=receiver)
            received = drafted + datetime.timedelta(days=step_days[step])
            stamps["received_at"] = at(received, 15)
            stamps["disposition_due"] = disposition_due_from(received, urgent=row.urgent)
            _report(demo, clue, row.reports, receiver)
        elif step == "close":
            clue = services.clue_close(clue=clue, user=office)
            stamps["closed_at"] = at(days(row.closed), 10)
        elif step == "reopen":
            clue = services.clue_reopen(clue=clue, user=office, reason=REOPEN_REASON)
            stamps.pop("closed_at")
    Clue.objects.filter(pk=clue.pk).update(**stamps)


def _report(demo: DemoContext, clue: Clue, reports: tuple[Report, ...], receiver) -> None:
    for report in reports:
        disposition = services.disposition_report(
            clue=clue,
            user=receiver,
            method=report.method,
            note=report.note,
            people=[
                {
                    **person,
                    "name": person["name"] or clue.person_name,
                    "position": person["position"] or clue.person_position,
                }
                for person in report.people
            ],
            money_recovered=Decimal(report.money),
            is_final=report.is_final,
        )
        # Dispositions are append-only through the model; the queryset update
        # only moves the demo's report to the day the story puts it on.
        Disposition.objects.filter(pk=disposition.pk).update(reported_at=at(days(report.day), 16))
        demo.count("dispositions")


def material_pdf(label: str) -> bytes:
    return tiny_pdf(f"Xuncha demo material {label}")


def tiny_pdf(text: str) -> bytes:
    """A minimal, valid one-page PDF (A4) with one line of ASCII text."""
    safe = "".join(ch for ch in text if 32 <= ord(ch) < 127).replace("(", "[").replace(")", "]")
    stream = f"BT /F1 14 Tf 72 770 Td ({safe}) Tj ET\n0.6 w 72 760 m 523 760 l S\n".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n" % xref + b"%%EOF\n")
    return out.getvalue()

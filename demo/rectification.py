"""Steps for rectification (三单五账一评估): plans in every state, the demo
unit's ledger with an item in every state, overdue items of each colour,
evidence files, a finished assessment with its survey and one
accountability record, and the 巡察建议书.

The inspected organizations act through the rectification services as their
own people: a contact (`unit` for 市市场监督管理局, a plain account elsewhere)
fills in the three lists and reports on the ledger, the organization's top
leader (`unitleader` for the demo unit) signs the plan, `office` reviews,
checks (with `jiwei` and 市委组织部 co-signing) and closes. Deadlines are
relative to today so that green, yellow and red all show; the entries'
timestamps are moved back afterwards to the days the story puts them on.
"""

import io
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from demo.clues import tiny_pdf
from demo.context import DemoContext
from demo.orgs import CITY_OFFICE
from demo.rounds import at, days, find_round, plain_account, step_names, step_rng, user
from rectification import services
from rectification.models import (
    Accountability,
    Assessment,
    Evidence,
    FollowUp,
    Item,
    LedgerEntry,
    Plan,
    Recommendation,
    RecommendationEntry,
    SurveyLink,
)
from rounds.models import Target
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Department, Office, Organization
from xuncha.orgs.services import organization_save

UNIT_ORGANIZATION = "C019"  # `unit`'s, 市市场监督管理局党组
UNIT_LEADER = "unitleader"


class PlanRow(NamedTuple):
    term: int
    number: int
    organization: str
    state: str  # a Plan.Status, or "draft" with some items filled in
    ledger: str = ""  # how far the items got: see LEDGERS
    # Day the office accepted (or returned) the plan, relative to today; the
    # plan was opened 20 days before, signed and submitted in the last week.
    accepted: int = -200


PLANS = [
    # 十三届第一轮, rectifying: accepted months ago, items on the ledger.
    PlanRow(13, 1, UNIT_ORGANIZATION, Plan.Status.ACCEPTED, "every_state"),
    PlanRow(13, 1, "C006", Plan.Status.ACCEPTED, "all_closed"),
    PlanRow(13, 1, "C020", Plan.Status.ACCEPTED, "half_closed"),
    PlanRow(13, 1, "C016", Plan.Status.ACCEPTED, "in_progress"),
    PlanRow(13, 1, "C031", Plan.Status.ACCEPTED, "in_progress"),
    PlanRow(13, 1, "C037", Plan.Status.ACCEPTED, "half_closed"),
    PlanRow(13, 1, "C041", Plan.Status.ACCEPTED, "in_progress"),
    # 十三届第二轮, fed back three weeks ago: the plans are being drawn up.
    PlanRow(13, 2, "R08-T01", Plan.Status.DRAFT, accepted=-2),
    PlanRow(13, 2, "R08-T01-V01", Plan.Status.SIGNED, accepted=-2),
    PlanRow(13, 2, "R09-T05", Plan.Status.SUBMITTED, accepted=-2),
    PlanRow(13, 2, "R10-T03", Plan.Status.RETURNED, accepted=-2),
]

# The demo unit's ledger, one story per item in order; the rest are closed.
# (story, deadline in days from today, or None for 长期坚持)
UNIT_STORIES = [
    ("reported", -12),  # red: overdue, with two 报账 entries
    ("reported", 6),  # yellow
    ("in_progress", 15),  # green
    ("in_progress", 60),  # no colour yet
    ("handed_in", 8),  # 交账 with a PDF and a photo, awaiting 查账
    ("transferred", -3),  # 转账 to 市财政局, which now carries it
    ("returned", -30),  # 交账, then sent back by 查账
    ("long_term", -5),  # 转为长期坚持: no deadline colour any more
    ("accepted", 4),  # 查账 passed, with co-signers, awaiting 销账
    ("closed", -40),
    ("followed_up", -60),  # closed, and held at the 回头看
    ("reopened", -50),  # closed, reopened by the 回头看
]
RETURN_NOTE = "佐证材料不完整：缺少清退资金的银行回单和党组会议纪要，请补充后重新交账。"
FOLLOW_UP_HELD = "回头看抽查相关凭证和制度执行记录，整改成效巩固，未发现反弹。"
FOLLOW_UP_FAILED = "回头看发现同类问题再次出现：今年以来又以值班补助名义发放津补贴，整改不彻底。"
MEASURES = {
    "A": "1. 召开党组（党委）专题会议，深入学习贯彻上级决策部署，逐项制定落实清单；"
    "2. 建立重点任务月调度机制，明确责任领导和完成时限；3. 将落实情况纳入年度考核。",
    "B": "1. 修订完善党组（党委）议事规则和“三会一课”制度；2. 召开专题组织生活会，"
    "逐一对照检查；3. 加强党务干部培训，建立常态化督导机制。",
    "C": "1. 全面清理排查同类问题，违规资金限期追回；2. 修订完善财务报销、采购和公务接待"
    "管理办法；3. 对相关责任人批评教育，情节严重的移交纪检监察机关处理。",
    "D": "1. 对上轮巡察和审计反馈问题逐项回头看，建立整改销号台账；"
    "2. 对整改不到位的问题重新制定措施，明确完成时限。",
}
DEPARTMENTS = ["办公室", "财务科", "人事科", "机关党委", "法规科", "综合科"]
REPORT_NOTES = [
    "已召开党组会议专题研究，制定整改工作方案，相关制度正在修订。",
    "已完成自查自纠，清退违规发放资金，修订《财务报销管理办法》。",
    "整改措施已落实大部分，剩余事项正按计划推进。",
]
HAND_IN_NOTE = "整改措施已全部落实，相关制度已印发执行，佐证材料附后。"
SURVEY_COMMENTS = [
    "整改态度端正，群众反映的问题基本得到解决。",
    "津补贴问题整改到位，但制度执行还需加强。",
    "建议进一步公开整改情况，接受群众监督。",
    "",
]


def evidence_files(label: str) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile("整改佐证材料.pdf", tiny_pdf(f"Rectification evidence {label}")),
        SimpleUploadedFile("现场整改照片.png", tiny_png(label)),
    ]


def tiny_png(label: str) -> bytes:
    """A small real PNG: a grey "photo" with a few shapes, varied by the label."""
    shade = sum(label.encode()) % 80
    image = Image.new("RGB", (96, 64), (200 - shade, 210 - shade, 220 - shade))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 30, 40, 58), fill=(120, 90, 60))
    draw.rectangle((48, 20, 88, 58), fill=(90, 110, 140))
    draw.line((0, 59, 95, 59), fill=(60, 60, 60), width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- Accounts ---------------------------------------------------------------------


def seed_unit_accounts(demo: DemoContext) -> None:
    """Each organization with a plan has a contact and a top leader who can
    sign; the demo unit's leader logs in with the demo password."""
    names = step_names(demo, "rectification-accounts")
    office = user("office")
    for row in PLANS:
        organization = Organization.objects.get(code=row.organization)
        contact_name = names.name()
        if row.organization != UNIT_ORGANIZATION:
            plain_account(
                demo,
                f"contact-{row.organization}",
                contact_name,
                Role.UNIT_CONTACT,
                organization=organization,
            )
        if row.state == Plan.Status.DRAFT:
            continue  # nobody has signed yet; the leader's account can come later
        if row.organization == UNIT_ORGANIZATION:
            leader = _unit_leader(demo, organization)
        else:
            leader, _ = plain_account(
                demo,
                f"head-{row.organization}",
                organization.leader_name,
                Role.UNIT_CONTACT,
                organization=organization,
            )
        if organization.leader_user_id != leader.pk:
            organization.leader_user = leader
            organization_save(organization=organization, user=office)
    department = Department.objects.get(code="CZJ")
    plain_account(demo, "dept-CZJ", names.name(), Role.DEPARTMENT, department=department)


def _unit_leader(demo: DemoContext, organization: Organization) -> User:
    """`unitleader`: the demo unit's top leader, who signs its plan (签字背书),
    and logs in with the demo password like the other demo accounts."""
    found, _ = plain_account(
        demo, UNIT_LEADER, organization.leader_name, Role.UNIT_CONTACT, organization=organization
    )
    if not found.check_password(settings.DEMO_PASSWORD):
        reset = found.has_usable_password()
        found.set_password(settings.DEMO_PASSWORD)
        found.save(update_fields=["password"])
        if reset:
            demo.count("password_resets")
    return found


def contact_for(organization_code: str) -> User:
    if organization_code == UNIT_ORGANIZATION:
        return user("unit")
    return user(f"contact-{organization_code}")


# --- Plans and ledgers --------------------------------------------------------------


def seed_plans(demo: DemoContext) -> None:
    for row in PLANS:
        target = Target.objects.select_related("round__office", "organization").get(
            round=find_round(row.term, row.number), organization__code=row.organization
        )
        if Plan.objects.filter(target=target).exists():
            continue
        PlanBuilder(demo, row, target).build()
    services.send_due_reminders()


class PlanBuilder:
    def __init__(self, demo: DemoContext, row: PlanRow, target: Target) -> None:
        self.demo = demo
        self.row = row
        self.target = target
        self.rng = step_rng(f"plan:{row.organization}:{row.term}:{row.number}")
        self.names = step_names(demo, f"plan:{row.organization}")
        self.office = user("office")
        self.contact = contact_for(row.organization)
        self.cosigners = [user("jiwei"), user("dept-ZZB")]

    def build(self) -> None:
        row = self.row
        plan = services.plan_open(target=self.target, user=self.contact)
        self.demo.count("plans")
        items = list(plan.items.select_related("problem__category__parent").order_by("pk"))
        self.demo.count("rectification_items", len(items))
        deadlines = self._deadlines(items)
        leader, person = self.names.name(), self.names.name()
        for index, item in enumerate(items):
            if row.state == Plan.Status.DRAFT and index % 2:
                continue  # still being drawn up: half the items are blank
            self._fill(item, deadlines[index], leader, person)
        stamps = {"created_at": at(days(row.accepted - 20), 10)}
        if row.state != Plan.Status.DRAFT:
            organization = Organization.objects.get(pk=self.target.organization_id)
            plan = services.plan_sign(plan=plan, user=organization.leader_user)
            stamps["signed_at"] = at(days(row.accepted - 6), 16)
        if row.state in (Plan.Status.SUBMITTED, Plan.Status.ACCEPTED, Plan.Status.RETURNED):
            plan = services.plan_submit(plan=plan, user=self.contact)
            stamps["submitted_at"] = at(days(row.accepted - 5), 9)
        if row.state in (Plan.Status.ACCEPTED, Plan.Status.RETURNED):
            accept = row.state == Plan.Status.ACCEPTED
            plan = services.plan_review(
                plan=plan,
                user=self.office,
                accept=accept,
                reason=""
                if accept
                else "整改措施针对性不强，部分问题的完成时限过长，请修改后重新报送。",
            )
            stamps["reviewed_at"] = at(days(row.accepted), 15)
            if not accept:
                stamps.pop("signed_at")  # a returned plan is signed again when resubmitted
        Plan.objects.filter(pk=plan.pk).update(**stamps)
        if row.state == Plan.Status.ACCEPTED:
            self._work_the_ledger(items)

    def _deadlines(self, items: list[Item]) -> list[int | None]:
        """Days from today: the demo unit's follow its stories, others spread
        over the three colours and beyond."""
        if self.row.organization == UNIT_ORGANIZATION:
            stories = [deadline for _, deadline in UNIT_STORIES]
            return stories + [-self.rng.randint(20, 120) for _ in items[len(stories) :]]
        if self.row.ledger == "all_closed":
            return [-self.rng.randint(20, 150) for _ in items]
        if self.row.state != Plan.Status.ACCEPTED:
            return [self.rng.choice([45, 60, 90, 120, None]) for _ in items]
        return [self.rng.choice([-35, -14, -2, 3, 8, 13, 18, 40, 75, None]) for _ in items]

    def _fill(self, item: Item, deadline: int | None, leader: str, person: str) -> None:
        category = item.problem.category
        group = (category.parent or category).code[:1]
        kind = Item.Kind.ONGOING if deadline is None else item.kind
        services.item_plan_update(
            item=item,
            user=self.contact,
            measures=MEASURES.get(group, MEASURES["C"]),
            kind=kind,
            responsible_leader=leader,
            responsible_person=person,
            responsible_user=self.contact,
            responsible_department=self.rng.choice(DEPARTMENTS),
            deadline=None if deadline is None else days(deadline),
        )

    # The ledger ----------------------------------------------------------------------

    def _work_the_ledger(self, items: list[Item]) -> None:
        ledger = self.row.ledger
        for index, item in enumerate(items):
            if ledger == "every_state":
                story = UNIT_STORIES[index][0] if index < len(UNIT_STORIES) else "closed"
            elif ledger == "all_closed":
                story = "closed"
            elif ledger == "half_closed":
                story = "closed" if index % 2 else self.rng.choice(["in_progress", "reported"])
            else:
                story = self.rng.choice(["in_progress", "reported", "reported", "handed_in"])
            self._tell(Item.objects.get(pk=item.pk), story, index)
            self._backdate(item)

    def _tell(self, item: Item, story: str, index: int) -> None:
        """Move one item along the ledger as far as its story goes."""
        contact, office = self.contact, self.office
        if story in ("reported", "returned", "closed", "followed_up", "reopened", "accepted"):
            self._act(services.ledger_report, item, contact, progress=40, note=REPORT_NOTES[0])
        if story == "reported":
            self._act(services.ledger_report, item, contact, progress=70, note=REPORT_NOTES[2])
        if story == "transferred":
            self._act(
                services.ledger_transfer,
                item,
                office,
                note="该问题涉及全市财政专户清理，转市财政局统筹办理。",
                department=Department.objects.get(code="CZJ"),
            )
        if story == "long_term":
            self._act(
                services.ledger_transfer,
                item,
                office,
                note="制度建设需长期坚持，转为长期整改事项，每半年报告一次进展。",
                long_term=True,
            )
        if story in ("handed_in", "returned", "accepted", "closed", "followed_up", "reopened"):
            self._act(
                services.ledger_hand_in,
                item,
                contact,
                note=HAND_IN_NOTE,
                files=evidence_files(f"{item.pk}"),
                rules_made=self.rng.randint(0, 2),
                money_recovered=Decimal(self.rng.choice([0, 0, 12800, 56300, 238000])),
            )
            self.demo.count("evidence", 2)
        if story == "returned":
            self._act(services.ledger_check, item, office, accept=False, note=RETURN_NOTE)
        if story in ("accepted", "closed", "followed_up", "reopened"):
            self._act(
                services.ledger_check,
                item,
                office,
                accept=True,
                note="经巡察办会同市纪委监委、市委组织部查验，佐证材料齐全，整改到位。",
                cosigners=self.cosigners if index % 3 == 0 else (),
            )
        if story in ("closed", "followed_up", "reopened"):
            self._act(services.ledger_close, item, office, note="同意销号。")
        if story in ("followed_up", "reopened"):
            held = story == "followed_up"
            services.follow_up_check(
                item=item,
                user=office,
                held=held,
                note=FOLLOW_UP_HELD if held else FOLLOW_UP_FAILED,
                expected_version=item.version,
            )
            item.refresh_from_db()
            self.demo.count("follow_ups")

    def _act(self, service, item: Item, actor: User, **arguments) -> None:
        service(item=item, user=actor, expected_version=item.version, **arguments)
        item.refresh_from_db()
        self.demo.count("ledger_entries")

    def _backdate(self, item: Item) -> None:
        """Spread the item's entries from the plan's acceptance to a week ago
        (the 回头看 that found a closed item still fixed came after)."""
        entries = list(LedgerEntry.objects.filter(item=item).order_by("pk"))
        if not entries:
            return
        start, end = self.row.accepted + 10, -8
        offsets = sorted(self.rng.sample(range(start, end), len(entries)))
        for entry, offset in zip(entries, offsets, strict=True):
            moment = at(days(offset), self.rng.randint(9, 17))
            LedgerEntry.objects.filter(pk=entry.pk).update(created_at=moment)
            Evidence.objects.filter(entry=entry).update(uploaded_at=moment)
            if entry.action == LedgerEntry.Action.CLOSE:
                Item.objects.filter(pk=item.pk, state=Item.State.CLOSED).update(closed_at=moment)
            if entry.action == LedgerEntry.Action.REOPEN:
                FollowUp.objects.filter(item=item).update(checked_at=moment)
        if not LedgerEntry.objects.filter(item=item, action=LedgerEntry.Action.REOPEN).exists():
            FollowUp.objects.filter(item=item).update(checked_at=at(days(-3), 10))


# --- The assessment (一评估) --------------------------------------------------------


def seed_assessments(demo: DemoContext) -> None:
    """A finished assessment (survey answered and closed, a verdict, one
    accountability) for 市财政局, and one still collecting answers."""
    office = user("office")
    rng = step_rng("assessments")
    names = step_names(demo, "assessments")
    accountable = names.name()
    for code, finished in (("C006", True), ("C016", False)):
        target = Target.objects.select_related("round__office").get(
            round=find_round(13, 1), organization__code=code
        )
        if Assessment.objects.filter(target=target).exists():
            continue
        assessment = services.assessment_open(target=target, user=office)
        demo.count("assessments")
        for respondent, count, answered in (
            (SurveyLink.Respondent.CADRE, 12, 10 if finished else 4),
            (SurveyLink.Respondent.PUBLIC, 8, 6 if finished else 2),
        ):
            links = services.survey_links_create(
                assessment=assessment, respondent=respondent, count=count, user=office
            )
            for link in links[:answered]:
                services.survey_answer(
                    token=link.token,
                    satisfaction=rng.choices([5, 4, 3, 2], weights=[45, 35, 15, 5])[0],
                    comment=rng.choice(SURVEY_COMMENTS),
                )
                demo.count("survey_answers")
        if not finished:
            continue
        services.survey_close(assessment=assessment, user=office)
        services.assessment_decide(
            assessment=assessment,
            verdict=Assessment.Verdict.FAIR,
            note="整改事项全部销号，建章立制成效明显；违规发放津补贴问题整改前期进度滞后，"
            "干部群众满意度测评中相关意见较为集中。",
            user=office,
        )
        services.accountability_record(
            assessment=assessment,
            person_name=accountable,
            position="党组成员、副局长",
            measure="诫勉谈话",
            reason="分管领域违规发放津补贴问题整改进度滞后，经督促仍未按期完成，影响整体整改成效。",
            user=office,
        )
        demo.count("accountabilities")
        SurveyLink.objects.filter(assessment=assessment).exclude(answered_at=None).update(
            answered_at=at(days(-30), 10)
        )
        Assessment.objects.filter(pk=assessment.pk).update(decided_at=at(days(-14), 15))
        Accountability.objects.filter(assessment=assessment).update(recorded_at=at(days(-12), 9))


# --- 巡察建议书 ----------------------------------------------------------------------


class RecommendationRow(NamedTuple):
    department: str
    title: str
    content: str
    issued: int  # days relative to today
    due: int
    answer: str = ""  # the department's feedback, when it has answered


RECOMMENDATIONS = [
    RecommendationRow(
        "CZJ",
        "关于规范市直单位公款竞争性存放管理的巡察建议书",
        "十三届市委第一轮巡察发现，部分市直单位公款存放未经集体研究决策、未开展竞争性选择，"
        "违规开设银行账户问题较为普遍。建议市财政局：一是开展全市预算单位银行账户专项清理；"
        "二是修订公款竞争性存放管理办法，明确决策程序；三是建立常态化监督检查机制。",
        -60,
        -15,
        answer="已印发《关于开展预算单位银行账户专项清理的通知》，清理撤并账户37个，"
        "修订后的公款竞争性存放管理办法已提请市政府审议。",
    ),
    RecommendationRow(
        "ZJJ",
        "关于加强政府投资小额工程项目招投标监管的巡察建议书",
        "巡察发现多家单位存在化整为零规避招标、小额工程直接发包等问题。建议市住房和城乡建设局"
        "牵头完善小额工程项目交易规则，推动纳入公共资源交易平台，加强事中事后监管。",
        -10,
        20,
    ),
]


def seed_recommendations(demo: DemoContext) -> None:
    office = user("office")
    city = Office.objects.get(name=CITY_OFFICE)
    for row in RECOMMENDATIONS:
        if Recommendation.objects.filter(office=city, title=row.title).exists():
            continue
        department = Department.objects.get(code=row.department)
        recommendation = services.recommendation_issue(
            office=city,
            department=department,
            title=row.title,
            content=row.content,
            due=days(row.due),
            round_=find_round(13, 1),
            user=office,
        )
        demo.count("recommendations")
        if row.answer:
            receiver = department.users.filter(is_active=True).order_by("pk").first()
            services.recommendation_step(
                recommendation=recommendation,
                action=Recommendation.Status.RECEIVED,
                user=receiver,
            )
            services.recommendation_step(
                recommendation=recommendation,
                action=Recommendation.Status.ANSWERED,
                note=row.answer,
                user=receiver,
            )
        Recommendation.objects.filter(pk=recommendation.pk).update(issued_at=days(row.issued))
        for offset, entry in zip(
            (row.issued, row.issued + 2, row.due - 3),
            RecommendationEntry.objects.filter(recommendation=recommendation).order_by("pk"),
            strict=False,
        ):
            RecommendationEntry.objects.filter(pk=entry.pk).update(created_at=at(days(offset), 10))

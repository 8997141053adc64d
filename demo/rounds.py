"""Steps for the inspection rounds: two terms of rounds with their teams,
targets, daily work logs, weekly summaries and the problems found.

Whatever a person does in the app is done here through the rounds services,
as that person: the office plans rounds, forms teams and assigns targets;
each member signs the three commitments; members record problems and the
leader files the daily logs; the office reviews, feeds back and moves each
round through its lifecycle with ``round_advance`` (every guard passes: no
status is set directly). So the audit log, the django-guardian grants and the
guards are the real ones. One exception keeps seeding fast: the daily logs of
rounds long past are written in one insert (see ``RoundBuilder._file_logs``).

A round is built whole or not at all: one that exists (by office, term and
number) is left alone, so seeding twice gives the rows of seeding once.
Dates are relative to today, so the demo always looks current. The services
stamp ``now()`` on what they create; the demo's history happened over weeks
and years, so after a round is built its timestamps (joining, signing,
recording, filing) are moved back to the days the story puts them on.
"""

import datetime
import importlib
import random
from collections import defaultdict
from typing import NamedTuple

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from demo import checklist
from demo.context import DEMO_SEED, DemoContext
from demo.names import NameMaker
from demo.orgs import CITY_OFFICE
from rounds import services
from rounds.models import (
    Commitment,
    Membership,
    Problem,
    ProblemCategory,
    Round,
    RoundKind,
    Target,
    Team,
    TeamReport,
    WeeklySummary,
    WorkLog,
)
from rounds.recusal import recusal_conflicts
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.orgs.models import Cadre, Office, Organization

S = Round.Status
P = Problem.Status
LIFECYCLE = list(S.values)  # 计划 → … → 归档, in order

# --- Shared by the rounds, clues and rectification steps ----------------------


def step_rng(name: str) -> random.Random:
    """A generator of the step's own: what one step draws never shifts another's."""
    # Demo content, not secrets: a seeded generator is the point.
    return random.Random(f"{DEMO_SEED}:{name}")  # noqa: S311


def step_names(demo: DemoContext, name: str) -> NameMaker:
    """Names of the step's own, never one the earlier steps gave out."""
    return NameMaker(step_rng(f"{name}:names"), reserved=tuple(sorted(demo.names.used)))


def user(username: str) -> User:
    """A demo account, freshly read (roles and permissions are cached on the object)."""
    return User.objects.select_related("office", "organization", "department").get(
        username=username
    )


REPORT_DUE_DAYS = 10


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def days(n: int) -> datetime.date:
    """Today plus ``n`` days (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=n)


def plain_account(
    demo: DemoContext, username: str, full_name: str, role: Role, **links
) -> tuple[User, bool]:
    """An account nobody logs in as in the demo (no usable password), with its
    one role. Written directly, as the demo accounts are (users.seed_users):
    the accounts are the stage, not the play the audit log records."""
    found = User.objects.filter(username=username).first()
    if found:
        return found, False
    account = User(username=username, full_name=full_name, **links)
    account.set_unusable_password()
    account.save()
    account.groups.add(Group.objects.get(name=role))
    if account.department_id:
        # What is handed to a department is granted to its group.
        account.groups.add(account.department.group)
    demo.count("users")
    return account, True


# --- The rounds, as data --------------------------------------------------------


class TeamRow(NamedTuple):
    targets: tuple[str, ...]  # organization codes
    size: int = 5  # everyone, leader included (5–7)
    deputies: int = 1
    leader: str | None = None  # cadre code; otherwise the next free one from 组长库
    members: tuple[str, ...] = ()  # cadre codes that must be on the team
    unsigned: str | None = None  # cadre code of a member who has not signed yet


class RoundRow(NamedTuple):
    term: int
    number: int
    kinds: tuple[str, ...]  # RoundKind codes
    status: str
    entry: int  # day of 进驻, relative to today
    on_site_days: int
    feedback_after: int  # days from leaving the site to the feedback (反馈)
    teams: tuple[TeamRow, ...]
    problems: int = 0  # about this many per target
    theme: str = ""
    district: str | None = None  # region code of a district office; None: the city office
    # The weekly summaries are compiled (by the Monday task) for the rounds on
    # site these last weeks; every team that went on site filed its daily logs.
    summaries: bool = False


ROUNDS = [
    # 十二届: 2021, long archived.
    RoundRow(
        12, 1, ("regular",), S.ARCHIVED, -1995, 40, 45,
        (TeamRow(("C002", "C005")), TeamRow(("C012", "C014"))),
        problems=4,
    ),
    RoundRow(
        12, 2, ("special", "extended"), S.ARCHIVED, -1880, 35, 40,
        (TeamRow(("R06-T02", "R06-T02-V02")), TeamRow(("R07-T01", "R07-T01-V01"))),
        problems=4, theme="扶贫帮扶",
    ),
    # 十三届: 2025–2026, across the lifecycle.
    RoundRow(
        13, 1, ("regular",), S.RECTIFYING, -330, 45, 40,
        (
            TeamRow(("C019", "C006", "C020"), size=6, deputies=2),
            TeamRow(("C016", "C031")),
            TeamRow(("C037", "C041")),
        ),
        problems=6,
    ),
    RoundRow(
        13, 2, ("special", "elevated"), S.FEEDBACK, -110, 40, 45,
        (TeamRow(("R08-T01", "R08-T01-V01")), TeamRow(("R09-T05", "R10-T03"), deputies=2)),
        problems=5, theme="乡村振兴",
    ),
    RoundRow(
        13, 3, ("regular",), S.REPORTING, -62, 42, 0,
        (TeamRow(("C004", "C003")), TeamRow(("C042", "C043"))),
        problems=7, summaries=True,
    ),
    RoundRow(
        13, 4, ("regular",), S.ON_SITE, -27, 45, 0,
        (
            TeamRow(("C009", "C033"), size=7, deputies=2, leader="GB0001", members=("GB0017",)),
            TeamRow(("C028", "C029"), size=6),
            TeamRow(("C017", "C035")),
        ),
        problems=10, summaries=True,
    ),
    RoundRow(
        13, 5, ("regular",), S.PREPARING, 25, 45, 0,
        (TeamRow(("C021", "C022"), unsigned="GB0064"), TeamRow(("C026", "C027"))),
    ),
    RoundRow(13, 6, ("adhoc",), S.PLANNED, 75, 30, 0, ()),
    # A district office's 交叉巡察: 市南区's team inspects units of 市北区.
    RoundRow(
        13, 1, ("cross",), S.ON_SITE, -13, 30, 0,
        (TeamRow(("R02-D01", "R02-D04"), size=6),),
        problems=8, district="990102", summaries=True,
    ),
]  # fmt: skip

# Problems by category code: {y} a year, {n} a count, {m} an amount in 万元, {p} a project.
PROBLEM_TEXTS = {
    "A01": [
        "贯彻落实市委关于{topic}的部署要求不够到位，{y}年度{n}项重点任务未按期完成",
        "对上级交办的{topic}督办事项跟踪落实不力，存在以文件落实文件现象",
    ],
    "A02": [
        "{y}年以来{n}项“三重一大”事项未经党组（党委）会集体研究，由主要负责人个人签批",
        "大额资金{m}万元使用未经集体决策程序，会后补签会议纪要",
    ],
    "A03": [
        "意识形态工作责任制落实不到位，{y}年未专题研究意识形态工作",
        "单位门户网站和微信公众号信息发布“三审三校”制度执行不严",
    ],
    "A04": [
        "落实乡村振兴重点任务打折扣，衔接资金项目{n}个未按期开工",
        "生态环境问题整改不到位，{n}个整改点位反弹回潮",
    ],
    "A05": [
        "文山会海问题突出，{y}年印发文件同比不降反升，基层填报表格{n}类",
        "调研走过场，{n}篇调研报告照搬照抄、质量不高",
        "督查检查考核频次过多，增加基层负担",
    ],
    "B01": [
        "民主集中制执行不到位，党组（党委）会议议事规则多年未修订",
        "民主生活会查摆问题流于形式，批评与自我批评辣味不足",
    ],
    "B02": [
        "“三会一课”制度落实不严格，{y}年支部党员大会仅召开{n}次",
        "组织生活会会前谈心谈话不到位，相互批评意见多为泛泛而谈",
    ],
    "B03": [
        "基层党组织书记履职能力不强，{n}个党支部组织力较弱",
        "{n}个基层党支部未按期换届",
    ],
    "B04": [
        "选人用人不规范，{n}名干部提拔任用程序不完整",
        "干部试用期满考核缺失，{n}名干部未按规定转正",
    ],
    "B05": [
        "发展党员程序不规范，{n}名发展对象培养考察材料缺失",
        "流动党员管理缺位，{n}名党员长期未参加组织生活",
    ],
    "B06": ["干部人事档案专项审核发现{n}份档案“三龄两历”认定依据不足"],
    "C01": [
        "落实全面从严治党主体责任不力，主要负责人第一责任人职责履行不到位",
        "对下属单位监督管理宽松软，{n}家下属单位内控制度缺失",
    ],
    "C02": [
        "监督执纪“四种形态”运用不充分，日常监督浮于表面",
        "廉政风险防控排查流于形式，{n}个重点岗位未开展轮岗交流",
    ],
    "C03": [
        "违规使用公务用车，{n}次公车私用",
        "借培训名义到风景名胜区开展活动，列支费用{m}万元",
        "超标准接待{n}次，陪餐人数超出规定",
    ],
    "C04": [
        "以加班费、值班补助等名义违规发放津补贴{m}万元，涉及{n}人",
        "{y}年违规发放年终奖励{m}万元",
    ],
    "C05": [
        "以会议费名义列支公务接待费用{m}万元",
        "在下属单位食堂违规公款吃喝{n}次",
    ],
    "C06": [
        "公款存放未经集体研究决策，{m}万元存放于未经竞争性选择的银行",
        "违规开设银行账户{n}个，长期未清理",
    ],
    "C07": [
        "{p}未公开招标，合同金额{m}万元",
        "化整为零规避招标，{n}个项目合同金额均略低于限额标准",
    ],
    "C08": [
        "政府采购不规范，{n}批次货物未按规定在平台采购",
        "采购验收把关不严，{p}验收资料缺失",
    ],
    "C09": [
        "村级财务管理不规范，白条入账{n}笔、金额{m}万元",
        "村务公开不及时，{y}年财务收支未按季度公开",
    ],
    "C10": [
        "集体土地发包未经民主程序，{n}亩土地低价发包",
        "集体资产出租合同到期未续签，租金{m}万元未收取",
    ],
    "C11": [
        "惠民惠农补贴发放审核把关不严，{n}户不符合条件人员享受补贴",
        "涉农资金{m}万元滞留未拨付",
    ],
    "C12": [
        "村干部优亲厚友，低保评定程序不公开",
        "群众反映强烈的{p}问题长期未解决",
    ],
    "D01": [
        "上轮巡察反馈的{n}个问题整改不彻底，存在边改边犯",
        "整改台账{n}项销号依据不足",
    ],
    "D02": ["审计发现问题整改不到位，{m}万元违规资金未追回"],
}
# Cadres the table places by name (the demo accounts among them).
PINNED_CADRES = frozenset(
    code
    for round_row in ROUNDS
    for team in round_row.teams
    for code in (team.leader, *team.members, team.unsigned)
    if code
)

TOPICS = ["优化营商环境", "安全生产", "生态环境保护", "数字化改革", "防范化解重大风险"]
PROJECTS = [
    "办公楼维修改造工程",
    "信息化平台建设项目",
    "道路硬化工程",
    "农田水利设施项目",
    "老旧小区改造项目",
    "污水管网改造工程",
    "村级活动场所建设项目",
]
SOURCES = [
    (Problem.Source.INTERVIEW, 30),
    (Problem.Source.DOCUMENTS, 30),
    (Problem.Source.PETITION, 12),
    (Problem.Source.VISIT, 14),
    (Problem.Source.DATA, 10),
    (Problem.Source.OTHER, 4),
]
SEVERITIES = [
    (Problem.Severity.MINOR, 55),
    (Problem.Severity.SERIOUS, 33),
    (Problem.Severity.GRAVE, 12),
]
IMMEDIATE_FIX_SHARE = 0.12
# Where a round's problems stand, by the round's status: (status, weight).
REVIEW_MIX = {
    S.ON_SITE: [(P.DRAFT, 30), (P.TEAM_REVIEW, 25), (P.OFFICE_REVIEW, 25), (P.IN_REPORT, 20)],
    S.REPORTING: [(P.OFFICE_REVIEW, 25), (P.IN_REPORT, 75)],
}
REVIEW_ORDER = [P.DRAFT, P.TEAM_REVIEW, P.OFFICE_REVIEW, P.IN_REPORT, P.FED_BACK]
DEMO_UNIT = "C019"  # `unit`'s organization, 市市场监督管理局党组
LOG_SKIP_SHARE = 0.1  # weekdays a leader forgets the log: they show as missing

ROUND_KINDS_MIGRATION = "rounds.migrations.0002_seed_kinds_and_categories"


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _reached(row: RoundRow, status: str) -> bool:
    return LIFECYCLE.index(row.status) >= LIFECYCLE.index(status)


# --- Steps ------------------------------------------------------------------------


def seed_kinds_and_categories(demo: DemoContext) -> None:
    """What the rounds migration seeds, in case a flushed test database lost it."""
    seeded = importlib.import_module(ROUND_KINDS_MIGRATION)
    for order, (code, name) in enumerate(seeded.ROUND_KINDS):
        _, created = RoundKind.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        demo.count("round_kinds", created)
    for order, (code, name, items) in enumerate(seeded.CATEGORY_TREE):
        parent, created = ProblemCategory.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        demo.count("problem_categories", created)
        for item_order, (item_code, item_name) in enumerate(items):
            _, created = ProblemCategory.objects.get_or_create(
                code=item_code,
                defaults={
                    "name": item_name,
                    "parent": parent,
                    "is_negative_list": True,
                    "sort_order": item_order,
                },
            )
            demo.count("problem_categories", created)


def seed_cadre_accounts(demo: DemoContext) -> None:
    """Every cadre in the pool gets an account, so the office can put them on a
    team (一次一授权 needs someone to grant to)."""
    for cadre in Cadre.objects.filter(user=None).order_by("code"):
        role = Role.TEAM_LEADER if cadre.in_leader_pool else Role.TEAM_MEMBER
        account, _ = plain_account(demo, f"cadre-{cadre.code}", cadre.name, role)
        Cadre.objects.filter(pk=cadre.pk).update(user=account)


def round_office(row: RoundRow) -> Office:
    if row.district is None:
        return Office.objects.get(name=CITY_OFFICE)
    return Office.objects.get(region__code=row.district)


def find_round(term: int, number: int, district: str | None = None) -> Round:
    office = Office.objects.get(name=CITY_OFFICE) if district is None else None
    query = Round.objects.select_related("office")
    if office:
        return query.get(office=office, term=term, number=number)
    return query.get(office__region__code=district, term=term, number=number)


def seed_rounds(demo: DemoContext) -> None:
    for row in ROUNDS:
        office = round_office(row)
        if Round.objects.filter(office=office, term=row.term, number=row.number).exists():
            continue
        RoundBuilder(demo, row, office).build()


def seed_weekly_summaries(demo: DemoContext) -> None:
    """The Monday task, for every past week of the rounds on site these last weeks."""
    today = timezone.localdate()
    for row in ROUNDS:
        if not row.summaries:
            continue
        round_ = find_round(row.term, row.number, row.district)
        first = days(row.entry)
        week = first - datetime.timedelta(days=first.weekday())
        while week + datetime.timedelta(days=6) < today:
            summary, created = services.weekly_summary_compile(round_=round_, week_start=week)
            if created:
                compiled_on = week + datetime.timedelta(days=7)
                WeeklySummary.objects.filter(pk=summary.pk).update(created_at=at(compiled_on, 8))
                demo.count("weekly_summaries")
            week += datetime.timedelta(days=7)


# --- Building one round -------------------------------------------------------------


class RoundBuilder:
    def __init__(self, demo: DemoContext, row: RoundRow, office: Office) -> None:
        self.demo = demo
        self.row = row
        self.office = office
        self.rng = step_rng(f"round:{office.pk}:{row.term}:{row.number}")
        self.names = step_names(demo, f"round:{row.district}:{row.term}:{row.number}")
        self.office_user = user("office")
        self.entry = days(row.entry)
        self.exit = self.entry + datetime.timedelta(days=row.on_site_days)
        self.feedback = self.exit + datetime.timedelta(days=row.feedback_after)
        # Working days the teams spend on site, up to today.
        last = min(self.exit, timezone.localdate())
        self.site_days = [
            self.entry + datetime.timedelta(days=n)
            for n in range((last - self.entry).days + 1)
            if (self.entry + datetime.timedelta(days=n)).weekday() < 5
        ]

    def build(self) -> None:
        row = self.row
        self.round = services.round_create(
            office=self.office,
            term=row.term,
            number=row.number,
            year=(self.entry - datetime.timedelta(days=10)).year,
            kinds=list(RoundKind.objects.filter(code__in=row.kinds)),
            planned_start=self.entry - datetime.timedelta(days=10),
            planned_end=max(self.feedback, self.exit),
            theme=row.theme,
            # The plan's 巡察报告报送期限: ten days after the stay.
            report_due=self.exit + datetime.timedelta(days=REPORT_DUE_DAYS),
            user=self.office_user,
        )
        self.demo.count("rounds")
        self.teams = [self._form_team(number, team) for number, team in enumerate(row.teams, 1)]
        if not _reached(row, S.PREPARING):
            return self._backdate()
        self._advance()
        self._sign_commitments()
        for target in Target.objects.filter(round=self.round):
            services.target_set_dates(
                target=target,
                entry_date=self.entry,
                exit_date=self.exit,
                feedback_date=None,
                user=self.office_user,
            )
        if _reached(row, S.ON_SITE):
            self._advance()
            self._file_logs(self._record_problems())
            # 报告 waits for every step of the on-site checklist; a round still
            # on site has two left to do.
            checklist.tick_round(
                self.demo,
                self.round,
                history=not row.summaries,
                leave_out=0 if _reached(row, S.REPORTING) else 2,
            )
        if _reached(row, S.REPORTING):
            self._hand_in_reports()
            self._advance()
        if _reached(row, S.FEEDBACK):
            for target in Target.objects.filter(round=self.round).select_related("round"):
                services.target_give_feedback(
                    target=target, feedback_date=self.feedback, user=self.office_user
                )
            self._advance()
        if _reached(row, S.RECTIFYING):
            self._advance()
        if _reached(row, S.ARCHIVED):
            # 归档 now waits for every plan accepted and every item done; the
            # 2021 rounds predate the system (no plans were kept in it), so
            # they arrive archived, as an import of history would bring them.
            Round.objects.filter(pk=self.round.pk).update(status=S.ARCHIVED)
            Target.objects.filter(round=self.round).update(status=Target.Status.CLOSED)
            self.round.refresh_from_db()
        self._backdate()

    def _advance(self) -> None:
        self.round = services.round_advance(round_=self.round, user=self.office_user)

    # Teams ---------------------------------------------------------------------

    def _form_team(self, number: int, row: TeamRow) -> Team:
        team = services.team_create(
            round_=self.round, number=number, liaison=self.names.name(), user=self.office_user
        )
        self.demo.count("teams")
        organizations = [Organization.objects.get(code=code) for code in row.targets]
        for organization in organizations:
            services.target_add(team=team, organization=organization, user=self.office_user)
            self.demo.count("targets")
        for cadre, role in self._pick_members(row, organizations):
            # Rounds are seeded one after another, each already at its final
            # stage, so a cadre may look busy elsewhere: the office confirms.
            services.team_add_member(
                team=team, cadre=cadre, role=role, user=self.office_user, confirm_busy=True
            )
            self.demo.count("memberships")
        return team

    def _pick_members(self, row: TeamRow, organizations: list[Organization]):
        """The leader, deputies and members: pinned ones first, then others drawn
        from the pools, skipping whoever is on another team of the round or must
        recuse themself from one of the targets (the service would refuse them)."""
        taken = set(
            Membership.objects.filter(round=self.round).values_list("cadre__code", flat=True)
        )
        pool = list(
            Cadre.objects.filter(is_active=True)
            .select_related("organization__parent")
            .order_by("code")
        )
        self.rng.shuffle(pool)

        def free(cadre: Cadre) -> bool:
            return cadre.code not in taken and not recusal_conflicts(cadre, organizations)

        def take(candidates) -> Cadre:
            cadre = next(c for c in candidates if free(c))
            taken.add(cadre.code)
            return cadre

        by_code = {cadre.code: cadre for cadre in pool}
        # The demo accounts' cadres serve only where the table pins them: the
        # `leader` account leads one team on site, never a second drawn by lot.
        drawn = [c for c in pool if c.code not in PINNED_CADRES]
        leader = take(
            [by_code[row.leader]] if row.leader else [c for c in drawn if c.in_leader_pool]
        )
        picked = [(leader, Membership.Role.LEADER)]
        for _ in range(row.deputies):
            picked.append((take([c for c in drawn if c.in_leader_pool]), Membership.Role.DEPUTY))
        pinned = [by_code[code] for code in (*row.members, row.unsigned) if code]
        for cadre in pinned:
            picked.append((take([cadre]), Membership.Role.MEMBER))
        talent = [c for c in drawn if c.in_talent_pool and not c.in_leader_pool]
        while len(picked) < row.size:
            picked.append((take(talent), Membership.Role.MEMBER))
        return picked

    def _sign_commitments(self) -> None:
        unsigned = {team.unsigned for team in self.row.teams if team.unsigned}
        memberships = Membership.objects.filter(round=self.round).select_related("cadre__user")
        for membership in memberships:
            if membership.cadre.code in unsigned:
                continue
            for kind in Commitment.Kind.values:
                services.commitment_sign(
                    membership=membership, kind=kind, user=membership.cadre.user
                )
                self.demo.count("commitments")

    # Problems ----------------------------------------------------------------------

    def _record_problems(self) -> dict[tuple[int, datetime.date], int]:
        """Members record problems on the days on site; the leader and the office
        review them as far as the round has come. Returns problems found per
        (team, day), for the logs."""
        categories = {
            c.code: c for c in ProblemCategory.objects.filter(code__in=list(PROBLEM_TEXTS))
        }
        found: dict[tuple[int, datetime.date], int] = defaultdict(int)
        mix = REVIEW_MIX.get(self.row.status, [(P.IN_REPORT, 1)])
        if self.row.district:
            mix = [(P.DRAFT, 1), (P.TEAM_REVIEW, 1)]  # a fortnight in: still early
        returned = False
        targets = Target.objects.filter(round=self.round).select_related(
            "round__office", "team", "organization"
        )
        for target in targets:
            members = list(
                Membership.objects.filter(team=target.team)
                .select_related("cadre__user")
                .order_by("pk")
            )
            leader = next(m.cadre.user for m in members if m.role == Membership.Role.LEADER)
            count = self.row.problems + self.rng.randint(-2, 2)
            if target.organization.code == DEMO_UNIT:
                count = 14  # its plan needs an item for every ledger state
            for _ in range(count):
                status = _weighted(self.rng, mix)
                finder = self.rng.choice(members).cadre.user
                day = self.rng.choice(self.site_days)
                code, description = self._problem_text(target)
                problem = services.problem_create(
                    target=target,
                    category=categories[code],
                    description=description,
                    source=_weighted(self.rng, SOURCES),
                    severity=_weighted(self.rng, SEVERITIES),
                    immediate_fix=self.rng.random() < IMMEDIATE_FIX_SHARE,
                    found_on=day,
                    user=finder,
                )
                self.demo.count("problems")
                found[(target.team_id, day)] += 1
                Problem.objects.filter(pk=problem.pk).update(
                    created_at=at(day, 17, 30), updated_at=at(day, 17, 30)
                )
                if status == P.DRAFT and not returned and self.row.status == S.ON_SITE:
                    # One sent back by the leader, to show what a return looks like.
                    services.problem_transition(problem=problem, action="submit", user=finder)
                    services.problem_transition(
                        problem=problem,
                        action="team_return",
                        user=leader,
                        note="问题定性依据不足，请补充调阅的会议纪要和财务凭证后再提交。",
                    )
                    returned = True
                    continue
                self._review(problem, status, finder, leader)
        return found

    def _review(self, problem: Problem, status: str, finder: User, leader: User) -> None:
        steps = [
            (P.TEAM_REVIEW, "submit", finder),
            (P.OFFICE_REVIEW, "team_approve", leader),
            (P.IN_REPORT, "office_approve", self.office_user),
        ]
        for reached, action, actor in steps:
            if REVIEW_ORDER.index(status) < REVIEW_ORDER.index(reached):
                return
            services.problem_transition(problem=problem, action=action, user=actor)

    def _problem_text(self, target: Target) -> tuple[str, str]:
        rng = self.rng
        codes = list(PROBLEM_TEXTS)
        if target.organization.level != Organization.Level.VILLAGE:
            codes = [c for c in codes if c not in ("C09", "C10")]
        code = rng.choice(codes)
        template = rng.choice(PROBLEM_TEXTS[code])
        text = template.format(
            y=self.entry.year - rng.randint(1, 3),
            n=rng.randint(2, 18),
            m=f"{rng.uniform(1.5, 180):.1f}",
            p=rng.choice(PROJECTS),
            topic=rng.choice(TOPICS),
        )
        return code, text

    # Logs --------------------------------------------------------------------------

    def _file_logs(self, found: dict[tuple[int, datetime.date], int]) -> None:
        """The leader's daily log for each working day on site; some days forgotten.

        Logs of the rounds on site these last weeks are filed through the service,
        as the leader; older rounds' logs are history from before the demo's
        audit log began, written in one insert with one audit entry for the
        batch (as organizations are), which keeps seeding fast."""
        today = timezone.localdate()
        recent = self.row.summaries
        history = []
        for team in Team.objects.filter(round=self.round).prefetch_related("targets__organization"):
            leader = (
                Membership.objects.filter(team=team, role=Membership.Role.LEADER)
                .select_related("cadre__user")
                .get()
                .cadre.user
            )
            units = "、".join(t.organization.short_name for t in team.targets.all())
            past = [day for day in self.site_days if day < today]  # tonight's is not in yet
            # Now and then a leader forgets one; every leader has forgotten one at least.
            forgotten = self.rng.choice(past) if past else None
            for day in past:
                if day == forgotten or self.rng.random() < LOG_SKIP_SHARE:
                    continue
                figures = {
                    "interviews": self.rng.randint(3, 14),
                    "documents": self.rng.randint(10, 80),
                    "petitions": self.rng.randint(0, 4),
                    "visits": self.rng.randint(0, 3),
                    "site_checks": self.rng.randint(0, 2),
                    "problems_found": found.get((team.pk, day), 0),
                }
                narrative = _narrative(units, figures)
                if not recent:
                    history.append(
                        WorkLog(
                            team=team, date=day, narrative=narrative, filed_by=leader, **figures
                        )
                    )
                    continue
                log = services.worklog_file(
                    team=team, date=day, figures=figures, narrative=narrative, user=leader
                )
                WorkLog.objects.filter(pk=log.pk).update(
                    filed_at=at(day, 19, 30), updated_at=at(day, 19, 30)
                )
                self.demo.count("work_logs")
        if history:
            WorkLog.objects.bulk_create(history)
            for log in history:
                log.filed_at = log.updated_at = at(log.date, 19, 30)
            WorkLog.objects.bulk_update(history, ["filed_at", "updated_at"])
            log_action(None, "worklog.bulk_create", self.round, {"count": len(history)})
            self.demo.count("work_logs", len(history))

    # Dates ---------------------------------------------------------------------------

    def _hand_in_reports(self) -> None:
        """Each team's leader hands in the 巡察情况报告 of each target, through
        the service, dated a few days after the stay; the last team's last
        report came three days late, so the evaluation has something to show."""
        from demo.clues import tiny_pdf  # demo.clues imports this module

        targets = list(
            Target.objects.filter(round=self.round)
            .select_related("team", "organization")
            .order_by("team__number", "pk")
        )
        for n, target in enumerate(targets):
            leader = (
                Membership.objects.filter(team=target.team, role=Membership.Role.LEADER)
                .select_related("cadre__user")
                .get()
                .cadre.user
            )
            report = services.team_report_submit(
                target=target,
                upload=SimpleUploadedFile(
                    "巡察情况报告.pdf", tiny_pdf(f"Inspection report {target.organization.code}")
                ),
                user=leader,
            )
            late = n == len(targets) - 1 and len(targets) > 1
            day = self.exit + datetime.timedelta(days=REPORT_DUE_DAYS + 3 if late else 5)
            when = min(at(day, 16), timezone.now() - datetime.timedelta(hours=1))
            TeamReport.objects.filter(pk=report.pk).update(submitted_at=when)
            self.demo.count("team_reports")

    def _backdate(self) -> None:
        planned = self.entry - datetime.timedelta(days=10)

        def before(n: int) -> datetime.date:
            # n days before the round starts, but never later than a few days ago.
            return min(planned - datetime.timedelta(days=n), days(-n // 4 - 1))

        Round.objects.filter(pk=self.round.pk).update(created_at=at(before(20)))
        memberships = Membership.objects.filter(round=self.round)
        memberships.update(joined_at=at(before(7), 10))
        memberships.exclude(commitments_completed_at=None).update(
            commitments_completed_at=at(before(3), 15)
        )
        Commitment.objects.filter(membership__round=self.round).update(signed_at=at(before(3), 15))


def _narrative(units: str, figures: dict) -> str:
    text = (
        f"在{units}开展巡察。与班子成员、中层干部和一般干部个别谈话{figures['interviews']}人次，"
        f"调阅会议纪要、财务凭证、合同等资料{figures['documents']}份"
    )
    if figures["petitions"]:
        text += f"，受理来信来访{figures['petitions']}件"
    if figures["visits"] or figures["site_checks"]:
        text += f"，走访{figures['visits']}次、实地踏勘{figures['site_checks']}次"
    text += "。"
    if figures["problems_found"]:
        text += f"当日发现问题{figures['problems_found']}个，已录入并提交组内研判。"
    return text

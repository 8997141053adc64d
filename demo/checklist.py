"""The on-site checklist of the demo: every office's steps for its regular
(常规) rounds, and each team's ticks at its targets.

The steps are defined through the checklist services, as the office's staff.
A round the demo moves past 进驻 has every step ticked before 报告 (the guard
would refuse it otherwise), each with the team's own work log or, for the
announcement, a PDF; a round still on site has ticked all but the last two
steps, so its page shows what is missing. An interview step is shown by a
谈话记录 of the team at the target (one per step: the person the step names),
made with the tick. Ticks of rounds long past are history, written in one
insert with one audit entry (as their logs are).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from checklist import services
from checklist.models import ChecklistItem, ChecklistTick
from checklist.selectors import required_items
from demo.context import DemoContext
from fieldwork.models import Interview
from fieldwork.services.records import record_create
from rounds.models import Membership, Round, RoundKind, Target, WorkLog
from xuncha.accounts.models import User
from xuncha.audit.services import log_action
from xuncha.orgs.models import Office

E = ChecklistItem.Evidence
# (section, name, evidence): the procedure and the county's 三必谈三必看三必访.
STEPS = [
    ("procedure", "召开进驻动员会", E.LOG),
    ("procedure", "发布巡察公告", E.DOCUMENT),
    ("procedure", "个别谈话", E.INTERVIEW),
    ("procedure", "调阅资料", E.LOG),
    ("procedure", "听取工作汇报", E.LOG),
    ("must_talk", "必谈：村（社区）干部", E.INTERVIEW),
    ("must_talk", "必谈：普通党员", E.INTERVIEW),
    ("must_talk", "必谈：群众代表", E.INTERVIEW),
    ("must_see", "必看：党建档案", E.LOG),
    ("must_see", "必看：民生项目", E.LOG),
    ("must_see", "必看：财务账目", E.LOG),
    ("must_visit", "必访：困难家庭", E.LOG),
    ("must_visit", "必访：空巢老人和留守儿童", E.LOG),
    ("must_visit", "必访：信访人", E.LOG),
]
KIND = "regular"


def seed_checklist_items(demo: DemoContext) -> None:
    office_user = User.objects.get(username="office")
    kind = RoundKind.objects.get(code=KIND)
    for office in Office.objects.order_by("pk"):
        existing = set(
            ChecklistItem.objects.filter(office=office, kind=kind).values_list("name", flat=True)
        )
        for order, (section, name, evidence) in enumerate(STEPS):
            if name in existing:
                continue
            services.item_create(
                office=office,
                kind=kind,
                section=section,
                name=name,
                evidence=evidence,
                sort_order=order,
                user=office_user,
            )
            demo.count("checklist_items")


def _evidence_log(target: Target) -> WorkLog | None:
    logs = WorkLog.objects.filter(team=target.team, interviews__gt=0).order_by("date")
    if target.entry_date:
        logs = logs.filter(date__gte=target.entry_date)
    if target.exit_date:
        logs = logs.filter(date__lte=target.exit_date)
    return logs.first()


def _interviewee(item: ChecklistItem, target: Target) -> tuple[str, str]:
    """Who the step's talk was with: "必谈：普通党员" names them; the plain
    个别谈话 step is the talk with the unit's top leader."""
    if "：" in item.name:
        return f"{item.name.split('：', 1)[1]}代表", ""
    return target.leader_name or "主要负责人", "主要负责人"


def _interview_fields(item: ChecklistItem, target: Target, log: WorkLog) -> dict:
    person, position = _interviewee(item, target)
    return {
        "target": target,
        "person_name": person,
        "person_position": position,
        "held_on": log.date,
        "interviewers": "巡察组两名同志",
        "summary": f"{item.name}：了解班子运行和作风建设情况。",
    }


def tick_round(demo: DemoContext, round_: Round, *, history: bool, leave_out: int = 0) -> None:
    """Tick the round's steps at every target, as the team's leader; leave the
    last ``leave_out`` steps of each target undone."""
    required = required_items(round_)
    if leave_out:
        required = required[:-leave_out]
    if not required:
        return
    batch, talks = [], []
    targets = Target.objects.filter(round=round_).select_related("organization", "team")
    for target in targets:
        leader = (
            Membership.objects.filter(team=target.team, role=Membership.Role.LEADER)
            .select_related("cadre__user")
            .get()
            .cadre.user
        )
        log = _evidence_log(target)
        if log is None:
            continue
        for item in required:
            if item.evidence == E.DOCUMENT:
                from demo.clues import (
                    tiny_pdf,
                )  # demo.clues imports demo.rounds, which imports this

                upload = SimpleUploadedFile(
                    "巡察公告.pdf", tiny_pdf(f"Inspection notice {target.organization.code}")
                )
                services.tick(target=target, item=item, user=leader, upload=upload)
            elif item.evidence == E.INTERVIEW and history:
                fields = _interview_fields(item, target, log)
                talks.append(
                    Interview(team=target.team, created_by=leader, updated_by=leader, **fields)
                )
                batch.append(ChecklistTick(target=target, item=item, ticked_by=leader))
            elif item.evidence == E.INTERVIEW:
                interview = record_create(
                    kind="interview",
                    team=target.team,
                    user=leader,
                    **_interview_fields(item, target, log),
                )
                services.tick(target=target, item=item, user=leader, interview=interview)
            elif history:
                batch.append(ChecklistTick(target=target, item=item, worklog=log, ticked_by=leader))
            else:
                services.tick(target=target, item=item, user=leader, worklog=log)
            demo.count("checklist_ticks")
    if talks:
        Interview.objects.bulk_create(talks)
        # The interview ticks of the batch, in order, each take its talk.
        waiting = iter(talks)
        for tick in batch:
            if tick.item.evidence == E.INTERVIEW:
                tick.interview = next(waiting)
    if batch:
        ChecklistTick.objects.bulk_create(batch)
        log_action(
            None, "checklist.bulk_tick", round_, {"count": len(batch), "interviews": len(talks)}
        )

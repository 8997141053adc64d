"""Demo on-site records: each team of a round on site has a few 谈话记录,
信访件 and 调阅资料 at its first target, made through the services by its
members. Idempotent: a team that has these interviews is left as it is (the
checklist's talks, made with its ticks, are others)."""

import datetime

from django.utils import timezone

from demo.context import DemoContext
from fieldwork.models import Interview
from fieldwork.services.records import record_create
from rounds.models import Membership, Round, Team

INTERVIEWS = [
    ("王建国", "党委书记", "谈班子运行和“三重一大”决策情况。"),
    ("李秀梅", "财务科科长", "谈公务接待和津补贴发放，反映部分接待无清单。"),
    ("张伟", "普通党员", "反映组织生活会流于形式。"),
]
PETITIONS = [
    ("letter", "反映单位食堂采购价格明显高于市场价。", "pending", ""),
    (
        "phone",
        "反映小区物业收费问题。",
        "outside",
        "属物业管理纠纷，不属于巡察范围，已告知向住建部门反映。",
    ),
    ("visit", "反映征地补偿款发放不及时。", "transfer", "区信访局"),
]
DOCUMENTS = [("2024年度“三重一大”会议记录", "党政办", 2), ("2024年财务凭证", "财务科", 12)]


def seed_field_records(demo: DemoContext) -> None:
    today = timezone.localdate()
    teams = Team.objects.filter(round__status=Round.Status.ON_SITE).select_related("round")
    for team in teams:
        target = team.targets.order_by("pk").first()
        member = (
            Membership.objects.filter(team=team, commitments_completed_at__isnull=False)
            .select_related("cadre__user")
            .order_by("pk")
            .first()
        )
        if target is None or member is None or member.cadre.user is None:
            continue
        if Interview.objects.filter(team=team, person_name=INTERVIEWS[0][0]).exists():
            continue
        user = member.cadre.user
        for n, (name, position, summary) in enumerate(INTERVIEWS):
            record_create(
                kind="interview", team=team, user=user, target=target, person_name=name,
                person_position=position, held_on=today - datetime.timedelta(days=n),
                interviewers="巡察组两名同志", summary=summary,
            )  # fmt: skip
        for n, (channel, content, handling, note) in enumerate(PETITIONS):
            values = {"handling": "pending", "handling_note": "", "transfer_to": ""}
            if handling == "outside":
                values.update(handling="outside", handling_note=note)
            elif handling == "transfer":
                values.update(handling="transfer", transfer_to=note, handling_note="转请依法处理。")
            record_create(
                kind="petition", team=team, user=user, target=target, channel=channel,
                received_on=today - datetime.timedelta(days=n), content=content, **values,
            )  # fmt: skip
        for n, (title, provider, copies) in enumerate(DOCUMENTS):
            record_create(
                kind="document", team=team, user=user, target=target, title=title,
                provider=provider, examined_on=today - datetime.timedelta(days=n), copies=copies,
            )  # fmt: skip
        demo.count("field_records", len(INTERVIEWS) + len(PETITIONS) + len(DOCUMENTS))

"""The on-site checklist: the office defines the steps once per round kind; the
team ticks each at each target with the record that shows it; a step still
missing blocks 报告 and is named in the refusal; bad input changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklist import services
from checklist.models import ChecklistItem, ChecklistTick
from fieldwork.services.records import record_create
from rounds.models import Membership, Round
from rounds.services import round_advance
from tests.factories import OrganizationFactory, make_user
from tests.files import minimal_pdf
from tests.rounds_factories import (
    RoundFactory,
    TargetFactory,
    TeamFactory,
    WorkLogFactory,
    round_kind,
    staff_team,
    today,
)
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

S = Round.Status
E = ChecklistItem.Evidence


def talk(target, user, held_on, person="王书记"):
    """A 谈话记录 made by the team at the target, through the fieldwork service."""
    return record_create(
        kind="interview", team=target.team, user=user, target=target, person_name=person,
        person_position="党组书记", held_on=held_on, interviewers="巡察组两名同志",
        summary="谈班子运行情况。",
    )  # fmt: skip


@pytest.fixture
def world(office_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    round_ = RoundFactory(office=office_user.office, status=S.ON_SITE, kinds=["regular"])
    team = TeamFactory(round=round_, number=1)
    members = staff_team(team)
    entry = today() - datetime.timedelta(days=5)
    target = TargetFactory(
        team=team,
        organization=OrganizationFactory(name="市财政局党组"),
        entry_date=entry,
        exit_date=today(),
    )
    other = TargetFactory(
        team=team,
        organization=OrganizationFactory(name="市教育局党组"),
        entry_date=entry,
        exit_date=today(),
    )
    leader = next(m for m in members if m.role == Membership.Role.LEADER).cadre.user

    def item(name, section="procedure", evidence=E.LOG, kind="regular"):
        return services.item_create(
            office=office_user.office,
            kind=round_kind(kind),
            section=section,
            name=name,
            evidence=evidence,
            user=office_user,
        )

    items = {
        "动员会": item("动员会"),
        "个别谈话": item("个别谈话", "must_talk", E.INTERVIEW),
        "财务账目": item("财务账目", "must_see", E.DOCUMENT),
    }
    log = WorkLogFactory(team=team, date=entry, interviews=3, filed_by=leader)
    quiet_log = WorkLogFactory(
        team=team, date=entry + datetime.timedelta(days=1), interviews=0, filed_by=leader
    )
    return {
        "interview": talk(target, leader, entry),
        "other_interview": talk(other, leader, entry, person="赵主任"),
        "round": round_,
        "team": team,
        "target": target,
        "other": other,
        "leader": leader,
        "items": items,
        "log": log,
        "quiet_log": quiet_log,
    }


def pdf(name="账目.pdf"):
    return SimpleUploadedFile(name, minimal_pdf(b"ledger"))


def tick_all(world, target):
    items, user = world["items"], world["leader"]
    interview = world["interview" if target == world["target"] else "other_interview"]
    services.tick(target=target, item=items["动员会"], user=user, worklog=world["log"])
    services.tick(target=target, item=items["个别谈话"], user=user, interview=interview)
    services.tick(target=target, item=items["财务账目"], user=user, upload=pdf())


def refusal(round_, user) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        round_advance(round_=round_, user=user)
    assert Round.objects.get(pk=round_.pk).status == S.ON_SITE
    return caught.value.messages


def test_missing_items_block_reporting_and_are_each_named(world, office_user):
    tick_all(world, world["target"])
    services.tick(
        target=world["other"],
        item=world["items"]["动员会"],
        user=world["leader"],
        worklog=world["log"],
    )

    assert refusal(world["round"], office_user) == [
        "「市教育局党组」现场工作清单尚未完成：个别谈话、财务账目。"
    ]


def test_reporting_allowed_once_every_target_has_every_item(world, office_user):
    tick_all(world, world["target"])
    tick_all(world, world["other"])

    assert round_advance(round_=world["round"], user=office_user).status == S.REPORTING


def test_round_page_lists_what_is_missing(world, office_user, client):
    tick_all(world, world["target"])
    client.force_login(office_user)

    html = client.get(reverse("rounds:round_detail", args=[world["round"].pk])).content.decode()

    assert "「市教育局党组」现场工作清单尚未完成：动员会、个别谈话、财务账目。" in html


def test_a_round_without_a_checklist_for_its_kind_is_not_blocked(world, office_user):
    ChecklistItem.objects.update(kind=round_kind("special"))

    assert round_advance(round_=world["round"], user=office_user).status == S.REPORTING


def test_a_retired_item_is_no_longer_required(world, office_user):
    tick_all(world, world["target"])
    tick_all(world, world["other"])
    services.item_create(
        office=office_user.office,
        kind=round_kind("regular"),
        section="must_visit",
        name="走访困难群众",
        evidence=E.LOG,
        user=office_user,
    )
    assert "走访困难群众" in refusal(world["round"], office_user)[0]

    services.item_set_active(
        item=ChecklistItem.objects.get(name="走访困难群众"), active=False, user=office_user
    )

    assert round_advance(round_=world["round"], user=office_user).status == S.REPORTING


def test_an_interview_item_needs_an_interview_record_not_a_log(world):
    # A work log that counts interviews is no longer the record of a talk.
    with pytest.raises(ValidationError) as caught:
        services.tick(
            target=world["target"],
            item=world["items"]["个别谈话"],
            user=world["leader"],
            worklog=world["log"],
        )
    assert caught.value.messages == [
        "「个别谈话」须以本组在该巡察对象的谈话记录佐证，请先在现场记录中录入谈话记录，再选择它。"
    ]
    assert not ChecklistTick.objects.exists()
    assert not AuditEntry.objects.filter(action="checklist.tick").exists()


def test_an_interview_item_is_shown_by_the_teams_interview_at_that_target(world):
    tick = services.tick(
        target=world["target"],
        item=world["items"]["个别谈话"],
        user=world["leader"],
        interview=world["interview"],
    )

    assert tick.interview == world["interview"] and tick.worklog is None
    entry = AuditEntry.objects.filter(action="checklist.tick").latest("pk")
    assert entry.data["interview"] == str(world["interview"].uuid)


def test_a_talk_at_another_target_or_by_another_team_is_refused(world):
    item = world["items"]["个别谈话"]
    # The same team's talk at its other target.
    with pytest.raises(ValidationError) as caught:
        services.tick(
            target=world["target"],
            item=item,
            user=world["leader"],
            interview=world["other_interview"],
        )
    assert caught.value.messages == ["只能选择本组在该巡察对象的谈话记录。"]
    # Another team's talk (at a target of its own in the same round).
    other_team = TeamFactory(round=world["round"], number=2)
    other_members = staff_team(other_team)
    other_leader = next(m for m in other_members if m.role == Membership.Role.LEADER).cadre.user
    foreign = talk(
        TargetFactory(team=other_team, entry_date=world["target"].entry_date),
        other_leader,
        world["target"].entry_date,
    )
    with pytest.raises(ValidationError, match="只能选择本组在该巡察对象的谈话记录"):
        services.tick(target=world["target"], item=item, user=world["leader"], interview=foreign)
    assert not ChecklistTick.objects.exists()


def test_a_talk_outside_the_stay_is_refused(world):
    early = talk(
        world["target"],
        world["leader"],
        world["target"].entry_date - datetime.timedelta(days=1),
        person="李某",
    )
    with pytest.raises(ValidationError) as caught:
        services.tick(
            target=world["target"],
            item=world["items"]["个别谈话"],
            user=world["leader"],
            interview=early,
        )
    assert caught.value.messages == ["所选谈话记录早于进驻日期。"]
    assert not ChecklistTick.objects.exists()


def test_the_page_offers_the_targets_interviews_and_refuses_anothers(world, client):
    client.force_login(world["leader"])
    url = reverse("checklist:target", args=[world["target"].pk])
    html = client.get(url).content.decode()
    interview = world["interview"]
    assert f'<option value="{interview.pk}">{interview.held_on:%Y-%m-%d} 王书记（党组书记）' in html
    assert "赵主任" not in html
    tick_url = reverse("checklist:tick", args=[world["target"].pk, world["items"]["个别谈话"].pk])

    refused = client.post(tick_url, {"interview": world["other_interview"].pk}, follow=True)
    assert "所选谈话记录不存在。" in refused.content.decode()
    assert not ChecklistTick.objects.exists()

    done = client.post(tick_url, {"interview": world["interview"].pk}, follow=True)
    assert "已勾选「个别谈话」。" in done.content.decode()
    assert 'data-testid="tick-interview"' in done.content.decode()
    assert ChecklistTick.objects.get().interview == world["interview"]


def test_without_interviews_the_page_says_to_record_them_first(world, client):
    from fieldwork.models import Interview

    Interview.objects.filter(target=world["target"]).delete()
    client.force_login(world["leader"])
    html = client.get(reverse("checklist:target", args=[world["target"].pk])).content.decode()
    assert 'data-testid="no-interviews"' in html


def test_a_document_item_needs_a_file_and_checks_it(world):
    item = world["items"]["财务账目"]
    with pytest.raises(ValidationError, match="须上传文件材料"):
        services.tick(target=world["target"], item=item, user=world["leader"], worklog=world["log"])
    with pytest.raises(ValidationError):
        services.tick(
            target=world["target"],
            item=item,
            user=world["leader"],
            upload=SimpleUploadedFile("账目.pdf", b"<html><script>x</script></html>"),
        )
    assert not ChecklistTick.objects.exists()

    tick = services.tick(target=world["target"], item=item, user=world["leader"], upload=pdf())

    assert len(tick.sha256) == 64 and tick.original_name == "账目.pdf"
    entry = AuditEntry.objects.filter(action="checklist.tick").latest("pk")
    assert entry.data["sha256"] == tick.sha256


def test_another_teams_log_is_refused(world):
    other_team = TeamFactory(round=world["round"], number=2)
    foreign = WorkLogFactory(team=other_team, date=world["log"].date, filed_by=world["leader"])
    with pytest.raises(ValidationError, match="本组"):
        services.tick(
            target=world["target"],
            item=world["items"]["动员会"],
            user=world["leader"],
            worklog=foreign,
        )


def test_ticking_twice_is_refused_and_changes_nothing(world):
    item = world["items"]["动员会"]
    services.tick(target=world["target"], item=item, user=world["leader"], worklog=world["log"])
    with pytest.raises(ValidationError, match="已经勾选"):
        services.tick(target=world["target"], item=item, user=world["leader"], worklog=world["log"])
    assert ChecklistTick.objects.count() == 1


def test_ticks_close_once_the_round_reports(world, office_user):
    tick_all(world, world["target"])
    tick_all(world, world["other"])
    round_advance(round_=world["round"], user=office_user)
    tick = ChecklistTick.objects.first()

    with pytest.raises(ValidationError, match="准备和进驻阶段"):
        services.untick(tick=tick, user=world["leader"])


def test_outsiders_cannot_tick_and_leadership_cannot_define(world):
    outsider = make_user(Role.TEAM_MEMBER)
    with pytest.raises(PermissionDenied):
        services.tick(
            target=world["target"],
            item=world["items"]["动员会"],
            user=outsider,
            worklog=world["log"],
        )
    with pytest.raises(PermissionDenied):
        services.item_create(
            office=world["round"].office,
            kind=round_kind("regular"),
            section="procedure",
            name="公告",
            evidence=E.LOG,
            user=make_user(Role.LEADERSHIP, office=world["round"].office),
        )


def test_team_ticks_through_the_page(world, client):
    client.force_login(world["leader"])
    target, item = world["target"], world["items"]["财务账目"]

    response = client.post(reverse("checklist:tick", args=[target.pk, item.pk]), {"file": pdf()})

    assert response.status_code == 302
    tick = ChecklistTick.objects.get(target=target, item=item)
    page = client.get(reverse("checklist:target", args=[target.pk])).content.decode()
    assert "账目.pdf" in page and "尚缺 2 项" in page
    download = client.get(reverse("checklist:tick_file", args=[tick.pk]))
    assert b"".join(download.streaming_content) == minimal_pdf(b"ledger")

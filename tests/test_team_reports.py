"""The team's 巡察情况报告: the office sets the round's 报送期限, the leader hands
the report in for each target (who and when, every hand-in kept), the team and
the office read it, and the evaluation's 报告报送及时率 is counted from it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation.figures import team_rows
from rounds.models import Round, TeamReport
from rounds.services import round_set_report_due, team_report_submit
from tests.files import minimal_pdf
from tests.test_clues_pages import World, build_world
from xuncha.audit.models import AuditEntry


@pytest.fixture
def w(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def pdf(name: str = "巡察情况报告.pdf", body: bytes = b"report") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(body), content_type="application/pdf")


def set_due(round_: Round, due: datetime.date) -> None:
    # Past due dates cannot be set through the service (by design); the tests
    # that need one write the plan directly.
    Round.objects.filter(pk=round_.pk).update(report_due=due)
    round_.refresh_from_db()


def today() -> datetime.date:
    return timezone.localdate()


# --- handing in -----------------------------------------------------------------------


def test_leader_hands_in_and_who_and_when_are_recorded(w):
    set_due(w.target.round, today())

    report = team_report_submit(target=w.target, upload=pdf(), user=w.leader, note="初稿")

    assert report.submitted_by == w.leader
    assert report.team == w.target.team
    assert timezone.localdate(report.submitted_at) == today()
    with report.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")
    entry = AuditEntry.objects.get(action="team_report.submit")
    assert entry.actor == w.leader
    assert entry.data["sha256"] == report.sha256
    assert entry.data["first"] is True
    assert entry.data["on_time"] is True


def test_a_corrected_report_is_kept_and_the_first_hand_in_time_stays(w):
    first = team_report_submit(target=w.target, upload=pdf(body=b"1"), user=w.leader)
    TeamReport.objects.filter(pk=first.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    team_report_submit(target=w.target, upload=pdf("修改稿.pdf", b"2"), user=w.leader)

    reports = list(TeamReport.objects.filter(target=w.target).order_by("submitted_at"))
    assert [r.original_name for r in reports] == ["巡察情况报告.pdf", "修改稿.pdf"]
    assert reports[0].pk == first.pk
    assert AuditEntry.objects.filter(action="team_report.submit").count() == 2
    assert (
        AuditEntry.objects.filter(action="team_report.submit").latest("pk").data["first"] is False
    )


@pytest.mark.parametrize("who", ["member", "officer", "other_leader"])
def test_only_the_teams_leader_hands_in(w, who):
    with pytest.raises(PermissionDenied) as caught:
        team_report_submit(target=w.target, upload=pdf(), user=getattr(w, who))
    assert str(caught.value) == "只有本组组长可以报送巡察情况报告。"
    assert not TeamReport.objects.exists()
    assert not AuditEntry.objects.filter(action="team_report.submit").exists()


def test_a_refused_file_stores_nothing_and_says_why_in_chinese(w, tmp_path):
    page = SimpleUploadedFile("报告.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError) as caught:
        team_report_submit(target=w.target, upload=page, user=w.leader)
    assert any("文件" in message for message in caught.value.messages)
    assert not TeamReport.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_photo_is_a_real_file_but_not_a_report(w, tmp_path):
    from tests.rect_fixtures import png_file

    with pytest.raises(ValidationError) as caught:
        team_report_submit(target=w.target, upload=png_file("报告.png"), user=w.leader)
    assert caught.value.messages == [
        "巡察情况报告请以 PDF、Word、WPS 或 OFD 文件报送，「报告.png」不是。"
    ]
    assert not TeamReport.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("status", [Round.Status.PREPARING, Round.Status.FEEDBACK])
def test_no_hand_in_outside_the_on_site_and_report_stages(w, status):
    Round.objects.filter(pk=w.target.round_id).update(status=status)
    with pytest.raises(ValidationError) as caught:
        team_report_submit(target=w.target, upload=pdf(), user=w.leader)
    assert caught.value.messages == ["只有进驻和报告阶段可以报送巡察情况报告。"]
    assert not TeamReport.objects.exists()


# --- the due date -------------------------------------------------------------------


def test_office_sets_the_due_date_and_it_is_audited(w):
    due = today() + datetime.timedelta(days=14)
    round_ = round_set_report_due(round_=w.target.round, report_due=due, user=w.officer)

    assert round_.report_due == due
    entry = AuditEntry.objects.get(action="round.report_due")
    assert entry.data == {"before": None, "after": due.isoformat()}


def test_a_due_date_in_the_past_or_before_the_round_is_refused(w):
    round_ = w.target.round
    with pytest.raises(ValidationError) as caught:
        round_set_report_due(
            round_=round_, report_due=today() - datetime.timedelta(days=1), user=w.officer
        )
    assert caught.value.messages == ["巡察报告报送期限不能早于今天。"]
    # In the future, but before the round's plan starts.
    Round.objects.filter(pk=round_.pk).update(
        planned_start=today() + datetime.timedelta(days=30),
        planned_end=today() + datetime.timedelta(days=90),
    )
    with pytest.raises(ValidationError) as caught:
        round_set_report_due(
            round_=round_, report_due=today() + datetime.timedelta(days=3), user=w.officer
        )
    assert "不能早于本轮计划开始日期" in caught.value.messages[0]
    round_.refresh_from_db()
    assert round_.report_due is None
    assert not AuditEntry.objects.filter(action="round.report_due").exists()


def test_a_passed_due_date_can_no_longer_be_moved(w):
    round_ = w.target.round
    passed = today() - datetime.timedelta(days=1)
    set_due(round_, passed)
    with pytest.raises(ValidationError) as caught:
        round_set_report_due(
            round_=round_, report_due=today() + datetime.timedelta(days=5), user=w.officer
        )
    assert "已过，不能再修改" in caught.value.messages[0]
    round_.refresh_from_db()
    assert round_.report_due == passed


def test_the_round_page_offers_the_due_date_form_only_while_it_may_be_set(w, client):
    client.force_login(w.officer)
    page = reverse("rounds:round_detail", args=[w.target.round_id])
    form_action = reverse("rounds:round_report_due", args=[w.target.round_id])
    assert form_action in client.get(page).content.decode()
    set_due(w.target.round, today() - datetime.timedelta(days=1))
    assert form_action not in client.get(page).content.decode()


def test_only_the_office_sets_the_due_date(w):
    with pytest.raises(PermissionDenied):
        round_set_report_due(
            round_=w.target.round,
            report_due=today() + datetime.timedelta(days=5),
            user=w.leader,
        )


def test_round_create_refuses_a_due_date_before_the_plan_starts(w):
    from rounds.services import round_create
    from tests.rounds_factories import round_kind

    start = today() + datetime.timedelta(days=10)
    with pytest.raises(ValidationError) as caught:
        round_create(
            office=w.officer.office,
            term=13,
            number=9,
            year=start.year,
            kinds=[round_kind("regular")],
            planned_start=start,
            planned_end=start + datetime.timedelta(days=40),
            report_due=start - datetime.timedelta(days=1),
            user=w.officer,
        )
    assert caught.value.message_dict["report_due"] == [
        f"巡察报告报送期限不能早于本轮计划开始日期（{start:%Y-%m-%d}）。"
    ]


def test_the_round_page_posts_the_due_date_with_a_chinese_refusal(w, client):
    client.force_login(w.officer)
    url = reverse("rounds:round_report_due", args=[w.target.round_id])

    bad = client.post(url, {"report_due": "明天"}, follow=True)
    assert "巡察报告报送期限：" in bad.content.decode()
    assert "巡察报告报送期限：输入一个有效的日期。" in bad.content.decode()
    due = today() + datetime.timedelta(days=7)
    good = client.post(url, {"report_due": due.isoformat()}, follow=True)
    assert f"巡察报告报送期限已设为{due:%Y-%m-%d}。" in good.content.decode()
    assert Round.objects.get(pk=w.target.round_id).report_due == due


# --- reading --------------------------------------------------------------------------


def test_the_target_page_shows_the_hand_in_to_the_team_and_office_only(w, client):
    set_due(w.target.round, today())
    report = team_report_submit(target=w.target, upload=pdf(), user=w.leader)
    url = reverse("rounds:target_detail", args=[w.target.pk])

    for user in (w.leader, w.member, w.officer):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert 'data-testid="team-report"' in html, user
        assert "按期报送" in html
        assert report.get_absolute_url() in html
        # Only the leader gets the form.
        assert ('data-testid="team-report-form"' in html) == (user == w.leader)
    for user in (w.leadership, w.contact):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert 'data-testid="team-report"' not in html
        assert client.get(report.get_absolute_url()).status_code == 404


def test_download_is_audited_and_another_teams_member_gets_404(w, client):
    report = team_report_submit(target=w.target, upload=pdf(), user=w.leader)
    client.force_login(w.other_member)
    assert client.get(report.get_absolute_url()).status_code == 404
    client.force_login(w.officer)
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    entry = AuditEntry.objects.get(action="team_report.download")
    assert entry.actor == w.officer


def test_the_leader_hands_in_through_the_page(w, client):
    client.force_login(w.leader)
    url = reverse("rounds:team_report_submit", args=[w.target.pk])

    empty = client.post(url, follow=True)
    assert "巡察情况报告：这个字段是必填项。" in empty.content.decode()
    assert not TeamReport.objects.exists()
    response = client.post(url, {"file": pdf(), "note": "定稿"}, follow=True)
    assert "已报送巡察情况报告「巡察情况报告.pdf」" in response.content.decode()
    assert TeamReport.objects.get().note == "定稿"


# --- the evaluation figure --------------------------------------------------------------


def timeliness(w) -> dict[int, float | None]:
    rows = team_rows(Round.objects.get(pk=w.target.round_id))
    return {row.subject.pk: row.values["report_timeliness"] for row in rows}


def test_no_due_date_no_figure(w):
    team_report_submit(target=w.target, upload=pdf(), user=w.leader)
    assert set(timeliness(w).values()) == {None}


def test_before_the_due_date_only_reports_already_handed_in_count(w):
    set_due(w.target.round, today() + datetime.timedelta(days=3))
    team_report_submit(target=w.target, upload=pdf(), user=w.leader)

    figures = timeliness(w)
    assert figures[w.target.team_id] == 100.0
    # The other team has handed in nothing and is not yet due: no figure.
    assert figures[w.other_target.team_id] is None


def test_after_the_due_date_a_missing_or_late_report_counts_against(w):
    set_due(w.target.round, today() - datetime.timedelta(days=1))
    team_report_submit(target=w.target, upload=pdf(), user=w.leader)  # today: one day late

    figures = timeliness(w)
    assert figures[w.target.team_id] == 0.0
    assert figures[w.other_target.team_id] == 0.0


def test_the_evaluation_page_says_how_the_figure_is_computed(w, client):
    client.force_login(w.officer)
    url = reverse("evaluation:round", args=[w.target.round_id])
    html = client.get(url).content.decode()
    assert "报告报送及时率" in html
    assert "按期报送数 ÷ 应报送数" in html
    assert 'data-testid="no-report-due"' in html
    assert "问题报送及时率" not in html

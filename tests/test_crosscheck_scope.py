"""大数据比对 per target: a team sees only its own targets' lists and hits (a
hit takes the target of the list it came from), the office sees the whole
round and gives a hit between whole-round lists to a target; another team's
list or hit is a 404, and a team brings lists in only for its own targets."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crosscheck.models import Hit, Rule, Source
from crosscheck.selectors import round_overview
from crosscheck.services import review, sources
from tests import test_clues_pages as clue_pages
from tests.crosscheck_fixtures import LISTS, csv_bytes, load_list, rule_run_now
from tests.rounds_factories import RoundFactory, TargetFactory, TeamFactory
from xuncha.audit.models import AuditEntry


@pytest.fixture
def w(db, settings, tmp_path):
    """Two lists of the whole round (the office's) and the hit between them."""
    settings.MEDIA_ROOT = tmp_path
    world = clue_pages.build_world()
    round_ = world.target.round
    load_list(round_, world.officer, "relief")
    load_list(round_, world.officer, "assets")
    rule_run_now(user=world.officer, round_=round_, rule=Rule.objects.get(code="relief-assets"))
    world.hit = Hit.objects.get(round=round_)
    return world


def status(client, user, url) -> int:
    client.force_login(user)
    return client.get(url).status_code


def test_a_hit_between_whole_round_lists_is_the_offices_alone(client, w):
    assert w.hit.target is None
    hit_url = w.hit.get_absolute_url()
    source_url = reverse("crosscheck:source_detail", args=[Source.objects.get(kind="relief").pk])
    list_url = reverse("crosscheck:hit_list", args=[w.target.round_id]) + "?status=all"

    assert status(client, w.officer, hit_url) == 200
    assert status(client, w.officer, source_url) == 200
    for member in (w.leader, w.member, w.other_member):
        assert status(client, member, hit_url) == 404
        assert status(client, member, source_url) == 404
        client.force_login(member)
        assert hit_url not in client.get(list_url).content.decode()


def test_the_office_gives_a_hit_to_a_target_and_only_its_team_sees_it(client, w):
    client.force_login(w.officer)
    response = client.post(
        reverse("crosscheck:hit_assign", args=[w.hit.pk]), {"target": w.target.pk}, follow=True
    )
    assert (
        f"该命中已交「{w.target.organization.name}」所在巡察组研判。" in response.content.decode()
    )
    w.hit.refresh_from_db()
    assert w.hit.target == w.target
    entry = AuditEntry.objects.get(action="crosscheck.hit.assign")
    assert entry.actor == w.officer and entry.data == {"before": None, "after": w.target.pk}

    hit_url = w.hit.get_absolute_url()
    assert status(client, w.member, hit_url) == 200
    assert status(client, w.leader, hit_url) == 200
    assert status(client, w.other_member, hit_url) == 404
    # The team's review goes to the hit's target only.
    review.hit_dismiss(hit=w.hit, user=w.member, reason="同名不同人")
    with pytest.raises(ValidationError, match="已研判"):
        review.hit_assign(hit=w.hit, target=w.other_target, user=w.officer)


def test_a_bad_target_or_a_team_member_changes_nothing(w):
    other_round = RoundFactory(office=w.target.round.office, number=9)
    elsewhere = TargetFactory(team=TeamFactory(round=other_round))
    with pytest.raises(ValidationError) as caught:
        review.hit_assign(hit=w.hit, target=elsewhere, user=w.officer)
    assert caught.value.messages == ["请选择本轮的巡察对象。"]
    with pytest.raises(ValidationError):
        review.hit_assign(hit=w.hit, target=None, user=w.officer)
    with pytest.raises(PermissionDenied):
        review.hit_assign(hit=w.hit, target=w.target, user=w.leader)
    w.hit.refresh_from_db()
    assert w.hit.target is None
    assert not AuditEntry.objects.filter(action="crosscheck.hit.assign").exists()


def test_a_list_brought_in_for_a_target_gives_its_hits_that_target(client, w):
    round_ = w.target.round
    load_list(round_, w.officer, "relief", target=w.other_target, name="乙组.csv")
    rule_run_now(user=w.officer, round_=round_, rule=Rule.objects.get(code="relief-assets"))
    theirs = Hit.objects.get(target=w.other_target)

    assert status(client, w.other_member, theirs.get_absolute_url()) == 200
    assert status(client, w.member, theirs.get_absolute_url()) == 404
    # The overview counts each team's own.
    counts = {user: round_overview(user)[0].open_hits for user in (w.member, w.other_member)}
    assert counts == {w.member: 0, w.other_member: 1}
    assert round_overview(w.officer)[0].open_hits == 2


def test_a_hit_between_two_targets_lists_is_the_offices_alone(client, w):
    """Its page shows a row of each list: neither team may read the other's."""
    round_ = w.target.round
    Source.objects.filter(round=round_).delete()  # the whole round's lists and their hit
    load_list(round_, w.officer, "relief", target=w.target, name="甲组低保.csv")
    load_list(round_, w.officer, "assets", target=w.other_target, name="乙组资产.csv")
    rule_run_now(user=w.officer, round_=round_, rule=Rule.objects.get(code="relief-assets"))

    hit = Hit.objects.get(round=round_)
    assert hit.target is None
    for member in (w.member, w.other_member):
        assert status(client, member, hit.get_absolute_url()) == 404
    assert status(client, w.officer, hit.get_absolute_url()) == 200


def test_the_office_is_told_the_runs_count_and_a_team_only_that_hits_wait(
    w, django_capture_on_commit_callbacks
):
    from xuncha.notifications.models import Notification

    round_ = w.target.round
    load_list(round_, w.officer, "relief", target=w.other_target, name="乙组.csv")
    with django_capture_on_commit_callbacks(execute=True):
        rule_run_now(user=w.officer, round_=round_, rule=Rule.objects.get(code="relief-assets"))

    officer_titles = set(
        Notification.objects.filter(recipient=w.officer).values_list("title", flat=True)
    )
    team_titles = set(
        Notification.objects.filter(recipient=w.other_member).values_list("title", flat=True)
    )
    assert any("新增 1 条比对命中待研判" in title for title in officer_titles)
    assert team_titles and all("新增" not in title for title in team_titles)
    assert any("有新的比对命中待研判" in title for title in team_titles)


def test_a_team_brings_lists_in_only_for_its_own_targets(client, w):
    content = csv_bytes(*LISTS["relief"])
    for target in (None, w.other_target):
        with pytest.raises(ValidationError) as caught:
            sources.source_upload(
                user=w.member, round_=w.target.round, kind="relief", label="低保",
                upload=SimpleUploadedFile("低保.csv", content), target=target,
            )  # fmt: skip
        assert caught.value.messages == [
            "请选择本组的巡察对象：组内上传的名单只用于本组的巡察对象。"
        ]
    client.force_login(w.member)
    page = client.post(
        reverse("crosscheck:source_upload", args=[w.target.round_id]),
        {"kind": "relief", "label": "低保", "file": SimpleUploadedFile("低保.csv", content)},
    )
    assert page.status_code == 400
    assert "请选择本组的巡察对象。" in page.content.decode()
    assert Source.objects.filter(label="低保").count() == 0

    mine = sources.source_upload(
        user=w.member, round_=w.target.round, kind="relief", label="低保",
        upload=SimpleUploadedFile("低保.csv", content), target=w.target,
    )  # fmt: skip
    assert mine.target == w.target
    assert (
        AuditEntry.objects.filter(action="crosscheck.source.upload").latest("pk").data["target"]
        == w.target.pk
    )

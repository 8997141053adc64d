"""The archive as a job: 归档 queues the round's package when a clue officer
moves the round there; the worker builds it once (a second run changes
nothing); a requester who lost the permission gets a failed job, not a
package; only an archived round can have one."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from archive.models import RoundArchive
from archive.services import archive_request, archive_run
from rounds.models import Round
from rounds.services import round_advance, target_give_feedback
from tests.factories import OrganizationFactory
from tests.rounds_factories import RoundFactory, TargetFactory, TeamFactory, staff_team, today

S = Round.Status


def clue_officer(user):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def rectifying(office_user, settings, tmp_path):
    """A round walked through its stages to 整改 (no plans: nothing keeps it from 归档)."""
    settings.MEDIA_ROOT = tmp_path
    round_ = RoundFactory(office=office_user.office, status=S.PREPARING)
    team = TeamFactory(round=round_, number=1)
    staff_team(team)
    TargetFactory(
        team=team,
        organization=OrganizationFactory(name="市财政局党组"),
        entry_date=today() - datetime.timedelta(days=20),
        exit_date=today() - datetime.timedelta(days=5),
    )
    round_advance(round_=round_, user=office_user)  # 进驻
    round_advance(round_=round_, user=office_user)  # 报告
    for target in round_.targets.all():
        target_give_feedback(target=target, feedback_date=today(), user=office_user)
    round_advance(round_=round_, user=office_user)  # 反馈
    return round_advance(round_=round_, user=office_user)  # 整改


def test_archiving_queues_the_package_and_the_worker_builds_it_once(
    rectifying, office_user, django_capture_on_commit_callbacks, monkeypatch
):
    officer = clue_officer(office_user)
    sent = []
    monkeypatch.setattr("archive.tasks.build_archive.delay", lambda pk: sent.append(pk))

    with django_capture_on_commit_callbacks(execute=True):
        round_advance(round_=rectifying, user=officer)

    archive = RoundArchive.objects.get(round=rectifying)
    assert sent == [archive.pk]
    assert archive.status == RoundArchive.Status.QUEUED

    built = archive_run(archive.pk)
    assert built.status == RoundArchive.Status.DONE, built.message
    titles = [entry["title"] for entry in built.manifest["entries"]]
    assert "关于巡察市财政局党组的情况报告" in titles
    first = (built.sha256, built.file.name)

    again = archive_run(archive.pk)
    assert (again.sha256, again.file.name) == first
    assert again.attempts == 1


def test_a_plain_office_user_archives_without_a_package(rectifying, office_user):
    round_advance(round_=rectifying, user=office_user)

    assert Round.objects.get(pk=rectifying.pk).status == S.ARCHIVED
    assert not RoundArchive.objects.exists()
    with pytest.raises(PermissionDenied):
        archive_request(round_=rectifying, user=office_user)


def test_a_requester_who_lost_the_permission_gets_no_package(rectifying, office_user):
    officer = clue_officer(office_user)
    round_advance(round_=rectifying, user=officer)
    archive = RoundArchive.objects.get(round=rectifying)
    officer.user_permissions.clear()

    failed = archive_run(archive.pk)

    assert failed.status == RoundArchive.Status.FAILED
    assert "无权" in failed.message
    assert not failed.file


def test_only_an_archived_round_has_a_package(office_user):
    officer = clue_officer(office_user)
    round_ = RoundFactory(office=office_user.office, status=S.RECTIFYING)
    with pytest.raises(ValidationError, match="已归档"):
        archive_request(round_=round_, user=officer)
    assert not RoundArchive.objects.exists()

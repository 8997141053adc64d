"""A rule's run goes through the worker: queued by the page, done by the task
(or failed with a reason, writing nothing), sent again by the sweep when its
worker died; open hits are a 待办 of the round's reviewers, who are told once
per run that found new ones."""

import dataclasses

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from crosscheck.jobs import RUN_JOB_KIND
from crosscheck.models import Hit, Rule, RuleRun
from crosscheck.services import review, runs
from crosscheck.tasks import run_rule
from crosscheck.todo import crosscheck_todo
from tests import test_clues_pages as clue_pages
from tests.crosscheck_fixtures import load_list, rule_run_now
from tests.test_crosscheck_pages import _outsiders
from tests.test_ops_jobs import ago, backdate_lease
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.notifications.models import Notification
from xuncha.ops import leases
from xuncha.ops.sweep import _KINDS, DIED, sweep_jobs

R = RuleRun.Status


@pytest.fixture(autouse=True)
def no_leases_left():
    """Lease files (SQLite) outlive a test's rolled-back rows, whose ids come again."""

    def clear():
        for path in leases._lease_dir().glob(f"{RUN_JOB_KIND}-*"):
            path.unlink()

    clear()
    yield
    clear()


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = clue_pages.build_world()
    load_list(world.target.round, world.officer, "relief", target=world.target)
    load_list(world.target.round, world.officer, "assets")
    world.rule = Rule.objects.get(code="relief-assets")  # one planted hit, the first team's
    return world


def _run_url(w) -> str:
    return reverse("crosscheck:rule_run", args=[w.target.round.pk])


def _status_url(w) -> str:
    return reverse("crosscheck:run_status", args=[w.target.round.pk])


def test_a_posted_run_is_queued_then_done_by_the_task(
    client, w, django_capture_on_commit_callbacks
):
    client.force_login(w.member)
    with django_capture_on_commit_callbacks() as sent:
        response = client.post(_run_url(w), {"rule": w.rule.pk})
    assert response.status_code == 302
    run = RuleRun.objects.get()
    assert run.status == R.QUEUED and run.run_by == w.member and run.queued_at
    assert len(sent) == 1  # the task goes to the queue once the run is committed
    assert not Hit.objects.exists()
    partial = client.get(_status_url(w)).content.decode()
    assert 'hx-trigger="every 2s"' in partial and "排队中" in partial
    home = client.get(reverse("crosscheck:round_home", args=[w.target.round.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in home

    assert run_rule(run.pk) == R.DONE  # what the worker does with the message

    run.refresh_from_db()
    assert run.status == R.DONE and run.new_hits == 1 and run.attempts == 1
    assert run.finished_at is not None and run.message == ""
    assert Hit.objects.filter(rule=w.rule, status=Hit.Status.OPEN).count() == 1
    partial = client.get(_status_url(w)).content.decode()
    # The run's count is the round's: a team member reads only that it is done.
    assert "hx-trigger" not in partial and "已完成（" in partial and "新增命中" not in partial
    client.force_login(w.officer)
    assert "新增命中 1 条" in client.get(_status_url(w)).content.decode()
    entries = AuditEntry.objects.filter(action="crosscheck.rule.run").order_by("id")
    assert [(e.actor, e.data["status"]) for e in entries] == [
        (w.member, R.QUEUED),
        (w.member, R.DONE),
    ]
    assert entries[1].data["new_hits"] == 1


def test_with_eager_celery_a_post_completes_the_run(client, w, django_capture_on_commit_callbacks):
    """The field edition (CELERY_TASK_ALWAYS_EAGER) has no worker: the run completes in the request."""
    from xuncha.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        client.force_login(w.officer)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_run_url(w), {"rule": w.rule.pk})
    finally:
        app.conf.task_always_eager = before
    run = RuleRun.objects.get()
    assert run.status == R.DONE and run.new_hits == 1
    assert Hit.objects.filter(rule=w.rule).count() == 1


def test_a_failing_statement_marks_the_run_failed_and_leaves_no_hits(w, monkeypatch):
    real = runs.match_statements

    def with_a_broken_one(rule, round_, now):
        # The real statements first (they insert the hit), then one the database refuses.
        return [*real(rule, round_, now), ("SELECT no_such_column FROM crosscheck_hit", [])]

    run = runs.rule_run(user=w.leader, round_=w.target.round, rule=w.rule)
    monkeypatch.setattr(runs, "match_statements", with_a_broken_one)

    assert run_rule(run.pk) == R.FAILED

    run.refresh_from_db()
    assert run.status == R.FAILED and run.message == runs.BROKE and run.new_hits == 0
    assert run.finished_at is not None
    assert not Hit.objects.exists()  # the hit the first statement wrote was rolled back
    outcome = AuditEntry.objects.filter(action="crosscheck.rule.run").order_by("-id").first()
    assert outcome.actor == w.leader and outcome.data["status"] == R.FAILED
    # Failed is finished: the rule may be run again, and this time it completes.
    monkeypatch.setattr(runs, "match_statements", real)
    assert rule_run_now(user=w.leader, round_=w.target.round, rule=w.rule).new_hits == 1


def test_a_form_posted_twice_queues_one_run(client, w, django_capture_on_commit_callbacks):
    client.force_login(w.member)
    with django_capture_on_commit_callbacks() as sent:
        client.post(_run_url(w), {"rule": w.rule.pk})
        response = client.post(_run_url(w), {"rule": w.rule.pk}, follow=True)
    assert RuleRun.objects.count() == 1 and len(sent) == 1
    assert runs.BUSY in response.content.decode()
    assert AuditEntry.objects.filter(action="crosscheck.rule.run").count() == 1
    # Someone else on the team, at the same time: refused the same way.
    client.force_login(w.other_member)
    client.post(_run_url(w), {"rule": w.rule.pk})
    assert RuleRun.objects.count() == 1
    # Two requests past the check at once: the database holds the line.
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleRun.objects.create(round=w.target.round, rule=w.rule, run_by=w.leader)
    # Once it is done, the rule runs again (and adds nothing new).
    run_rule(RuleRun.objects.get().pk)
    client.force_login(w.member)
    client.post(_run_url(w), {"rule": w.rule.pk})
    assert RuleRun.objects.filter(status=R.QUEUED).count() == 1


@pytest.fixture
def sent(monkeypatch):
    """What the sweep puts on the queue for rule runs."""
    messages = []
    kind = _KINDS[RUN_JOB_KIND]
    monkeypatch.setitem(
        _KINDS, RUN_JOB_KIND, dataclasses.replace(kind, send=lambda job: messages.append(job.pk))
    )
    return messages


def _left_by_a_dead_worker(w, *, attempts: int = 1) -> RuleRun:
    run = runs.rule_run(user=w.member, round_=w.target.round, rule=w.rule)
    RuleRun.objects.filter(pk=run.pk).update(
        status=R.RUNNING, attempts=attempts, queued_at=ago(300), started_at=ago(300)
    )
    backdate_lease(RUN_JOB_KIND, run.pk, 120)
    run.refresh_from_db()
    return run


def test_a_run_whose_worker_died_is_sent_again_and_completes_without_duplicates(w, sent):
    run = _left_by_a_dead_worker(w)

    assert sweep_jobs()["resent"] == 1
    assert sent == [run.pk]
    assert run_rule(run.pk) == R.DONE  # the next worker takes over the dead one's lease

    run.refresh_from_db()
    assert run.status == R.DONE and run.attempts == 2 and run.new_hits == 1
    # The message delivered once more (acks_late after the work): nothing runs twice.
    assert run_rule(run.pk) == R.DONE
    assert Hit.objects.filter(rule=w.rule).count() == 1
    # And a later run of the rule finds the same pair: not a hit again.
    assert rule_run_now(user=w.officer, round_=w.target.round, rule=w.rule).new_hits == 0
    assert Hit.objects.filter(rule=w.rule).count() == 1
    assert sweep_jobs()["resent"] == 0


def test_a_run_whose_workers_keep_dying_fails_with_a_reason(w, sent, settings):
    run = _left_by_a_dead_worker(w, attempts=settings.JOB_MAX_ATTEMPTS)

    assert sweep_jobs() == {"resent": 0, "failed": 1}

    run.refresh_from_db()
    assert run.status == R.FAILED and run.message.startswith(DIED.split("{")[0])
    outcome = AuditEntry.objects.filter(action="crosscheck.rule.run").order_by("-id").first()
    assert outcome.actor == w.member and outcome.data["status"] == R.FAILED
    assert not Hit.objects.exists()


def test_open_hits_are_a_todo_for_the_rounds_reviewers_only(client, w):
    rule_run_now(user=w.officer, round_=w.target.round, rule=w.rule)
    hit_list = reverse("crosscheck:hit_list", args=[w.target.round.pk]) + "?status=open"
    # The round's other team has no hit of its own targets: nothing to do.
    assert crosscheck_todo(w.other_member) == []
    for user in (w.officer, w.leader, w.member):
        (task,) = crosscheck_todo(user)
        assert (task.title, task.count, task.url) == ("待研判的比对命中", 1, hit_list), user
        client.force_login(user)
        page = client.get(reverse("core:todo")).content.decode()
        assert hit_list.replace("&", "&amp;") in page or hit_list in page
    for who, user in _outsiders(w).items():
        assert crosscheck_todo(user) == [], who
        client.force_login(user)
        assert (
            client.get(reverse("crosscheck:round_home", args=[w.target.round.pk])).status_code
            == 404
        )
        assert client.get(_status_url(w)).status_code == 404, who
    # Reviewed: nothing waits any more.
    Hit.objects.update(status=Hit.Status.DISMISSED)
    assert crosscheck_todo(w.member) == []


def test_the_todo_counts_every_round_in_one_query(w, django_assert_max_num_queries):
    from tests.rounds_factories import RoundFactory

    rule_run_now(user=w.officer, round_=w.target.round, rule=w.rule)
    for number in (5, 6, 7):
        other = RoundFactory(office=w.target.round.office, number=number)
        load_list(other, w.officer, "relief")
        load_list(other, w.officer, "assets")
        rule_run_now(user=w.officer, round_=other, rule=w.rule)
    officer = type(w.officer).objects.get(pk=w.officer.pk)  # roles not yet read
    # The person's roles and office, then one count for all four rounds.
    with django_assert_max_num_queries(3):
        (task,) = crosscheck_todo(officer)
    assert task.count == 4 and task.url == reverse("crosscheck:index")


def test_a_run_that_finds_new_hits_tells_the_reviewers_once(w, django_capture_on_commit_callbacks):
    run = runs.rule_run(user=w.member, round_=w.target.round, rule=w.rule)
    with django_capture_on_commit_callbacks(execute=True):
        run_rule(run.pk)
    told = Notification.objects.filter(awaits=f"crosscheck:run:{run.pk}:review")
    # The office and the team whose target the hit is: not the round's other team.
    reviewers = {w.officer, w.plain_office, w.leader, w.member}
    assert {n.recipient for n in told} == reviewers
    assert told.count() == len({n.recipient_id for n in told})  # once each, not per hit
    assert not told.filter(recipient__in=[w.leadership, w.contact, w.dept_user]).exists()
    assert told.first().url.endswith("?status=open")
    # The round's last open hit reviewed: the notifications are done.
    with django_capture_on_commit_callbacks(execute=True):
        review.hit_dismiss(hit=Hit.objects.get(), user=w.member, reason="同名不同人")
    assert not told.filter(resolved_at__isnull=True).exists()
    # A run that finds nothing new tells nobody.
    again = runs.rule_run(user=w.member, round_=w.target.round, rule=w.rule)
    with django_capture_on_commit_callbacks(execute=True):
        run_rule(again.pk)
    assert not Notification.objects.filter(awaits=f"crosscheck:run:{again.pk}:review").exists()


def test_the_round_counts_show_to_the_office_of_the_round_only(w):
    """A run's counts are the whole round's: shown to who sees the whole
    round, not to whoever holds the office role (a member of the team with
    the role but not of this round's office sees only that runs are done)."""
    from crosscheck.views.rules import runs_context
    from tests.factories import role_group

    round_ = w.target.round
    assert runs_context(round_, w.officer)["shows_counts"] is True
    assert runs_context(round_, w.member)["shows_counts"] is False
    w.member.groups.add(role_group(Role.OFFICE))
    member = type(w.member).objects.get(pk=w.member.pk)  # roles read afresh
    assert member.has_role(Role.OFFICE)
    assert runs_context(round_, member)["shows_counts"] is False

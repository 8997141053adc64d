"""待办 from the rounds: problems to review, logs due, commitments to sign."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds import selectors
from rounds.models import Membership, Problem, Round, WorkLog
from xuncha.accounts.roles import Role
from xuncha.core.todo import Task

P = Problem.Status


def _problems_url(status: str) -> str:
    return reverse("rounds:problem_list") + "?" + urlencode({"status": status})


def rounds_todo(user) -> list[Task]:
    tasks = []
    if user.has_role(Role.OFFICE):
        tasks.append(
            Task(
                _("待审核的问题"),
                selectors.problem_list(user=user, filters={"status": P.OFFICE_REVIEW}).count(),
                _problems_url(P.OFFICE_REVIEW),
                _("巡察组研判通过、等待巡察办审核。"),
            )
        )
    if not user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        return tasks
    memberships = list(
        selectors.my_memberships(user).filter(
            team__round__status__in=[
                Round.Status.PREPARING,
                Round.Status.ON_SITE,
                Round.Status.REPORTING,
            ]
        )
    )
    unsigned = [m for m in memberships if m.commitments_completed_at is None]
    if unsigned:
        tasks.append(
            Task(
                _("待签署的三项承诺"),
                len(unsigned),
                reverse("rounds:commitments", args=[unsigned[0].team_id]),
                _("签署保密、回避、纪律承诺后才能看到本组的巡察对象。"),
            )
        )
    led = [
        m.team
        for m in memberships
        if m.role == Membership.Role.LEADER and m.commitments_completed_at is not None
    ]
    if led:
        tasks.append(
            Task(
                _("待组内研判的问题"),
                selectors.problem_list(user=user, filters={"status": P.TEAM_REVIEW})
                .filter(team__in=led)
                .count(),
                _problems_url(P.TEAM_REVIEW),
                _("组员提交、等待组长研判。"),
            )
        )
        today = timezone.localdate()
        on_site = [team for team in led if team.round.status == Round.Status.ON_SITE]
        if on_site:
            filed = set(
                WorkLog.objects.filter(team__in=on_site, date=today).values_list(
                    "team_id", flat=True
                )
            )
            due = [team for team in on_site if team.pk not in filed]
            tasks.append(
                Task(
                    _("今日待报送的工作日报"),
                    len(due),
                    reverse("rounds:worklog_form", args=[(due or on_site)[0].pk])
                    + f"?date={today.isoformat()}",
                    _("进驻期间组长每天报送一份工作日报。"),
                )
            )
    drafts = selectors.problem_list(user=user, filters={"status": P.DRAFT}).filter(found_by=user)
    tasks.append(
        Task(
            _("我的问题草稿"),
            drafts.count(),
            _problems_url(P.DRAFT),
            _("核实后提交组内研判；被退回的问题也在这里。"),
        )
    )
    return tasks

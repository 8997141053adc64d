"""待办 from 码上巡察: reports from the public that the team has not triaged yet."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from intake.models import Report
from intake.selectors import report_list
from xuncha.accounts.roles import Role
from xuncha.core.todo import Task


def intake_todo(user) -> list[Task]:
    if not user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER):
        return []
    waiting = report_list(user=user, filters={"state": Report.State.NEW}).count()
    return [
        Task(
            _("待研判的群众反映"),
            waiting,
            reverse("intake:report_list") + "?" + urlencode({"state": Report.State.NEW}),
            _("码上巡察收到的反映：转为问题、线索草稿、转办，或说明理由后办结。"),
        )
    ]

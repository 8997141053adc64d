"""待办 from the clue handover: approve, sign for, report, close (销号)."""

from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from clues import selectors
from clues.access import is_clue_officer
from clues.models import Clue, Disposition
from rounds.models import Membership
from xuncha.accounts.roles import Role
from xuncha.core.todo import Task

S = Clue.Status


def _list_url(**params) -> str:
    return reverse("clues:clue_list") + ("?" + urlencode(params) if params else "")


def clues_todo(user) -> list[Task]:
    tasks = []
    if is_clue_officer(user):
        clues = selectors.clue_list(user=user)
        final = Exists(Disposition.objects.filter(clue=OuterRef("pk"), is_final=True))
        tasks += [
            Task(
                _("待审批的问题线索"),
                clues.filter(status=S.SUBMITTED).count(),
                _list_url(status=S.SUBMITTED),
                _("组长已签字、等待巡察办审批的交接单。"),
            ),
            Task(
                _("处置完毕待销号的线索"),
                clues.filter(final, status=S.RECEIVED).count(),
                reverse("clues:reconciliation"),
                _("接收部门已报告处置完毕，请对账后销号。"),
            ),
        ]
    if user.has_role(Role.TEAM_LEADER):
        led = Membership.objects.filter(
            cadre__user=user,
            role=Membership.Role.LEADER,
            commitments_completed_at__isnull=False,
        ).values("team_id")
        drafts = selectors.clue_list(user=user, filters={"status": S.DRAFT}).filter(team__in=led)
        tasks.append(
            Task(
                _("待组长签字的问题线索"),
                drafts.count(),
                _list_url(status=S.DRAFT),
                _("组员起草的交接单，请核对材料后签字报送。"),
            )
        )
    if user.has_role(Role.DEPARTMENT) and user.department_id:
        final = Exists(Disposition.objects.filter(clue=OuterRef("pk"), is_final=True))
        tasks += [
            Task(
                _("待签收的问题线索"),
                selectors.awaiting_receipt(user=user).count(),
                _list_url() + "#awaiting-receipt",
                _("巡察办已审批、等待本部门签收。"),
            ),
            Task(
                _("待报告处置情况的线索"),
                selectors.clue_list(user=user, filters={"status": S.RECEIVED})
                .exclude(final)
                .count(),
                _list_url(status=S.RECEIVED),
                _("已签收、尚未报告处置完毕。"),
            ),
        ]
    return tasks

"""待办 from rectification: plans to draw up, sign and accept; ledger items to
report, hand in, check and close; overdue items for leadership."""

from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from rectification import selectors
from rectification.models import Item, LedgerEntry, Plan
from rectification.services.plans import PLANNABLE_TARGET_STATUSES, plan_missing
from rounds.selectors import target_list
from xuncha.accounts.roles import Role
from xuncha.core.todo import Task

ST = Item.State
PLANS_URL = "rectification:plan_list"


def _items_url(**params) -> str:
    return reverse("rectification:item_list") + ("?" + urlencode(params) if params else "")


def _top_leader_tasks(user) -> list[Task]:
    """The top leader signs (签字背书); drawing up and reporting are the contact's."""
    drafts = selectors.plan_list(user=user).filter(
        status__in=[Plan.Status.DRAFT, Plan.Status.RETURNED]
    )
    ready = [plan for plan in drafts if not plan_missing(plan)]
    return [
        Task(
            _("待签字的整改方案"),
            len(ready),
            reverse("rectification:plan_detail", args=[ready[0].pk])
            if ready
            else reverse(PLANS_URL),
            _("主要负责人是整改第一责任人，对整改方案签字背书。"),
        )
    ]


def _unit_tasks(user) -> list[Task]:
    if user.is_top_leader:
        return _top_leader_tasks(user)
    plans = selectors.plan_list(user=user)
    to_draw = (
        target_list(user=user)
        .filter(status__in=PLANNABLE_TARGET_STATUSES, plan__isnull=True)
        .count()
        + plans.filter(status__in=[Plan.Status.DRAFT, Plan.Status.RETURNED]).count()
    )
    items = selectors.item_list(user=user)
    last_action = Subquery(
        LedgerEntry.objects.filter(item=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("action")[:1]
    )
    sent_back = (
        items.filter(state=ST.IN_PROGRESS)
        .annotate(last_action=last_action)
        .filter(last_action=LedgerEntry.Action.CHECK_RETURN)
    )
    tasks = [
        Task(
            _("待编制的整改方案"),
            to_draw,
            reverse(PLANS_URL),
            _("逐项填写整改措施、责任人和完成时限，再请主要负责人签字。"),
        ),
        Task(
            _("待报送的已签字方案"),
            plans.filter(status=Plan.Status.SIGNED).count(),
            reverse(PLANS_URL),
            _("主要负责人已签字背书，请报送巡察办。"),
        ),
        Task(
            _("整改中、待报账或交账的事项"),
            items.filter(state=ST.IN_PROGRESS).count(),
            _items_url(state=ST.IN_PROGRESS),
            _("定期报告进展，完成后上传佐证材料交账。"),
        ),
        Task(
            _("查账退回的事项"),
            sent_back.count(),
            _items_url(state=ST.IN_PROGRESS),
            _("巡察办查账未通过，请继续整改后重新交账。"),
        ),
    ]
    return tasks


def rectification_todo(user) -> list[Task]:
    tasks = []
    if user.has_role(Role.OFFICE):
        items = selectors.item_list(user=user)
        tasks += [
            Task(
                _("待审核的整改方案"),
                selectors.plan_list(user=user).filter(status=Plan.Status.SUBMITTED).count(),
                reverse(PLANS_URL),
                _("被巡察单位已签字报送，等待巡察办审核。"),
            ),
            Task(
                _("已交账、待查账的事项"),
                items.filter(state=ST.HANDED_IN).count(),
                _items_url(state=ST.HANDED_IN),
                _("核查佐证材料，通过或退回。"),
            ),
            Task(
                _("查验通过、待销账的事项"),
                items.filter(state=ST.ACCEPTED).count(),
                _items_url(state=ST.ACCEPTED),
                _("查验通过后销号。"),
            ),
        ]
    if user.has_role(Role.UNIT_CONTACT) and user.organization_id:
        tasks += _unit_tasks(user)
    if user.has_role(Role.DEPARTMENT) and user.department_id:
        tasks.append(
            Task(
                _("转办本部门承接的整改事项"),
                selectors.item_list(user=user, filters={"state": ST.TRANSFERRED}).count(),
                _items_url(state=ST.TRANSFERRED),
                _("巡察办转给本部门承接整改的事项，完成后交账。"),
            )
        )
    if user.has_role(Role.LEADERSHIP) and not user.has_role(Role.OFFICE):
        tasks.append(
            Task(
                _("逾期未完成的整改事项"),
                selectors.overdue_list(user=user).count(),
                reverse("rectification:overdue_list"),
                _("领导小组不办理事项；此处为需要督促的逾期整改。"),
                informational=True,
            )
        )
    return tasks

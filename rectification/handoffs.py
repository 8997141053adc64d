"""Who must act next on a plan or a ledger item, and telling them (消息).

One call per service, after the change; see rounds.handoffs. Each
notification names the act it waits for ("plan:7:sign") and is resolved when
that act happens.
"""

from django.db.models import QuerySet

from rectification.models import Item, LedgerEntry, Plan
from rounds.handoffs import office_staff
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.notifications.services import hand_off, resolve

A = LedgerEntry.Action


def unit_contacts(organization_id: int) -> QuerySet[User]:
    return User.objects.filter(
        organization_id=organization_id, groups__name=Role.UNIT_CONTACT.value, is_active=True
    )


def department_staff(department_id: int) -> QuerySet[User]:
    return User.objects.filter(
        department_id=department_id, groups__name=Role.DEPARTMENT.value, is_active=True
    )


def plan_ready(plan: Plan) -> None:
    """The three lists are complete: the top leader is asked to sign (签字背书)."""
    if plan.organization.leader_user_id is None:
        return
    hand_off(
        recipients=User.objects.filter(pk=plan.organization.leader_user_id),
        title=f"整改方案待您签字背书：{plan.organization.name}",
        url=plan.get_absolute_url(),
        awaits=f"plan:{plan.pk}:sign",
        resolves=[f"plan:{plan.pk}:draw"],
    )


def plan_signed(plan: Plan) -> None:
    hand_off(
        recipients=unit_contacts(plan.organization_id).exclude(pk=plan.organization.leader_user_id),
        title=f"整改方案已签字，待报送巡察办：{plan.organization.name}",
        url=plan.get_absolute_url(),
        awaits=f"plan:{plan.pk}:submit",
        resolves=[f"plan:{plan.pk}:sign", f"plan:{plan.pk}:draw"],
    )


def plan_submitted(plan: Plan) -> None:
    hand_off(
        recipients=office_staff(plan.target.round.office),
        title=f"整改方案待审核：{plan.organization.name}",
        url=plan.get_absolute_url(),
        awaits=f"plan:{plan.pk}:review",
        resolves=[f"plan:{plan.pk}:submit"],
    )


def plan_reviewed(plan: Plan, *, accepted: bool) -> None:
    if accepted:
        resolve(awaits=[f"plan:{plan.pk}:review"])
        return
    hand_off(
        recipients=unit_contacts(plan.organization_id),
        title=f"整改方案被巡察办退回，请修改后重新签字报送：{plan.organization.name}",
        url=plan.get_absolute_url(),
        awaits=f"plan:{plan.pk}:draw",
        resolves=[f"plan:{plan.pk}:review"],
    )


def _carriers(item: Item) -> QuerySet[User]:
    if item.state == Item.State.TRANSFERRED and item.transferred_to_id:
        return department_staff(item.transferred_to_id)
    return unit_contacts(item.organization_id)


def item_moved(item: Item, action: str) -> None:
    """Every ledger action (五账) passes here: who acts next on the item."""
    key = f"item:{item.pk}"
    name = f"整改事项 #{item.pk}"
    url = item.get_absolute_url()
    work = [f"{key}:returned", f"{key}:transferred"]
    if action == A.HAND_IN:
        hand_off(
            recipients=office_staff(item.office),
            title=f"{name}已交账，待查账",
            url=url,
            awaits=f"{key}:check",
            resolves=work,
        )
    elif action == A.CHECK_RETURN:
        hand_off(
            recipients=_carriers(item),
            title=f"{name}查账未通过，已退回继续整改",
            url=url,
            awaits=f"{key}:returned",
            resolves=[f"{key}:check"],
        )
    elif action == A.TRANSFER and item.state == Item.State.TRANSFERRED:
        hand_off(
            recipients=_carriers(item),
            title=f"{name}已转办贵部门承接整改",
            url=url,
            awaits=f"{key}:transferred",
            resolves=[f"{key}:check"],
        )
    elif action == A.CHECK_ACCEPT:
        resolve(awaits=[f"{key}:check"])
    elif action == A.REPORT:
        resolve(awaits=[f"{key}:returned"])

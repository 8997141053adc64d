"""What each person sees first: the things they have to do, role by role.

Each role gets cards; a card is a title, a line of text, an optional figure
and a link. The domain apps register their own cards from their
``AppConfig.ready()`` (``rounds/home.py``) in the ground-floor registry
``xuncha/core/cards.py``; the cards of the shared parts (organizations,
accounts, audit) are registered here, by the top layer that shows them all.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.core.cards import Card, cards_for, register_cards
from xuncha.orgs.selectors import cadre_list, organization_list


def _office_cards(user: User) -> list[Card]:
    orgs = organization_list(user=user)
    cadres = cadre_list(user=user)
    return [
        Card(
            _("组织库"),
            _("本级可巡察的党组织，可按区县、领域、层级查询，也可从 Excel 批量导入。"),
            orgs.count(),
            reverse("orgs:organization_list"),
            _("查看组织库"),
        ),
        Card(
            _("组长库"),
            _("可担任巡察组组长的干部。组建巡察组前请核对回避关系。"),
            cadres.filter(in_leader_pool=True).count(),
            reverse("orgs:cadre_list") + "?pool=leader",
            _("查看组长库"),
        ),
        Card(
            _("人才库"),
            _("可抽调为巡察组成员的干部。"),
            cadres.filter(in_talent_pool=True).count(),
            reverse("orgs:cadre_list") + "?pool=talent",
            _("查看人才库"),
        ),
    ]


def _unit_cards(user: User) -> list[Card]:
    org = user.organization
    if org is None:
        return [Card(_("所属党组织"), _("您的账号尚未关联党组织，请联系巡察办。"))]
    return [
        Card(
            _("所属党组织"),
            _("您只能看到本单位的反馈意见和整改事项。"),
            org.name,
            org.get_absolute_url(),
            _("查看本单位信息"),
        ),
    ]


def _leadership_cards(user: User) -> list[Card]:
    return [
        Card(
            _("巡察对象总数"),
            _("纳入本级巡察范围的党组织。"),
            organization_list(user=user).count(),
            reverse("orgs:organization_list"),
            _("查看组织库"),
        ),
    ]


def _department_cards(user: User) -> list[Card]:
    name = user.department.name if user.department else _("（未关联部门）")
    return [Card(_("本部门台账"), _("移交给本部门的问题线索和建议会出现在这里。"), name)]


def _sysadmin_cards(user: User) -> list[Card]:
    return [
        Card(
            _("账号"),
            _("系统管理员管理账号，但不查看任何案件数据；角色由安全保密管理员授予。"),
            User.objects.filter(is_active=True).count(),
            reverse("admin:accounts_user_changelist"),
            _("管理账号"),
        )
    ]


def _security_officer_cards(user: User) -> list[Card]:
    without_roles = User.objects.filter(is_active=True, groups__isnull=True).count()
    return [
        Card(
            _("待授权账号"),
            _("已启用但尚未授予任何角色的账号。"),
            without_roles,
            reverse("admin:accounts_user_changelist"),
            _("授予角色"),
        )
    ]


def _auditor_cards(user: User) -> list[Card]:
    from xuncha.audit.selectors import audit_entry_list

    today = timezone.localdate()
    entries = audit_entry_list(user=user, filters={"date_from": today})
    return [
        Card(
            _("今日审计记录"),
            _("所有数据变更和问题线索的查阅都记入不可篡改的审计日志。"),
            entries.count(),
            reverse("audit:entry_list"),
            _("查看审计日志"),
        )
    ]


def register() -> None:
    """Called from ``PortalConfig.ready()``; see ``rounds/home.py`` for the orders."""
    register_cards([Role.OFFICE], _office_cards, order=20)
    register_cards([Role.UNIT_CONTACT], _unit_cards, order=10)
    register_cards([Role.LEADERSHIP], _leadership_cards, order=20)
    register_cards([Role.DEPARTMENT], _department_cards, order=10)
    register_cards([Role.SYSADMIN], _sysadmin_cards, order=10)
    register_cards([Role.SECURITY_OFFICER], _security_officer_cards, order=10)
    register_cards([Role.AUDITOR], _auditor_cards, order=10)


def home_cards(user: User) -> list[Card]:
    return cards_for(user)

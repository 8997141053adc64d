"""The navigation bar: each entry names the roles that see it.

A role sees only its own entries; the pages behind them check access again,
so the menu is a convenience, never the guard.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xuncha.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[Role]
    icon: str = ""


NAV_ITEMS = [
    NavItem(_("首页"), "core:home", frozenset(Role), "house"),
    NavItem(
        _("组织库"),
        "orgs:organization_list",
        frozenset({Role.OFFICE, Role.LEADERSHIP, Role.UNIT_CONTACT}),
        "diagram-3",
    ),
    NavItem(_("干部库"), "orgs:cadre_list", frozenset({Role.OFFICE}), "people"),
    NavItem(
        _("整改方案"),
        "rectification:plan_list",
        frozenset({Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP}),
        "clipboard-check",
    ),
    NavItem(
        _("整改台账"),
        "rectification:item_list",
        frozenset({Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT}),
        "list-check",
    ),
    NavItem(
        _("巡察建议书"),
        "rectification:recommendation_list",
        frozenset({Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT}),
        "envelope-paper",
    ),
    NavItem(
        _("领导驾驶舱"),
        "dashboard:index",
        frozenset({Role.LEADERSHIP, Role.OFFICE}),
        "speedometer2",
    ),
    NavItem(_("审计日志"), "audit:entry_list", frozenset({Role.AUDITOR}), "journal-text"),
]


def admin_nav_item(user) -> dict | None:
    if not user.may_use_admin_site:
        return None
    labels = {
        Role.SYSADMIN: _("账号管理"),
        Role.SECURITY_OFFICER: _("角色授权"),
    }
    label = next((labels[r] for r in labels if r in user.roles), _("数据维护"))
    return {"label": label, "url": reverse("admin:index"), "icon": "gear"}


def nav_for(user, current_path: str) -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        if user.roles & item.roles:
            url = reverse(item.url_name)
            active = current_path == url if url == "/" else current_path.startswith(url)
            items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    if admin_item := admin_nav_item(user):
        items.append({**admin_item, "active": current_path.startswith(admin_item["url"])})
    return items

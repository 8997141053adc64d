"""The navigation bar: each entry names the roles that see it.

A role sees only its own entries; the pages behind them check access again,
so the menu is a convenience, never the guard.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fieldwork.middleware import FIELD_VIEWS
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
        _("巡察轮次"),
        "rounds:round_list",
        frozenset({Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER}),
        "flag",
    ),
    NavItem(
        _("巡察对象"),
        "rounds:target_list",
        frozenset(
            {Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_CONTACT}
        ),
        "building",
    ),
    NavItem(
        _("发现问题"),
        "rounds:problem_list",
        frozenset(
            {Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_CONTACT}
        ),
        "exclamation-triangle",
    ),
    NavItem(
        _("周汇总"),
        "rounds:weekly_summary_list",
        frozenset({Role.OFFICE, Role.LEADERSHIP}),
        "calendar-week",
    ),
    NavItem(_("现场清单"), "checklist:item_list", frozenset({Role.OFFICE}), "ui-checks"),
    NavItem(_("巡察档案"), "archive:index", frozenset({Role.OFFICE}), "archive"),
    NavItem(
        _("大数据比对"),
        "crosscheck:index",
        frozenset({Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER}),
        "search",
    ),
    NavItem(
        _("现场记录"),
        "fieldwork:field_home",
        frozenset({Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER}),
        "journal-text",
    ),
    NavItem(
        _("码上巡察"),
        "intake:report_list",
        frozenset({Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER}),
        "qr-code",
    ),
    NavItem(
        _("问题线索"),
        "clues:clue_list",
        frozenset({Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.DEPARTMENT}),
        "file-earmark-lock",
    ),
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
        _("测评问卷"),
        "rectification:questionnaire_list",
        frozenset({Role.OFFICE}),
        "ui-checks",
    ),
    NavItem(
        _("领导驾驶舱"),
        "dashboard:index",
        frozenset({Role.LEADERSHIP, Role.OFFICE}),
        "speedometer2",
    ),
    NavItem(
        _("量化考评"),
        "evaluation:index",
        frozenset({Role.LEADERSHIP, Role.OFFICE}),
        "bar-chart",
    ),
    NavItem(
        _("组织库"),
        "orgs:organization_list",
        frozenset({Role.OFFICE, Role.LEADERSHIP, Role.UNIT_CONTACT}),
        "diagram-3",
    ),
    NavItem(_("干部库"), "orgs:cadre_list", frozenset({Role.OFFICE}), "people"),
    NavItem(_("数据导入"), "imports:index", frozenset({Role.OFFICE}), "upload"),
    NavItem(
        _("我的报表"),
        "reports:job_list",
        frozenset({Role.OFFICE, Role.LEADERSHIP, Role.UNIT_CONTACT, Role.DEPARTMENT}),
        "file-earmark-text",
    ),
    NavItem(_("审计日志"), "audit:entry_list", frozenset({Role.AUDITOR}), "journal-text"),
]


# Entries of one area fold into a dropdown when a person has two or more of
# them, so the office's fifteen entries fit a 1366-px screen on one line.
# The areas are contiguous in NAV_ITEMS, so the menu keeps its order.
GROUPS = {
    "rounds": (_("巡察工作"), "flag"),
    "checklist": (_("巡察工作"), "flag"),
    "archive": (_("巡察工作"), "flag"),
    "crosscheck": (_("巡察工作"), "flag"),
    "fieldwork": (_("巡察工作"), "flag"),
    "intake": (_("巡察工作"), "flag"),
    "rectification": (_("整改落实"), "clipboard-check"),
    "orgs": (_("基础数据"), "database"),
    "imports": (_("基础数据"), "database"),
    "reports": (_("基础数据"), "database"),
}


def _admin_label(roles) -> str:
    labels = {
        Role.SYSADMIN: _("账号管理"),
        Role.SECURITY_OFFICER: _("角色授权"),
    }
    return next((labels[r] for r in labels if r in roles), _("数据维护"))


@functools.lru_cache(maxsize=512)
def _entries(roles: frozenset[Role], admin: bool, field_mode: bool, language: str) -> tuple:
    """A role set's menu entries, labels translated into ``language``. The
    same for everyone with those roles, so worked out once per process: the
    URLs never change while it runs, and every page shows the menu."""
    entries = [
        (
            str(item.label),
            reverse(item.url_name),
            item.icon,
            GROUPS.get(item.url_name.split(":")[0]),
        )
        for item in NAV_ITEMS
        # The field edition's menu holds only the pages the laptop answers.
        if (not field_mode or item.url_name in FIELD_VIEWS) and roles & item.roles
    ]
    if admin and not field_mode:
        entries.append((str(_admin_label(roles)), reverse("admin:index"), "gear", None))
    return tuple(entries)


def nav_for(user, current_path: str) -> list[dict]:
    entries = _entries(
        frozenset(user.roles), user.may_use_admin_site, settings.FIELD_MODE, get_language()
    )
    items = [
        {"label": label, "url": url, "icon": icon, "active": False, "group": group}
        for label, url, icon, group in entries
    ]
    # One entry is active: the longest URL the path starts with ("/rounds/targets/"
    # rather than "/rounds/"), and the home page only on itself.
    matches = [
        item
        for item in items
        if (
            current_path == item["url"]
            if item["url"] == "/"
            else current_path.startswith(item["url"])
        )
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items


def nav_menu(user, current_path: str) -> list[dict]:
    """nav_for's entries, with each area's entries folded into one dropdown."""
    menu: list[dict] = []
    for item in nav_for(user, current_path):
        group = item.get("group")
        last = menu[-1] if menu else None
        if group and last is not None and last.get("group") == group:
            last.setdefault("children", [dict(last)]).append(item)
            last["active"] = last["active"] or item["active"]
        else:
            menu.append(dict(item))
    for entry in menu:
        if "children" in entry:
            entry["label"], entry["icon"] = entry["group"]
    return menu

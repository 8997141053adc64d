"""The roles of DOMAIN.md. Each is a Django group whose name is the code here.

Group names are stable codes so that code, fixtures and translations never
depend on a label; the label is what the UI shows.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    OFFICE = "office_staff"
    TEAM_LEADER = "team_leader"
    TEAM_MEMBER = "team_member"
    UNIT_CONTACT = "unit_contact"
    LEADERSHIP = "leadership"
    DEPARTMENT = "receiving_department"
    SYSADMIN = "system_admin"
    SECURITY_OFFICER = "security_officer"
    AUDITOR = "security_auditor"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.OFFICE: _("巡察办工作人员"),
    Role.TEAM_LEADER: _("巡察组组长"),
    Role.TEAM_MEMBER: _("巡察组成员"),
    Role.UNIT_CONTACT: _("被巡察单位联络人"),
    Role.LEADERSHIP: _("领导小组"),
    Role.DEPARTMENT: _("接收部门"),
    Role.SYSADMIN: _("系统管理员"),
    Role.SECURITY_OFFICER: _("安全保密管理员"),
    Role.AUDITOR: _("安全审计员"),
}

# 三员分立: the three admin duties never read case data.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECURITY_OFFICER, Role.AUDITOR})
CASE_ROLES = frozenset(Role) - ADMIN_ROLES

# Model permissions each role's group carries ("app_label.codename").
# Object-level access (which round, which clue) is granted per object by the
# services that create the relation; these only open the doors.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.OFFICE: [
        "orgs.view_region",
        "orgs.view_office",
        "orgs.view_organization",
        "orgs.add_organization",
        "orgs.change_organization",
        "orgs.view_department",
        "orgs.view_specialty",
        "orgs.view_cadre",
        "orgs.add_cadre",
        "orgs.change_cadre",
        "orgs.view_cadrerelation",
        "orgs.add_cadrerelation",
        "orgs.change_cadrerelation",
        "orgs.delete_cadrerelation",
        "orgs.view_cadreworkhistory",
        "orgs.add_cadreworkhistory",
        "orgs.change_cadreworkhistory",
        "orgs.delete_cadreworkhistory",
        "orgs.view_conflictdeclaration",
        "orgs.add_conflictdeclaration",
        "orgs.change_conflictdeclaration",
        "orgs.delete_conflictdeclaration",
        # The category tree is the office's to maintain; rounds, teams, targets
        # and problems are only viewed in the admin (the pages write them).
        "rounds.view_problemcategory",
        "rounds.add_problemcategory",
        "rounds.change_problemcategory",
        "rounds.delete_problemcategory",
        "rounds.view_roundkind",
        "rounds.view_round",
        "rounds.view_team",
        "rounds.view_target",
        "rounds.view_problem",
    ],
    Role.TEAM_LEADER: [],
    Role.TEAM_MEMBER: [],
    Role.UNIT_CONTACT: [],
    Role.LEADERSHIP: [],
    Role.DEPARTMENT: [],
    Role.SYSADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "orgs.view_region",
        "orgs.view_office",
        "orgs.view_department",
        "orgs.view_organization",
    ],
    Role.SECURITY_OFFICER: [
        "accounts.view_user",
        "accounts.grant_roles",
        "auth.view_group",
    ],
    Role.AUDITOR: ["audit.view_auditentry"],
}

# Who may use the Django admin at all (it is a tool for these duties only).
ADMIN_SITE_ROLES = frozenset({Role.OFFICE, Role.SYSADMIN, Role.SECURITY_OFFICER})

# 三员分立: who may grant (or take away) which role. The security officer grants
# the business roles and the other two admin duties; the security officer's own
# role is granted only by the system admin, so no admin duty is ever granted by
# a peer of the same duty; the auditor grants nothing. Nobody changes their own
# roles (services.check_role_grant). A role absent from every row is granted by
# nobody in the running system (only by the deployment's handover command).
ROLE_GRANTERS: dict[Role, frozenset[Role]] = {
    Role.SECURITY_OFFICER: CASE_ROLES | {Role.SYSADMIN, Role.AUDITOR},
    Role.SYSADMIN: frozenset({Role.SECURITY_OFFICER}),
    Role.AUDITOR: frozenset(),
}


def grantable_roles(actor_roles: frozenset[Role]) -> frozenset[Role]:
    """The roles a holder of ``actor_roles`` may grant or take away."""
    grantable: frozenset[Role] = frozenset()
    for role in actor_roles:
        grantable |= ROLE_GRANTERS.get(role, frozenset())
    return grantable


def granters_of(role: Role) -> list[Role]:
    """Which duties may grant ``role`` (for the refusal message)."""
    return [granter for granter, roles in ROLE_GRANTERS.items() if role in roles]

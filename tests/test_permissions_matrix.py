"""Who may open which page: every URL of the app, for every role and for an
anonymous visitor (pretix's ``test_permissions.py`` is the model).

Add a row to ``MATRIX`` with each new URL. ``expect(default, **by_role)``
builds a row's expectations: the default applies to every logged-in role not
named; an anonymous visitor is sent to the login page unless ``anonymous=`` says
otherwise.
"""

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.factories import CadreFactory, OrganizationFactory, make_user
from xuncha.accounts.roles import Role

# Expected outcomes besides a plain status code.
LOGIN = "redirect to the login page"
ADMIN_LOGIN = "redirect to the admin login page"

ROLES = tuple(Role)
ADMIN_SITE = {"office_staff": 200, "system_admin": 200, "security_officer": 200}


def expect(default, *, anonymous=LOGIN, **by_role) -> dict[str, object]:
    """Expectations for "anonymous" and each role (keyed by the role's value)."""
    unknown = set(by_role) - {role.value for role in ROLES}
    assert not unknown, f"unknown roles in the matrix: {unknown}"
    return {"anonymous": anonymous, **{r.value: by_role.get(r.value, default) for r in ROLES}}


def admin_page(**by_role) -> dict[str, object]:
    """Admin pages: only the admin-site roles get in; everyone else is sent to its login."""
    return expect(ADMIN_LOGIN, anonymous=ADMIN_LOGIN, **by_role)


@dataclass(frozen=True)
class Page:
    url_name: str
    # Names of objects from the ``objects`` fixture to pass as URL arguments.
    args: tuple[str, ...] = ()
    label: str = ""

    def __str__(self) -> str:
        return self.label or self.url_name


# Role values are spelled out (rather than Role.X) so the table reads as one.
# office_staff is the city office; unit_contact's own organization is "own_org".
MATRIX: list[tuple[Page, dict[str, object]]] = [
    (Page("core:home"), expect(200)),
    (Page("accounts:profile"), expect(200)),
    (Page("healthz"), expect(200, anonymous=200)),
    # Two-factor sign-in: a signed-in (verified) session is sent on from the code
    # step and enrolment; the QR code exists only while enrolling; the reset pages
    # are for the two admin duties that take part in a reset.
    (Page("twofactor:verify"), expect(302)),
    (Page("twofactor:enrol"), expect(302)),
    (Page("twofactor:enrol_qr"), expect(404)),
    (Page("twofactor:recovery"), expect(200)),
    (Page("twofactor:reset_list"), expect(404, system_admin=200, security_officer=200)),
    # The organization list answers everyone with what they may see: the
    # office and leadership their reach, a unit contact its own organization,
    # the rest (three admin duties included) an empty list.
    (Page("orgs:organization_list"), expect(200)),
    (
        Page("orgs:organization_detail", ("own_org",), "organization_detail[own]"),
        expect(404, office_staff=200, leadership=200, unit_contact=200),
    ),
    (
        Page("orgs:organization_detail", ("other_org",), "organization_detail[other]"),
        expect(404, office_staff=200, leadership=200),
    ),
    # The cadre pool is the office's working file.
    (Page("orgs:cadre_list"), expect(404, office_staff=200)),
    (Page("orgs:cadre_detail", ("cadre",)), expect(404, office_staff=200)),
    # 三员分立: only the security auditor reads the audit log.
    (Page("audit:entry_list"), expect(404, security_auditor=200)),
    (Page("audit:entry_export"), expect(404, security_auditor=200)),
    (
        Page("orgs:organization_export"),
        expect(404, office_staff=200, leadership=200, unit_contact=200),
    ),
    (Page("orgs:cadre_export"), expect(404, office_staff=200)),
    # The dashboard: leadership and the office; counts only, never clue content.
    (Page("dashboard:index"), expect(404, office_staff=200, leadership=200)),
    (Page("dashboard:export_xlsx"), expect(404, office_staff=200, leadership=200)),
    # Rounds: the office, leadership and team roles; units see their own targets and
    # fed-back problems (the selectors scope every list).
    (
        Page("rounds:round_list"),
        expect(404, office_staff=200, leadership=200, team_leader=200, team_member=200),
    ),
    (Page("rounds:round_create"), expect(404, office_staff=200)),
    (
        Page("rounds:round_export"),
        expect(404, office_staff=200, leadership=200, team_leader=200, team_member=200),
    ),
    *[
        (
            Page(name),
            expect(
                404,
                office_staff=200,
                leadership=200,
                team_leader=200,
                team_member=200,
                unit_contact=200,
            ),
        )
        for name in (
            "rounds:target_list",
            "rounds:target_export",
            "rounds:problem_list",
            "rounds:problem_export",
        )
    ],
    (Page("rounds:weekly_summary_list"), expect(404, office_staff=200, leadership=200)),
    (Page("rounds:weekly_summary_export"), expect(404, office_staff=200, leadership=200)),
    (Page("notifications:notification_list"), expect(200)),
    (Page("imports:index"), expect(404, office_staff=200)),
    # Clues: never leadership, units, or the admin duties. The reconciliation is for
    # office staff holding clues.manage_clue (the matrix's office user does not).
    (
        Page("clues:clue_list"),
        expect(404, office_staff=200, team_leader=200, team_member=200, receiving_department=200),
    ),
    (Page("clues:reconciliation"), expect(404)),
    (
        Page("clues:clue_export"),
        expect(404, office_staff=200, team_leader=200, team_member=200, receiving_department=200),
    ),
    # Rectification lists: each role's own slice (the selectors scope them).
    (
        Page("rectification:plan_list"),
        expect(404, unit_contact=200, office_staff=200, leadership=200),
    ),
    (
        Page("rectification:item_list"),
        expect(404, unit_contact=200, office_staff=200, leadership=200, receiving_department=200),
    ),
    (
        Page("rectification:overdue_list"),
        expect(404, unit_contact=200, office_staff=200, leadership=200, receiving_department=200),
    ),
    (
        Page("rectification:recommendation_list"),
        expect(404, office_staff=200, leadership=200, receiving_department=200),
    ),
    (Page("rectification:assessment_list"), expect(404, office_staff=200, leadership=200)),
    (
        Page("rectification:figures"),
        expect(404, unit_contact=200, office_staff=200, leadership=200, receiving_department=200),
    ),
    # Report jobs are their requester's alone; the list is everyone's own.
    (Page("reports:job_list"), expect(200)),
    # The admin site is a tool for the office, the system admin and the security officer.
    (Page("admin:index"), admin_page(**ADMIN_SITE)),
    (
        Page("admin:accounts_user_changelist"),
        admin_page(office_staff=403, system_admin=200, security_officer=200),
    ),
    (
        Page("admin:accounts_user_change", ("unit_contact_user",)),
        admin_page(office_staff=403, system_admin=200, security_officer=200),
    ),
    (
        Page("admin:accounts_user_add"),
        admin_page(office_staff=403, system_admin=200, security_officer=403),
    ),
    # The system admin may look organizations up (to link a unit contact's
    # account to one); organizations are reference data, not case data.
    (
        Page("admin:orgs_organization_changelist"),
        admin_page(office_staff=200, system_admin=200, security_officer=403),
    ),
    (
        Page("admin:orgs_organization_change", ("other_org",)),
        admin_page(office_staff=200, system_admin=200, security_officer=403),
    ),
    (
        Page("admin:orgs_organization_import"),
        admin_page(office_staff=200, system_admin=403, security_officer=403),
    ),
    (
        Page("admin:orgs_organization_export"),
        admin_page(office_staff=200, system_admin=200, security_officer=403),
    ),
    (
        Page("admin:orgs_cadre_export"),
        admin_page(office_staff=200, system_admin=403, security_officer=403),
    ),
    # Reference tables: the office and the system admin read them (the latter
    # links accounts to offices and departments); departments come only from
    # department_create, never from the admin's add form.
    (
        Page("admin:orgs_region_changelist"),
        admin_page(office_staff=200, system_admin=200, security_officer=403),
    ),
    (
        Page("admin:orgs_office_changelist"),
        admin_page(office_staff=200, system_admin=200, security_officer=403),
    ),
    (
        Page("admin:orgs_department_changelist"),
        admin_page(office_staff=200, system_admin=200, security_officer=403),
    ),
    (
        Page("admin:orgs_department_add"),
        admin_page(office_staff=403, system_admin=403, security_officer=403),
    ),
    (
        Page("admin:orgs_specialty_changelist"),
        admin_page(office_staff=200, system_admin=403, security_officer=403),
    ),
    (
        Page("admin:orgs_cadre_changelist"),
        admin_page(office_staff=200, system_admin=403, security_officer=403),
    ),
    (
        Page("admin:orgs_cadre_import"),
        admin_page(office_staff=200, system_admin=403, security_officer=403),
    ),
]


def _cases() -> list:
    return [
        pytest.param(page, who, outcome, id=f"{page}-{who}")
        for page, expected in MATRIX
        for who, outcome in expected.items()
    ]


@pytest.fixture
def objects(db):
    """What the URLs point at: the unit contact's own organization, another one, a cadre."""
    own_org = OrganizationFactory(name="本单位党委")
    other_org = OrganizationFactory(name="其他单位党委")
    unit_contact = make_user(Role.UNIT_CONTACT, organization=own_org)
    return {
        "own_org": own_org,
        "other_org": other_org,
        "cadre": CadreFactory(organization=other_org),
        "unit_contact_user": unit_contact,
    }


@pytest.mark.parametrize(("page", "who", "outcome"), _cases())
def test_permission_matrix(client, objects, page, who, outcome):
    if who != "anonymous":
        user = objects["unit_contact_user"] if who == Role.UNIT_CONTACT else make_user(Role(who))
        client.force_login(user)
    url = reverse(page.url_name, args=[objects[name].pk for name in page.args])

    response = client.get(url)
    response.close()  # streamed downloads (exports) hold a file open until closed

    if outcome in (LOGIN, ADMIN_LOGIN):
        assert response.status_code == 302, f"{url} as {who}: {response.status_code}"
        login = reverse("accounts:login" if outcome == LOGIN else "admin:login")
        assert urlsplit(response["Location"]).path == login
    else:
        assert response.status_code == outcome, f"{url} as {who}: {response.status_code}"


def test_matrix_covers_every_role_for_every_page():
    for page, expected in MATRIX:
        assert set(expected) == {"anonymous", *(r.value for r in ROLES)}, page


# --- what the pages show the roles that may open them ---------------------------


def test_refused_roles_get_an_empty_organization_list(client, objects):
    for role in (
        Role.SYSADMIN,
        Role.SECURITY_OFFICER,
        Role.AUDITOR,
        Role.TEAM_LEADER,
        Role.DEPARTMENT,
    ):
        client.force_login(make_user(role))
        response = client.get(reverse("orgs:organization_list"))
        html = response.content.decode()
        assert response.context["page"].paginator.count == 0, role
        assert "本单位党委" not in html
        assert "其他单位党委" not in html


def test_unit_contact_sees_only_its_own_organization_in_the_list(client, objects):
    client.force_login(objects["unit_contact_user"])
    response = client.get(reverse("orgs:organization_list"))
    assert [org.pk for org in response.context["page"]] == [objects["own_org"].pk]
    assert "其他单位党委" not in response.content.decode()


# --- navigation ------------------------------------------------------------------

OFFICE_NAV = {
    "首页",
    "组织库",
    "干部库",
    "巡察轮次",
    "巡察对象",
    "发现问题",
    "周汇总",
    "问题线索",
    "整改方案",
    "整改台账",
    "巡察建议书",
    "领导驾驶舱",
    "数据导入",
    "我的报表",
    "数据维护",
}
NAV_BY_ROLE = {
    Role.OFFICE: OFFICE_NAV,
    Role.TEAM_LEADER: {"首页", "巡察轮次", "巡察对象", "发现问题", "问题线索"},
    Role.TEAM_MEMBER: {"首页", "巡察轮次", "巡察对象", "发现问题", "问题线索"},
    Role.UNIT_CONTACT: {
        "首页",
        "组织库",
        "巡察对象",
        "发现问题",
        "整改方案",
        "整改台账",
        "我的报表",
    },
    Role.LEADERSHIP: {
        "首页",
        "组织库",
        "巡察轮次",
        "巡察对象",
        "发现问题",
        "周汇总",
        "整改方案",
        "整改台账",
        "巡察建议书",
        "领导驾驶舱",
        "我的报表",
    },
    Role.DEPARTMENT: {"首页", "问题线索", "整改台账", "巡察建议书", "我的报表"},
    Role.SYSADMIN: {"首页", "账号管理"},
    Role.SECURITY_OFFICER: {"首页", "角色授权"},
    Role.AUDITOR: {"首页", "审计日志"},
}
NAV_LABELS = set().union(*NAV_BY_ROLE.values())


def main_nav_labels(html: str) -> set[str]:
    block = re.search(r'data-testid="main-nav">(.*?)<!-- /main-nav -->', html, re.S)
    assert block, "no main-nav block on the page"
    links = re.findall(r"<a\b[^>]*>(.*?)</a>", block.group(1), re.S)
    return {unescape(re.sub(r"<[^>]+>", "", link)).strip() for link in links}


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_navigation_shows_the_roles_own_entries_only(db, client, role):
    client.force_login(make_user(role))
    labels = main_nav_labels(client.get(reverse("core:home")).content.decode())
    assert labels == NAV_BY_ROLE[role]
    assert not (labels & (NAV_LABELS - NAV_BY_ROLE[role]))


def test_anonymous_visitor_sees_no_navigation(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'data-testid="main-nav"' not in html

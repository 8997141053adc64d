"""Who may open which page: every URL of the app, for every role and for an
anonymous visitor (pretix's ``test_permissions.py`` is the model).

Add a row to ``MATRIX`` with each new URL (one line: the page, its object
arguments by name, the expectations); ``test_every_url_name_has_a_row`` fails
until every URL name of the resolver has one. ``expect(default, **by_role)``
builds a row's expectations: the default applies to every logged-in role not
named; an anonymous visitor is sent to the login page unless ``anonymous=`` says
otherwise. ``post(...)`` rows send an empty POST.

Object arguments come from two small worlds (built only for the rows that
name their objects), and each role is then played by that world's own person
(the team's leader and member, the unit's contact, the receiving department,
the office that runs the round): "own" objects are theirs, "other_*" objects
belong to another team, unit or department and must answer 404.
"""

import datetime
import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import CadreFactory, OrganizationFactory, make_user
from xuncha.accounts.roles import Role

# Expected outcomes besides a plain status code.
LOGIN = "redirect to the login page"
ADMIN_LOGIN = "redirect to the admin login page"
# A role that may use a form or an action: the answer is the page again, a
# redirect after the step, or a refusal of the empty POST that says why
# (200, 302, 400) — never 403, 404 or a server error.
OK = "allowed (200, 302 or 400)"
# A 403 in a row is deliberate: the person sees the object (its page answers
# 200) but the step belongs to someone else (STYLE.md: 404 for hidden objects,
# 403 for seen but not changed).

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
    # Names of objects from the ``objects`` fixture to pass as URL arguments
    # (their pk; a token for "survey"), or "=literal" for a literal argument.
    args: tuple[str, ...] = ()
    label: str = ""
    method: str = "get"

    def __str__(self) -> str:
        if self.label:
            return self.label
        named = f"{self.url_name}[{','.join(self.args)}]" if self.args else self.url_name
        return f"POST {named}" if self.method == "post" else named


def post(url_name: str, *args: str) -> Page:
    return Page(url_name, args, method="post")


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
    (post("twofactor:reset_request"), expect(404, system_admin=OK, security_officer=OK)),
    # No reset request exists in the worlds: deciding an unknown one is 404 for all.
    (post("twofactor:reset_approve", "=999999"), expect(404)),
    (post("twofactor:reset_decline", "=999999"), expect(404)),
    # Everyone changes their own password; only the security officer sees and
    # releases lock-outs.
    (Page("accounts:password_change"), expect(200)),
    # Activation: the system admin issues codes; the person redeems one signed out.
    (Page("accounts:activate"), expect(200, anonymous=200)),
    (Page("accounts:activation_list"), expect(404, system_admin=200)),
    (post("accounts:activation_issue", "=999999"), expect(404)),
    # 待办: everyone's own list, and the navbar count loaded after the page.
    (Page("core:todo"), expect(200)),
    (Page("core:todo_badge"), expect(200)),
    (Page("accounts:lockout_list"), expect(404, security_officer=200)),
    (post("accounts:lockout_unlock", "=999999"), expect(404, security_officer=OK)),
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
    # The chain's verification is the auditor's job: started by a POST, then its page.
    (post("audit:verification_start"), expect(404, security_auditor=302)),
    (Page("audit:verification_detail", ("=999999",)), expect(404)),
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
    # --- every other URL name (issue 10: the matrix lists the whole resolver) ---
    (
        Page("rectification:plan_export"),
        expect(404, unit_contact=200, office_staff=200, leadership=200),
    ),
    (
        Page("rectification:item_export"),
        expect(404, unit_contact=200, office_staff=200, leadership=200, receiving_department=200),
    ),
    (
        Page("rectification:recommendation_export"),
        expect(404, office_staff=200, leadership=200, receiving_department=200),
    ),
    (Page("accounts:login"), expect(302, anonymous=200)),  # signed in: on to the home page
    (post("accounts:logout"), expect(OK, anonymous=OK)),
    (Page("clues:clue_create"), expect(404, team_leader=200, team_member=200)),
    (
        Page("clues:clue_detail", ("clue",)),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (Page("clues:clue_detail", ("other_clue",)), expect(404, office_staff=200)),  # another team's
    (Page("clues:clue_edit", ("clue",)), expect(404, team_leader=200, team_member=200)),
    (
        Page("clues:clue_print", ("clue",)),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        Page("clues:clue_file", ("clue", "clue_file")),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (post("clues:clue_file_upload", "clue"), expect(404, team_leader=OK, team_member=OK)),
    (
        post("clues:clue_submit", "clue"),
        expect(404, office_staff=403, team_leader=OK, team_member=403),
    ),
    (
        post("clues:clue_approve", "clue"),
        expect(404, office_staff=OK, team_leader=403, team_member=403),
    ),
    (
        post("clues:clue_return", "clue"),
        expect(404, office_staff=OK, team_leader=403, team_member=403),
    ),
    (
        post("clues:clue_receive", "clue"),
        expect(404, office_staff=403, team_leader=403, team_member=403),
    ),
    (
        # The rule is checked before the form: those who see the clue but may
        # not report on it are refused (403), whatever they posted.
        post("clues:clue_disposition", "clue"),
        expect(404, office_staff=403, team_leader=403, team_member=403),
    ),
    (
        post("clues:clue_close", "clue"),
        expect(404, office_staff=OK, team_leader=403, team_member=403),
    ),
    (
        post("clues:clue_reopen", "clue"),
        expect(404, office_staff=OK, team_leader=403, team_member=403),
    ),
    (Page("imports:template", ("=problems",)), expect(404, office_staff=200)),
    (Page("imports:job_detail", ("import_job",)), expect(404, office_staff=200)),
    (post("imports:job_confirm", "import_job"), expect(404, office_staff=OK)),
    (post("notifications:notification_mark_read"), expect(302)),  # one's own only
    (
        post("rectification:plan_open", "rect_target"),
        expect(404, office_staff=OK, unit_contact=OK, leadership=403),
    ),
    (
        Page("rectification:plan_detail", ("plan",)),
        expect(404, office_staff=200, leadership=200, unit_contact=200),
    ),
    (
        Page("rectification:plan_detail", ("other_plan",)),
        expect(404, office_staff=200, leadership=200),
    ),
    (
        post("rectification:plan_sign", "plan"),
        expect(404, office_staff=403, leadership=403, unit_contact=403),
    ),
    (
        post("rectification:plan_submit", "plan"),
        expect(404, office_staff=403, leadership=403, unit_contact=OK),
    ),
    (
        post("rectification:plan_review", "plan"),
        expect(404, office_staff=OK, leadership=OK, unit_contact=OK),
    ),
    (
        Page("rectification:item_detail", ("item",)),
        expect(404, office_staff=200, leadership=200, unit_contact=200),
    ),
    (
        Page("rectification:item_detail", ("other_item",)),
        expect(404, office_staff=200, leadership=200),
    ),
    (
        Page("rectification:item_edit", ("item",)),
        expect(404, office_staff=403, leadership=403, unit_contact=403),
    ),  # accepted plan: seen, not changed
    (
        post("rectification:item_action", "item", "=report"),
        expect(404, office_staff=OK, leadership=OK, unit_contact=OK),
    ),
    (
        Page("rectification:evidence_file", ("item", "evidence")),
        expect(404, office_staff=200, leadership=200, unit_contact=200),
    ),
    (
        post("rectification:assessment_open", "rect_target"),
        expect(404, office_staff=OK, unit_contact=403, leadership=403),
    ),
    (
        Page("rectification:assessment_detail", ("assessment",)),
        expect(404, office_staff=200, leadership=200),
    ),
    (
        post("rectification:assessment_action", "assessment", "=verdict"),
        expect(404, office_staff=OK, leadership=OK),
    ),
    (
        Page("rectification:survey_answer", ("survey",)),
        expect(200, anonymous=200),
    ),  # the public's link
    (Page("rectification:recommendation_create"), expect(404, office_staff=200)),
    (
        Page("rectification:recommendation_detail", ("recommendation",)),
        expect(404, office_staff=200, leadership=200, receiving_department=200),
    ),
    (
        Page("rectification:recommendation_detail", ("other_recommendation",)),
        expect(404, office_staff=200, leadership=200),
    ),
    (
        post("rectification:recommendation_step", "recommendation"),
        expect(404, office_staff=OK, leadership=OK, receiving_department=OK),
    ),
    # 码上巡察: the public's pages need no sign-in; the reports are the team's
    # and the office's (404 to everyone else); triage is the team's alone.
    (Page("intake:report_form", ("intake_channel",)), expect(200, anonymous=200)),
    (Page("intake:receipt"), expect(200, anonymous=200)),
    (Page("intake:status"), expect(200, anonymous=200)),
    (Page("intake:report_list"), expect(404, office_staff=200, team_leader=200, team_member=200)),
    (
        Page("intake:report_detail", ("intake_report",)),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        Page("intake:report_detail", ("other_intake_report",), "report_detail[other team]"),
        expect(404, office_staff=200),
    ),
    (
        Page("intake:report_file", ("intake_report", "intake_file")),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        post("intake:report_action", "intake_report", "=outside"),
        expect(404, office_staff=403, team_leader=OK, team_member=OK),
    ),
    # 测评问卷: the office's working file.
    (Page("rectification:questionnaire_list"), expect(404, office_staff=200)),
    (
        Page("rectification:questionnaire_detail", ("questionnaire",)),
        expect(404, office_staff=200),
    ),
    (
        post("rectification:questionnaire_action", "questionnaire", "=aspect"),
        expect(404, office_staff=OK),
    ),
    (post("reports:job_create"), expect(400)),  # no document named
    (Page("reports:job_detail", ("report_job",)), expect(404, office_staff=200)),
    (Page("reports:job_download", ("report_job",)), expect(404)),
    (
        Page("rounds:round_detail", ("round",)),
        expect(404, office_staff=200, team_leader=200, team_member=200, leadership=200),
    ),
    (
        post("rounds:round_advance", "round"),
        expect(404, office_staff=OK, team_leader=403, team_member=403, leadership=403),
    ),
    # The round's 巡察报告报送期限 is the office's (the others who see the round: 403).
    (
        post("rounds:round_report_due", "round"),
        expect(404, office_staff=OK, team_leader=403, team_member=403, leadership=403),
    ),
    (
        post("rounds:team_create", "round"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK, leadership=OK),
    ),
    (
        Page("rounds:team_detail", ("team",)),
        expect(404, office_staff=200, team_leader=200, team_member=200, leadership=200),
    ),
    (Page("rounds:team_detail", ("other_team",)), expect(404, office_staff=200, leadership=200)),
    (
        post("rounds:team_add_member", "team"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK, leadership=OK),
    ),
    (post("rounds:team_remove_member", "team", "membership"), expect(404, office_staff=OK)),
    (Page("rounds:commitments", ("team",)), expect(404, team_leader=200, team_member=200)),
    (post("rounds:commitment_sign", "team"), expect(404, team_leader=OK, team_member=OK)),
    (
        post("rounds:target_add", "team"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK, leadership=OK),
    ),
    (
        Page("rounds:worklog_list", ("team",)),
        expect(404, office_staff=200, team_leader=200, team_member=200, leadership=200),
    ),
    (
        Page("rounds:worklog_form", ("team",)),
        expect(404, office_staff=403, team_leader=200, team_member=403, leadership=403),
    ),
    (
        Page("rounds:target_detail", ("target",)),
        expect(404, office_staff=200, team_leader=200, team_member=200, leadership=200),
    ),
    (
        Page("rounds:target_detail", ("other_target",)),
        expect(404, office_staff=200, leadership=200),
    ),
    (
        post("rounds:target_dates", "target"),
        expect(404, office_staff=OK, team_leader=403, team_member=403, leadership=403),
    ),
    (
        post("rounds:target_feedback", "target"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK, leadership=OK),
    ),
    # The team's 巡察情况报告: handed in by the leader (the empty POST is refused
    # with a message for the team and the office alike), read by the team and the
    # office; not the unit or leadership; another team's: 404.
    (
        Page("rounds:team_report_submit", ("target",), "POST team_report_submit[own]", "post"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK),
    ),
    (
        Page(
            "rounds:team_report_submit", ("other_target",), "POST team_report_submit[other]", "post"
        ),
        expect(404, office_staff=OK),
    ),
    (
        Page("rounds:team_report_file", ("target", "team_report"), "team_report_file[own]"),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        Page(
            "rounds:team_report_file",
            ("other_target", "other_team_report"),
            "team_report_file[other]",
        ),
        expect(404, office_staff=200),
    ),
    (
        Page(
            "rounds:team_report_file",
            ("target", "other_team_report"),
            "team_report_file[other report, own target]",
        ),
        expect(404),
    ),
    (
        Page("rounds:problem_create", ("target",)),
        expect(404, office_staff=403, team_leader=200, team_member=200, leadership=403),
    ),
    (
        Page("rounds:problem_detail", ("problem",)),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (Page("rounds:problem_detail", ("other_problem",)), expect(404, office_staff=200)),
    (
        Page("rounds:problem_edit", ("problem",)),
        expect(404, office_staff=403, team_leader=200, team_member=200),
    ),
    (
        post("rounds:problem_transition", "problem"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK),
    ),
    (
        post("rounds:problem_attach", "problem"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK),
    ),
    (
        Page("rounds:problem_attachment", ("problem", "attachment")),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        Page("rounds:weekly_summary_detail", ("weekly_summary",)),
        expect(404, office_staff=200, leadership=200),
    ),
    (post("rounds:weekly_summary_run"), expect(404, office_staff=OK, leadership=OK)),
    # The on-site checklist: the office defines it; the team and the office tick
    # it at the team's own targets (another team's target: 404).
    (Page("checklist:item_list"), expect(404, office_staff=200)),
    (post("checklist:item_create"), expect(404, office_staff=OK)),
    (post("checklist:item_toggle", "checklist_item"), expect(404, office_staff=OK)),
    (
        Page("checklist:target", ("target",), "checklist_target[own]"),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        Page("checklist:target", ("other_target",), "checklist_target[other]"),
        expect(404, office_staff=200),
    ),
    (
        Page("checklist:tick", ("target", "checklist_item"), "POST tick[own]", "post"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK),
    ),
    (
        Page("checklist:tick", ("other_target", "checklist_item"), "POST tick[other]", "post"),
        expect(404, office_staff=OK),
    ),
    (
        Page("checklist:tick_file", ("tick",), "tick_file[own]"),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        Page("checklist:tick_file", ("other_tick",), "tick_file[other]"),
        expect(404, office_staff=200),
    ),
    # Only the office may withdraw another team's tick (the first allowed POST removes it).
    (post("checklist:untick", "other_tick"), expect(404, office_staff=OK)),
    # 量化考评: beside the dashboard, for the office and leadership; the office sets
    # weights and remarks (leadership sees them: 403 on the step).
    (Page("evaluation:index"), expect(404, office_staff=200, leadership=200)),
    (Page("evaluation:round", ("round",)), expect(404, office_staff=200, leadership=200)),
    (Page("evaluation:round_export", ("round",)), expect(404, office_staff=200, leadership=200)),
    (post("evaluation:team_remark", "team"), expect(404, office_staff=OK, leadership=403)),
    (post("evaluation:weights", "=team"), expect(404, office_staff=OK, leadership=403)),
    (post("evaluation:weights", "=nonsense"), expect(404)),
    (Page("evaluation:districts"), expect(404, office_staff=200, leadership=200)),
    (Page("evaluation:districts_export"), expect(404, office_staff=200, leadership=200)),
    (post("evaluation:district_remark", "=999999"), expect(404)),
    # 巡察档案: the office's page, but packages only for its clue officers (the
    # matrix's plain office user sees an empty page; the rounds world's office
    # user holds the clue permission).
    (Page("archive:index"), expect(404, office_staff=200)),
    (post("archive:create", "round"), expect(404, office_staff=OK)),
    (Page("archive:detail", ("archive",)), expect(404, office_staff=200)),
    (Page("archive:download", ("archive",)), expect(404, office_staff=200)),
    # 大数据比对: the round's teams and the office only; everyone else 404, leadership
    # included (lists of named people, not figures). Adding a rule is the office's.
    (Page("crosscheck:index"), expect(404, office_staff=200, team_leader=200, team_member=200)),
    *[
        (Page(name, ("round",)), expect(404, office_staff=200, team_leader=200, team_member=200))
        for name in (
            "crosscheck:round_home",
            "crosscheck:source_upload",
            "crosscheck:hit_list",
            # The round page's recent runs, polled while one is queued or running.
            "crosscheck:run_status",
        )
    ],
    (
        Page("crosscheck:rule_create", ("round",)),
        expect(404, office_staff=200, team_leader=403, team_member=403),
    ),
    (
        post("crosscheck:rule_run", "round"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK),
    ),
    # The list made from the cadre pool (relatives, work history) is the office's, as the pool is.
    (
        post("crosscheck:source_from_held", "round"),
        expect(404, office_staff=OK, team_leader=403, team_member=403),
    ),
    *[
        (
            Page(name, ("cc_source",)),
            expect(404, office_staff=200, team_leader=200, team_member=200),
        )
        for name in ("crosscheck:source_detail", "crosscheck:source_rows")
    ],
    (
        post("crosscheck:source_map", "cc_source"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK),
    ),
    (
        Page("crosscheck:hit_detail", ("cc_hit",)),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    (
        post("crosscheck:hit_review", "cc_hit"),
        expect(404, office_staff=OK, team_leader=OK, team_member=OK),
    ),
    # Another team's list and hit (DOMAIN: a team sees only its own targets).
    (
        Page("crosscheck:source_detail", ("cc_other_source",), "source_detail[other team]"),
        expect(404, office_staff=200),
    ),
    (
        Page("crosscheck:hit_detail", ("cc_other_hit",), "hit_detail[other team]"),
        expect(404, office_staff=200),
    ),
    (
        Page("crosscheck:hit_review", ("cc_other_hit",), "POST hit_review[other team]", "post"),
        expect(404, office_staff=OK),
    ),
    # Giving a hit to a target is the office's; the hit's team sees it (403).
    (
        post("crosscheck:hit_assign", "cc_hit"),
        expect(404, office_staff=OK, team_leader=403, team_member=403),
    ),
    (
        Page("crosscheck:hit_assign", ("cc_other_hit",), "POST hit_assign[other team]", "post"),
        expect(404, office_staff=OK),
    ),
    # On-site records (issue 15): the team's signed members write them, the office
    # that runs the round reads them; everyone else, and another team, gets a 404.
    (
        Page("fieldwork:field_home"),
        expect(404, office_staff=200, team_leader=200, team_member=200),
    ),
    *[
        (
            Page(name, args),
            expect(404, office_staff=200, team_leader=200, team_member=200),
        )
        for name, args in (
            ("fieldwork:team_records", ("team",)),
            ("fieldwork:record_list", ("team", "=interview")),
            ("fieldwork:record_detail", ("=interview", "interview")),
            ("fieldwork:record_file", ("=interview", "interview", "record_file")),
        )
    ],
    (
        Page("fieldwork:team_records", ("other_team",), "team_records[other]"),
        expect(404, office_staff=200),
    ),
    (
        Page("fieldwork:record_detail", ("=interview", "other_interview"), "record_detail[other]"),
        expect(404, office_staff=200),
    ),
    (
        Page("fieldwork:record_create", ("team", "=interview")),
        expect(404, office_staff=403, team_leader=200, team_member=200),
    ),
    (
        Page("fieldwork:record_edit", ("=interview", "interview")),
        expect(404, office_staff=403, team_leader=200, team_member=200),
    ),
    (
        post("fieldwork:record_attach", "=interview", "interview"),
        expect(404, office_staff=403, team_leader=OK, team_member=OK),
    ),
    # Packages, returns and laptops: the office's alone.
    (Page("fieldwork:package_list", ("team",)), expect(404, office_staff=200)),
    (post("fieldwork:package_export", "team"), expect(404, office_staff=OK)),
    (post("fieldwork:return_import", "team"), expect(404, office_staff=OK)),
    (post("fieldwork:laptop_return", "team"), expect(404, office_staff=OK)),
    # The 领取单 of field credentials: the exporter alone, once (another office
    # colleague's 404 is in test_fieldwork_credentials).
    (post("fieldwork:handout_download", "handout"), expect(404, office_staff=OK)),
]


# Objects of the rounds world (test_clues_pages' cast: a round on site with
# two teams whose members signed their commitments) and of the rectification
# world (rect_fixtures: two fed-back units with accepted plans).
ROUNDS_OBJECTS = {
    "round", "team", "other_team", "membership", "target", "other_target", "problem",
    "other_problem", "attachment", "clue", "other_clue", "clue_file", "interview",
    "other_interview", "record_file", "intake_channel", "intake_report",
    "other_intake_report", "intake_file", "handout", "team_report", "other_team_report",
}  # fmt: skip
CHECKLIST_OBJECTS = {"checklist_item", "tick", "other_tick", "archive"}
RECT_OBJECTS = {
    "plan", "other_plan", "item", "other_item", "evidence", "rect_target", "assessment",
    "recommendation", "other_recommendation", "survey", "questionnaire",
}  # fmt: skip
OWN_OBJECTS = {"import_job", "report_job", "weekly_summary"}
CROSSCHECK_OBJECTS = {"cc_source", "cc_hit", "cc_other_source", "cc_other_hit"}


def _rounds_world(objects: dict, people: dict) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rounds.models import Membership
    from rounds.services import problem_attach, team_report_submit
    from tests import test_clues_pages as clue_pages
    from tests.files import minimal_pdf
    from tests.rounds_factories import ProblemFactory

    w = clue_pages.build_world()
    problem = ProblemFactory(target=w.target, found_by=w.member)
    clue = clue_pages.draft(w)
    other_clue = clue_pages.services.clue_create(
        target=w.other_target, user=w.other_member, person_name="李四", person_position="处长",
        person_rank=clue.person_rank, person_is_top_leader=False, discipline=clue.discipline,
        source="interview", confidentiality=clue.confidentiality, summary="另一组的线索。",
        department=w.department, urgent=False,
    )  # fmt: skip
    objects.update(
        round=w.target.round,
        team=w.target.team,
        other_team=w.other_target.team,
        membership=Membership.objects.get(team=w.target.team, cadre__user=w.member),
        target=w.target,
        other_target=w.other_target,
        problem=problem,
        other_problem=ProblemFactory(target=w.other_target, found_by=w.other_member),
        attachment=problem_attach(
            problem=problem,
            upload=SimpleUploadedFile("附件.pdf", minimal_pdf(b"a")),
            user=w.member,
        ),
        clue=clue,
        other_clue=other_clue,
        clue_file=clue_pages.attach(w, clue),
        team_report=team_report_submit(
            target=w.target,
            upload=SimpleUploadedFile("巡察情况报告.pdf", minimal_pdf(b"r")),
            user=w.leader,
        ),
        other_team_report=team_report_submit(
            target=w.other_target,
            upload=SimpleUploadedFile("巡察情况报告.pdf", minimal_pdf(b"o")),
            user=w.other_leader,
        ),
        **_field_records(w),
        handout=_handout(w),
        **_intake_objects(w),
    )
    people.update(
        office_staff=w.officer,
        leadership=w.leadership,
        team_leader=w.leader,
        team_member=w.member,
        unit_contact=w.contact,
        receiving_department=w.dept_user,
    )


def _checklist_world(objects: dict, people: dict) -> None:
    """A checklist step of the rounds world's round, ticked with a file at both
    targets, and a finished archive package of the round."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.models import RoundArchive
    from checklist import services as checklist
    from tests.files import minimal_pdf
    from tests.rounds_factories import round_kind

    round_, office = objects["round"], people["office_staff"]
    item = checklist.item_create(
        office=round_.office, kind=round_kind("regular"), section="procedure",
        name="发布巡察公告", evidence="document", user=office,
    )  # fmt: skip

    def tick(target):
        upload = SimpleUploadedFile("公告.pdf", minimal_pdf(b"notice"))
        return checklist.tick(target=target, item=item, user=office, upload=upload)

    archive = RoundArchive.objects.create(
        round=round_, requested_by=office, status=RoundArchive.Status.DONE, filename="a.zip"
    )
    archive.file.save("a.zip", ContentFile(b"PK"), save=True)
    objects.update(
        checklist_item=item,
        tick=tick(objects["target"]),
        other_tick=tick(objects["other_target"]),
        archive=archive,
    )


def _crosscheck_world(objects: dict, people: dict) -> None:
    """Two lists of the rounds world's round and a hit between them."""
    from crosscheck.models import Hit, Rule
    from tests.crosscheck_fixtures import load_list, rule_run_now

    round_, officer = objects["round"], people["office_staff"]
    # One relief list for each team's target: each team's own list and hit.
    relief = load_list(round_, officer, "relief", target=objects["target"])
    other_relief = load_list(round_, officer, "relief", target=objects["other_target"])
    load_list(round_, officer, "assets")
    rule_run_now(user=officer, round_=round_, rule=Rule.objects.get(code="relief-assets"))
    objects.update(
        cc_source=relief,
        cc_other_source=other_relief,
        cc_hit=Hit.objects.get(round=round_, target=objects["target"]),
        cc_other_hit=Hit.objects.get(round=round_, target=objects["other_target"]),
    )


def _field_records(w) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from fieldwork.services.records import attachment_add, record_create
    from tests.files import minimal_pdf

    def interview(target, user):
        return record_create(
            kind="interview", team=target.team, user=user, target=target, person_name="王某",
            held_on=timezone.localdate(), interviewers="组员", summary="谈话要点。",
        )  # fmt: skip

    record = interview(w.target, w.member)
    upload = SimpleUploadedFile("谈话笔录.pdf", minimal_pdf(b"n"))
    return {
        "interview": record,
        "other_interview": interview(w.other_target, w.other_member),
        "record_file": attachment_add(record=record, upload=upload, user=w.member),
    }


def _handout(w):
    """A 领取单 waiting for the office person who exported the team's package."""
    from fieldwork.credentials import FieldCredential, seal_credentials
    from fieldwork.models import FieldPackage, HandoutSheet

    package = FieldPackage.objects.create(
        team=w.target.team, field_public_key=b"0" * 32, sha256="0" * 64, created_by=w.officer
    )
    credential = FieldCredential(
        username=w.member.username, full_name="甲组员", password="ABCD-EFGH-JKMN-PQRS",
        totp_key="00" * 20,
    )  # fmt: skip
    return HandoutSheet.objects.create(
        package=package,
        issued_to=w.officer,
        sealed=seal_credentials(str(package.package_id), [credential]),
    )


def _intake_objects(w) -> dict:
    from intake.models import ReportFile
    from intake.services import channel_for, report_submit
    from tests.intake_fixtures import noise_png

    channel = channel_for(target=w.target, user=w.officer)
    report = report_submit(channel=channel, text="反映某科长违规收受礼品。").report
    other_channel = channel_for(target=w.other_target, user=w.officer)
    other = report_submit(channel=other_channel, text="反映另一单位的问题。").report
    report_file = ReportFile(
        report=report, original_name="现场.png", content_type="image/png", size=1, sha256="0"
    )
    report_file.file.save("matrix.png", noise_png(8))
    return {
        "intake_channel": channel,
        "intake_report": report,
        "other_intake_report": other,
        "intake_file": report_file,
    }


def _rect_world(objects: dict, people: dict) -> None:
    from rectification import services
    from rectification.models import Evidence
    from rectification.services.assessment import assessment_open, survey_links_create
    from tests.rect_fixtures import pdf_file, world

    w = world()
    services.ledger_report(
        item=w.item, user=w.contact, expected_version=0, progress=10, note="材料",
        files=[pdf_file()],
    )  # fmt: skip
    assessment = assessment_open(target=w.target, user=w.office_user)
    link = survey_links_create(
        assessment=assessment, respondent="cadre", count=1, user=w.office_user
    )[0]

    def issue(user):
        return services.recommendation_issue(
            office=w.office, department=user.department, title="建议书", content="内容",
            due=w.round.planned_end, round_=w.round, user=w.office_user,
        )  # fmt: skip

    objects.update(
        plan=w.plan,
        other_plan=w.other_plan,
        item=w.item,
        other_item=w.other_item,
        evidence=Evidence.objects.get(item=w.item),
        rect_target=w.target,
        assessment=assessment,
        recommendation=issue(w.discipline),
        other_recommendation=issue(w.other_dept),
        survey=link,
        questionnaire=services.questionnaire_create(
            office=w.office, name="矩阵问卷", user=w.office_user
        ),
    )
    people.update(
        office_staff=w.office_user,
        leadership=w.leadership,
        unit_contact=w.contact,
        receiving_department=w.discipline,
    )


def _own_objects(objects: dict, people: dict) -> None:
    """Jobs belong to their requester: the office person of the row."""
    from rounds.models import WeeklySummary
    from tests.rounds_factories import RoundFactory
    from xuncha.imports.models import ImportJob
    from xuncha.reports.models import ReportJob

    office_user = make_user(Role.OFFICE, username="job-owner")
    people["office_staff"] = office_user
    objects.update(
        import_job=ImportJob.objects.create(owner=office_user, kind="problems", rows=0),
        report_job=ReportJob.objects.create(
            owner=office_user, kind="rounds.feedback", params={}, params_hash="x" * 64
        ),
        weekly_summary=WeeklySummary.objects.create(
            round=RoundFactory(office=office_user.office),
            week_start=datetime.date(2025, 3, 3),
            data={},
        ),
    )


@pytest.fixture
def objects(db):
    """What the URLs point at: the unit contact's own organization, another one, a cadre."""
    own_org = OrganizationFactory(name="本单位党委")
    other_org = OrganizationFactory(name="其他单位党委")
    unit_contact = make_user(Role.UNIT_CONTACT, organization=own_org, username="matrix-unit")
    return {
        "own_org": own_org,
        "other_org": other_org,
        "cadre": CadreFactory(organization=other_org),
        "unit_contact_user": unit_contact,
    }


def _url_arg(objects: dict, name: str):
    if name.startswith("="):
        return name[1:]
    if name in ("survey", "intake_channel"):
        return objects[name].token
    if name in ("interview", "other_interview", "record_file"):
        return objects[name].uuid
    if name == "handout":
        return objects[name].package.package_id
    return objects[name].pk


def _outcome_matches(response, outcome) -> bool:
    if outcome in (LOGIN, ADMIN_LOGIN):
        login = reverse("accounts:login" if outcome == LOGIN else "admin:login")
        return response.status_code == 302 and urlsplit(response["Location"]).path == login
    if outcome == OK:
        return response.status_code in (200, 302, 400)
    return response.status_code == outcome


@pytest.mark.parametrize(("page", "expected"), MATRIX, ids=[str(page) for page, _ in MATRIX])
def test_permission_matrix(client, objects, page, expected):
    people: dict = {"unit_contact": objects["unit_contact_user"]}
    needed = set(page.args)
    if needed & (ROUNDS_OBJECTS | CHECKLIST_OBJECTS | CROSSCHECK_OBJECTS):
        _rounds_world(objects, people)
    if needed & CHECKLIST_OBJECTS:
        _checklist_world(objects, people)
    if needed & CROSSCHECK_OBJECTS:
        _crosscheck_world(objects, people)
    if needed & RECT_OBJECTS:
        _rect_world(objects, people)
    if needed & OWN_OBJECTS:
        _own_objects(objects, people)
    url = reverse(page.url_name, args=[_url_arg(objects, name) for name in page.args])
    wrong = []
    for who, outcome in expected.items():
        client.logout()
        if who != "anonymous":
            user = people.get(who) or make_user(Role(who), username=f"matrix-{who}")
            client.force_login(user)
        response = client.post(url) if page.method == "post" else client.get(url)
        if response.streaming:
            # Read to the end: the test client then closes the file. (Calling
            # close() here would also close the test's database connection.)
            b"".join(response.streaming_content)
        if not _outcome_matches(response, outcome):
            wrong.append(f"{who}: {response.status_code}, expected {outcome}")
    assert not wrong, f"{page.method.upper()} {url}: " + "; ".join(wrong)


# URL names that are not pages of the app: Django's language switch (a POST
# to set a cookie, open to all by design).
NOT_IN_MATRIX = {"set_language"}


def _url_names(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _url_names(pattern.url_patterns, joined)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_name_has_a_row():
    """Every named URL of the resolver (the admin site aside: its own rows
    above cover the models the office uses) is in the matrix."""
    names = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if not name.startswith(("admin:", "djdt:")) and name not in NOT_IN_MATRIX
    }
    covered = {page.url_name for page, _ in MATRIX}
    assert sorted(names - covered) == []


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
    "大数据比对",
    "现场记录",
    "码上巡察",
    "问题线索",
    "整改方案",
    "整改台账",
    "巡察建议书",
    "测评问卷",
    "领导驾驶舱",
    "量化考评",
    "现场清单",
    "巡察档案",
    "数据导入",
    "我的报表",
    "数据维护",
}
NAV_BY_ROLE = {
    Role.OFFICE: OFFICE_NAV,
    Role.TEAM_LEADER: {
        "首页",
        "巡察轮次",
        "巡察对象",
        "发现问题",
        "大数据比对",
        "现场记录",
        "码上巡察",
        "问题线索",
    },
    Role.TEAM_MEMBER: {
        "首页",
        "巡察轮次",
        "巡察对象",
        "发现问题",
        "大数据比对",
        "现场记录",
        "码上巡察",
        "问题线索",
    },
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
        "量化考评",
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

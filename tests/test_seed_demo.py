"""``manage.py seed_demo``: a believable demo city, built the same way every time.

Seeding takes seconds, so the tests share one seeded city per class
(``demo_city``, seeded from an empty database and rolled back after the class);
each test still runs in its own savepoint, seeding again in one of them.
"""

import datetime
import hashlib
import io
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from clues.access import is_clue_officer
from clues.models import (
    Clue,
    ClueFile,
    ClueGroupObjectPermission,
    ClueReminder,
    Disposition,
    DispositionPerson,
)
from clues.selectors import clue_list, outcome_people_counts
from crosscheck.models import Hit, Row, RuleRun, Source
from demo.context import DemoContext
from demo.orgs import CITY_OFFICE, organization_plan
from demo.rounds import find_round
from intake.models import Channel, Report, ReportFile
from rectification.models import (
    Accountability,
    Assessment,
    Evidence,
    FollowUp,
    Item,
    ItemReminder,
    LedgerEntry,
    Plan,
    Questionnaire,
    Recommendation,
    RecommendationEntry,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
)
from rectification.selectors import colour_q, item_list
from rounds.models import (
    Commitment,
    Membership,
    Problem,
    Round,
    Target,
    TargetUserObjectPermission,
    Team,
    WeeklySummary,
    WorkLog,
)
from rounds.selectors import problem_list, target_list
from rounds.services import round_missing_for_next
from rounds.services.worklogs import team_missing_days
from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_SITE_ROLES, Role
from xuncha.audit.models import AuditEntry
from xuncha.audit.services import verify_chain
from xuncha.notifications.models import Notification
from xuncha.orgs.models import (
    Cadre,
    CadreRelation,
    CadreWorkHistory,
    ConflictDeclaration,
    Department,
    Office,
    Organization,
    Region,
    Specialty,
)

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "Xuncha-demo-2026"
DEMO_ROLES = {
    "office": Role.OFFICE,
    "leader": Role.TEAM_LEADER,
    "member": Role.TEAM_MEMBER,
    "unit": Role.UNIT_CONTACT,
    "leadership": Role.LEADERSHIP,
    "jiwei": Role.DEPARTMENT,
    "sysadmin": Role.SYSADMIN,
    "secadmin": Role.SECURITY_OFFICER,
    "auditor": Role.AUDITOR,
}
COUNTED = [
    Region,
    Office,
    Department,
    Organization,
    Specialty,
    Cadre,
    CadreRelation,
    CadreWorkHistory,
    ConflictDeclaration,
    User,
    User.groups.through,
    User.user_permissions.through,
    AuditEntry,
    Round,
    Team,
    Target,
    Membership,
    Commitment,
    TargetUserObjectPermission,
    WorkLog,
    WeeklySummary,
    Problem,
    Clue,
    ClueFile,
    Disposition,
    ClueGroupObjectPermission,
    ClueReminder,
    Plan,
    Item,
    LedgerEntry,
    Evidence,
    FollowUp,
    ItemReminder,
    Assessment,
    SurveyLink,
    Accountability,
    Recommendation,
    RecommendationEntry,
    Notification,
    Source,
    Row,
    RuleRun,
    Hit,
    Channel,
    Report,
    ReportFile,
    Questionnaire,
    SurveyResponse,
    SurveyAnswer,
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="class")
def demo_city(django_db_setup, django_db_blocker):
    """One seeded city for a class of tests that only read it."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_city, db):
    """The class's seeded city, inside this test's savepoint."""


def test_the_names_come_out_the_same_on_every_run():
    first = organization_plan(DemoContext.start())
    second = organization_plan(DemoContext.start())
    assert first == second
    assert len({spec.leader_name for spec in first}) == len(first)


@pytest.mark.usefixtures("seeded")
class TestTheDemoCity:
    """The seeded city: its map, its people and the work in progress."""

    def test_seeding_again_changes_nothing_and_only_the_first_run_is_audited(self):
        # The class's city was seeded from an empty database: that is the first
        # run; this test is the second (seeding is the slowest step of make test).
        after_first = row_counts()
        names_after_first = list(Organization.objects.values_list("code", "name", "leader_name"))
        assert AuditEntry.objects.filter(action="organization.bulk_create").get().data == {
            "count": Organization.objects.count()
        }
        assert AuditEntry.objects.filter(action="demo.seed").get().data["cadres"] == 64
        entries = AuditEntry.objects.count()

        output = seed()
        assert row_counts() == after_first
        assert list(Organization.objects.values_list("code", "name", "leader_name")) == (
            names_after_first
        )
        assert "本次新建 0 条记录" in output
        assert AuditEntry.objects.count() == entries
        assert verify_chain() == (entries, None)

    def test_the_city_has_organizations_of_every_sector_level_and_kind(self):
        assert Organization.objects.count() >= 300
        for field, choices in [
            ("sector", Organization.Sector),
            ("level", Organization.Level),
            ("kind", Organization.Kind),
        ]:
            present = set(Organization.objects.values_list(field, flat=True))
            assert present == set(choices.values), field
        assert not Organization.objects.filter(leader_name="").exists()
        assert not Organization.objects.filter(level="city").exclude(region=None).exists()

    def test_villages_hang_under_a_township_of_their_own_region(self):
        villages = Organization.objects.filter(level=Organization.Level.VILLAGE)
        assert villages.count() >= 200
        for village in villages.select_related("parent"):
            assert village.parent.level == Organization.Level.TOWNSHIP
            assert village.parent.region_id == village.region_id
            assert village.code.startswith(village.parent.code + "-V")

    def test_every_region_has_its_own_office_under_the_city_office(self):
        assert Region.objects.count() == 10
        assert Office.objects.get(name=CITY_OFFICE).level == Office.Level.CITY
        assert Office.objects.filter(level=Office.Level.DISTRICT).count() == Region.objects.count()
        assert Office.objects.get(region__name="市南区").name == "市南区委巡察办"

    def test_the_receiving_departments_include_discipline_and_organization(self):
        kinds = set(Department.objects.values_list("kind", flat=True))
        assert kinds == set(Department.Kind.values)
        jiwei = Department.objects.get(name="市纪委监委")
        assert jiwei.kind == Department.Kind.DISCIPLINE
        assert jiwei.group.name == f"dept:{jiwei.code}"

    def test_the_cadre_pool_has_leaders_talent_and_recusal_grounds(self):
        assert Cadre.objects.count() >= 60
        leaders = Cadre.objects.filter(in_leader_pool=True)
        assert 12 <= leaders.count() <= 20
        assert set(leaders.values_list("rank", flat=True)) == {Cadre.Rank.DEPARTMENT}
        assert Cadre.objects.filter(in_leader_pool=False, in_talent_pool=True).count() == (
            Cadre.objects.count() - leaders.count()
        )
        assert not Cadre.objects.exclude(organization__level=Organization.Level.CITY).exists()
        assert set(Specialty.objects.values_list("name", flat=True)) >= {
            "党务", "财务", "审计", "法律", "工程", "农村工作",
        }  # fmt: skip
        assert not Cadre.objects.filter(specialties=None).exists()
        assert CadreRelation.objects.filter(relation="spouse").exclude(organization=None).exists()
        assert CadreWorkHistory.objects.exists()
        assert ConflictDeclaration.objects.count() >= 2

    def test_demo_rows_pass_model_validation(self):
        for organization in Organization.objects.all():
            organization.full_clean()
        for cadre in Cadre.objects.all():
            cadre.full_clean()

    @pytest.mark.parametrize(("username", "role"), DEMO_ROLES.items())
    def test_each_demo_user_has_one_role_and_logs_in_with_the_demo_password(
        self, client, username, role
    ):
        user = User.objects.get(username=username)
        assert user.roles == {role}
        assert user.full_name
        assert user.is_staff == (role in ADMIN_SITE_ROLES)
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302
        assert "_auth_user_id" in client.session

    def test_demo_users_are_linked_to_what_their_role_works_for(self):
        users = {user.username: user for user in User.objects.all()}
        assert users["office"].office.name == CITY_OFFICE
        assert users["leadership"].office.name == CITY_OFFICE
        assert users["unit"].organization.name == "市市场监督管理局党组"
        jiwei = users["jiwei"]
        assert jiwei.department.name == "市纪委监委"
        assert jiwei.groups.filter(pk=jiwei.department.group_id).exists()
        assert users["leader"].cadre.in_leader_pool
        assert users["leader"].full_name == users["leader"].cadre.name
        assert users["member"].cadre.in_talent_pool
        assert not users["member"].cadre.in_leader_pool

    def test_reseeding_restores_the_demo_role_and_password(self):
        user = User.objects.get(username="unit")
        user.groups.add(Group.objects.get(name=Role.OFFICE))
        user.set_password("Something-else-2026")
        user.save()
        with override_settings(DEMO_PASSWORD="Another-demo-2027"):
            seed()
        user = User.objects.get(username="unit")
        assert user.roles == {Role.UNIT_CONTACT}
        assert user.check_password("Another-demo-2027")
        # The nine demo accounts and `unitleader`, the demo unit's top leader.
        assert AuditEntry.objects.filter(action="demo.seed").latest("id").data == {
            "password_resets": 10
        }

    # --- Rounds --------------------------------------------------------------

    def test_the_public_reported_through_the_qr_code_in_every_triage_state(self):
        from intake.models import PublicStatus
        from xuncha.reports.models import ReportJob

        reports = Report.objects.select_related("problem", "clue", "duplicate_of")
        assert set(reports.values_list("state", flat=True)) == set(Report.State.values)
        assert {r.public_status() for r in reports} == set(PublicStatus.values)
        assert ReportFile.objects.exists()
        member = User.objects.get(username="member")
        assert all(r.target.team.memberships.filter(cadre__user=member).exists() for r in reports)
        posters = ReportJob.objects.filter(kind="intake.poster", status="done")
        assert {job.params["purpose"] for job in posters} == {"report", "survey"}

    def test_a_questionnaire_was_filled_in_by_cadres_and_the_public(self):
        from rectification.selectors import questionnaire_figures

        assessment = Assessment.objects.exclude(questionnaire=None).get()
        figures = questionnaire_figures(assessment)
        assert [r["count"] for r in figures["responses"]] == [10, 24]
        assert figures["grade"] in {"优秀", "较好", "一般", "差"} and figures["score"] is not None
        assert assessment.survey_open

    def test_two_terms_of_rounds_cover_every_status_and_kind(self):
        assert set(Round.objects.values_list("status", flat=True)) == set(Round.Status.values)
        assert set(Round.objects.values_list("term", flat=True)) == {12, 13}
        assert set(Round.objects.filter(term=12).values_list("status", flat=True)) == {
            Round.Status.ARCHIVED
        }
        kinds = set(Round.objects.values_list("kinds__code", flat=True))
        assert kinds >= {"regular", "special", "elevated", "cross", "extended"}
        assert set(Round.objects.exclude(theme="").values_list("theme", flat=True)) >= {"乡村振兴"}
        cross = Round.objects.get(kinds__code="cross")
        assert not cross.office.is_city
        assert not cross.targets.filter(organization__region=cross.office.region).exists()

    def test_teams_have_a_leader_deputies_and_members_who_signed(self):
        teams = Team.objects.exclude(
            round__status__in=[Round.Status.PLANNED, Round.Status.PREPARING]
        ).prefetch_related("memberships")
        assert teams.count() >= 10
        for team in teams:
            roles = [m.role for m in team.memberships.all()]
            assert 5 <= len(roles) <= 7, team
            assert roles.count(Membership.Role.LEADER) == 1
            assert 1 <= roles.count(Membership.Role.DEPUTY) <= 2
            assert all(m.has_signed_all for m in team.memberships.all())
        preparing = Round.objects.get(status=Round.Status.PREPARING)
        missing = round_missing_for_next(preparing)
        assert len(missing) == 1 and "尚未签署三项承诺" in missing[0]

    def test_leader_and_member_work_on_site_in_the_same_team(self):
        leader, member = User.objects.get(username="leader"), User.objects.get(username="member")
        leads = Membership.objects.filter(
            cadre__user=leader, round__status=Round.Status.ON_SITE, role=Membership.Role.LEADER
        )
        assert leads.count() == 1  # one team on site at a time, never a second by lot
        led = leads.get()
        assert Membership.objects.filter(team=led.team, cadre__user=member).exists()
        own_targets = set(led.team.targets.values_list("pk", flat=True))
        assert set(target_list(user=member).filter(round=led.round).values_list("pk", flat=True))
        assert own_targets == set(
            target_list(user=member).filter(round=led.round).values_list("pk", flat=True)
        )
        assert TargetUserObjectPermission.objects.filter(
            user=member, content_object__in=own_targets
        ).count() == len(own_targets)

    def test_a_few_hundred_problems_in_every_status_source_and_severity(self):
        assert 180 <= Problem.objects.count() <= 400
        for field, choices in [
            ("status", Problem.Status),
            ("source", Problem.Source),
            ("severity", Problem.Severity),
        ]:
            assert set(Problem.objects.values_list(field, flat=True)) == set(choices.values)
        assert Problem.objects.filter(immediate_fix=True).count() >= 10
        groups = {code[0] for code in Problem.objects.values_list("category__code", flat=True)}
        assert groups == {"A", "B", "C", "D"}
        assert not Problem.objects.filter(found_on__gt=timezone.localdate()).exists()
        assert AuditEntry.objects.filter(action="problem.team_return").exists()

    def test_the_unit_sees_only_its_fed_back_problems(self):
        unit = User.objects.get(username="unit")
        visible = problem_list(user=unit)
        assert visible.exists()
        assert set(visible.values_list("target__organization", flat=True)) == {unit.organization_id}
        assert set(visible.values_list("status", flat=True)) == {Problem.Status.FED_BACK}

    def test_on_site_teams_filed_a_month_of_logs_with_some_days_missing(self):
        today = timezone.localdate()
        round_ = Round.objects.get(status=Round.Status.ON_SITE, office__name=CITY_OFFICE)
        entry = round_.targets.order_by("entry_date").first().entry_date
        assert entry <= today - datetime.timedelta(days=25)
        for team in round_.teams.all():
            assert team.logs.count() >= 12
            assert team_missing_days(team, entry, today - datetime.timedelta(days=1))
        summaries = WeeklySummary.objects.filter(round=round_)
        assert summaries.count() >= 3
        assert any(s.data["teams_missing_days"] for s in summaries)
        leadership = User.objects.get(username="leadership")
        assert Notification.objects.filter(recipient=leadership, url__contains="weekly").exists()

    # --- Clues ---------------------------------------------------------------

    def test_clues_are_in_every_state_of_the_handover_and_the_disposition(self):
        today = timezone.localdate()
        assert set(Clue.objects.values_list("status", flat=True)) == set(Clue.Status.values)
        received = Clue.objects.filter(status=Clue.Status.RECEIVED)
        assert Clue.objects.filter(status=Clue.Status.DRAFT).exclude(return_reason="").exists()
        assert Clue.objects.filter(urgent=True).exists()
        assert received.filter(disposition_due__lt=today).exists()  # overdue feedback
        assert received.filter(disposition_due__gte=today, dispositions__isnull=False).exists()
        assert received.filter(dispositions__is_final=True).exists()  # awaiting 销号
        reopened = AuditEntry.objects.filter(action="clue.reopen").values_list(
            "object_id", flat=True
        )
        assert received.filter(pk__in=[int(pk) for pk in reopened]).exists()
        assert set(received.values_list("department__code", flat=True)) == {"JW", "ZZB"}
        assert ClueFile.objects.exists()
        assert ClueReminder.objects.exists()

    def test_dispositions_have_outcomes_and_money_recovered(self):
        final = Disposition.objects.filter(is_final=True)
        people = DispositionPerson.objects.filter(disposition__in=final)
        assert people.exclude(party_discipline="").exists()
        assert people.exclude(government_sanction="").exists()
        assert people.filter(transferred_to_justice=True).exists()
        assert people.exclude(organizational_handling="").exists()
        # Counted in people: one case disciplines two.
        counts = outcome_people_counts(Clue.objects.all())
        assert counts["disciplined"] > final.filter(method=Disposition.Method.CASE).count()
        assert sum(d.money_recovered for d in final) > 1_000_000
        closed = Clue.objects.filter(status=Clue.Status.CLOSED)
        assert all(c.dispositions.filter(is_final=True).exists() for c in closed)

    def test_jiwei_sees_only_the_clues_its_department_received(self):
        jiwei = User.objects.get(username="jiwei")
        visible = set(clue_list(user=jiwei).values_list("pk", flat=True))
        received = set(
            Clue.objects.filter(department=jiwei.department, received_at__isnull=False).values_list(
                "pk", flat=True
            )
        )
        assert visible == received
        assert visible
        assert Clue.objects.filter(department=jiwei.department, received_at=None).exists()
        assert Clue.objects.exclude(department=jiwei.department).exists()

    def test_the_office_handles_clues_and_leadership_sees_none(self):
        office = User.objects.get(username="office")
        assert is_clue_officer(office)
        assert clue_list(user=office).count() == Clue.objects.count()
        assert not clue_list(user=User.objects.get(username="leadership")).exists()
        assert not clue_list(user=User.objects.get(username="unit")).exists()

    # --- Rectification -------------------------------------------------------

    def test_plans_and_items_are_in_every_state_and_colour(self):
        assert set(Plan.objects.values_list("status", flat=True)) == set(Plan.Status.values)
        assert set(Item.objects.values_list("state", flat=True)) == set(Item.State.values)
        assert set(Item.objects.values_list("kind", flat=True)) == set(Item.Kind.values)
        for colour in ("green", "yellow", "red"):
            assert Item.objects.filter(colour_q(colour)).exists(), colour
        assert ItemReminder.objects.values("level").distinct().count() == 3
        assert Item.objects.filter(state=Item.State.TRANSFERRED, transferred_to__code="CZJ")
        assert FollowUp.objects.filter(held=False).exists()
        assert FollowUp.objects.filter(held=True).exists()

    def test_the_units_ledger_holds_an_item_in_every_state(self):
        unit = User.objects.get(username="unit")
        items = Item.objects.filter(organization=unit.organization)
        assert set(items.values_list("state", flat=True)) == set(Item.State.values) - {
            Item.State.PLANNING
        }
        actions = set(LedgerEntry.objects.filter(item__in=items).values_list("action", flat=True))
        assert actions == set(LedgerEntry.Action.values)
        today = timezone.localdate()
        assert {item.colour(today) for item in items} >= {"green", "yellow", "red"}

    def test_the_unit_sees_only_its_own_organizations_items(self):
        unit = User.objects.get(username="unit")
        visible = item_list(user=unit)
        assert visible.count() == Item.objects.filter(organization=unit.organization).count() > 0
        assert set(visible.values_list("organization", flat=True)) == {unit.organization_id}
        assert Item.objects.exclude(organization=unit.organization).exists()

    def test_the_units_plan_is_signed_by_its_top_leader(self, client):
        unit = User.objects.get(username="unit")
        plan = Plan.objects.get(organization=unit.organization)
        assert plan.status == Plan.Status.ACCEPTED
        leader = User.objects.get(username="unitleader")
        assert plan.signed_by == leader == unit.organization.leader_user
        assert leader.roles == {Role.UNIT_CONTACT}
        assert leader.organization == unit.organization
        response = client.post(
            reverse("accounts:login"), {"username": "unitleader", "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302

    def test_evidence_files_are_real_pdfs_and_images_with_their_checksums(self):
        evidence = list(Evidence.objects.all())
        assert len(evidence) >= 10
        kinds = set()
        for row in evidence:
            with row.file.open("rb") as stored:
                content = stored.read()
            assert hashlib.sha256(content).hexdigest() == row.sha256
            assert len(content) == row.size
            if row.content_type == "image/png":
                Image.open(io.BytesIO(content)).verify()
            else:
                assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
            kinds.add(row.content_type)
        assert kinds == {"application/pdf", "image/png"}

    def test_a_finished_assessment_and_a_recommendation_with_its_ledger(self):
        finished = Assessment.objects.exclude(verdict="").get()
        assert not finished.survey_open
        assert finished.links.exclude(answered_at=None).count() >= 10
        assert Accountability.objects.filter(assessment=finished).count() == 1
        assert Assessment.objects.filter(survey_open=True).exists()
        answered = Recommendation.objects.get(department__code="CZJ")
        assert answered.status == Recommendation.Status.ANSWERED
        assert list(answered.entries.values_list("action", flat=True)) == [
            "issued",
            "received",
            "answered",
        ]

    def test_work_rows_pass_model_validation(self):
        for model in (Round, Team, Target, Problem, Clue, Plan, Item):
            for row in model.objects.all():
                row.full_clean()

    def test_teams_handed_in_their_reports_and_the_evaluation_times_them(self):
        from evaluation.figures import team_rows
        from rounds.models import TeamReport

        early = (Round.Status.PLANNED, Round.Status.PREPARING, Round.Status.ON_SITE)
        past = list(Round.objects.exclude(status__in=early))
        assert past
        for round_ in past:
            assert round_.report_due is not None
            handed_in = set(
                TeamReport.objects.filter(target__round=round_).values_list("target", flat=True)
            )
            assert handed_in == set(
                Target.objects.filter(round=round_).values_list("pk", flat=True)
            )
        figures = [row.values["report_timeliness"] for r in past for row in team_rows(r)]
        assert None not in figures
        assert any(figure < 100 for figure in figures) and any(f == 100 for f in figures)

    def test_every_crosscheck_hit_is_some_targets_lead(self):
        assert Hit.objects.filter(round=find_round(13, 4)).exists()
        assert not Hit.objects.filter(round=find_round(13, 4), target__isnull=True).exists()

    def test_crosscheck_lists_plant_hits_for_every_shipped_rule(self):
        round_ = find_round(13, 4)
        assert Source.objects.filter(round=round_, status=Source.Status.DONE).count() == 8
        counts = dict(
            Hit.objects.filter(round=round_).values_list("rule__code").annotate(n=Count("pk"))
        )
        assert counts == {
            "subsidy-cadre-enterprise": 2,
            "enterprise-undeclared": 2,
            "relief-deceased": 1,
            "relief-assets": 1,
            "relief-cadres": 1,
            "payroll-multiple": 1,
            "payroll-deceased": 1,
        }
        # The wrong check digit is reported by row, not matched.
        relief = Source.objects.get(round=round_, kind="relief")
        assert relief.bad_rows == [[3, "身份证号", "校验码错误"]]

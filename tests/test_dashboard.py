"""The leadership dashboard: each figure against a count made here, in Python,
over the same fixtures; who may open it; drill-down links; the cache; exports.

The world: a city office with three rounds (two in the 13th term, one in the
12th) and a district office with one round of its own. One organization is
inspected twice in the 13th term, one clue has two dispositions with
overlapping outcomes, and one ledger item was closed and then reopened by a
follow-up check (回头看).
"""

import datetime
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clues.models import OUTCOME_KINDS, Clue, Disposition, DispositionPerson
from portal.dashboard.cache import bring_up_to_date
from portal.dashboard.figures import Reach, Scope, compute_figures, compute_options
from portal.dashboard.presentation import load_dashboard
from rectification.models import Item, LedgerEntry, Plan
from rounds.models import Problem, ProblemCategory, Round, Target, Team
from tests.factories import (
    DepartmentFactory,
    OfficeFactory,
    OrganizationFactory,
    RegionFactory,
    make_user,
)
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Organization

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")
EXPORT_URL = reverse("dashboard:export_xlsx")
SECRET_NAME = "钱秘密"
SECRET_SUMMARY = "反映其违规收受礼金的具体情况"
Sector, Level = Organization.Sector, Organization.Level
S = Item.State


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _round(office, term, number, year, status=Round.Status.RECTIFYING):
    round_ = Round.objects.create(
        office=office,
        term=term,
        number=number,
        year=year,
        planned_start=datetime.date(year, 3, 1),
        planned_end=datetime.date(year, 5, 31),
        status=status,
    )
    return round_, Team.objects.create(round=round_, number=1)


class World:
    """Rows written directly (no services): the figures only read them."""

    def __init__(self):
        self.today = timezone.localdate()
        self.city = OfficeFactory()
        self.east = RegionFactory(name="东区")
        self.west = RegionFactory(name="西区")
        self.district_office = OfficeFactory(
            name="中共东区委巡察办", level="district", region=self.east
        )
        org = OrganizationFactory
        self.orgs = {
            "east_bureau": org(region=self.east, level=Level.COUNTY, sector=Sector.GOVERNMENT),
            "east_village": org(region=self.east, level=Level.VILLAGE, sector=Sector.VILLAGE),
            "east_closed": org(region=self.east, level=Level.VILLAGE, sector=Sector.VILLAGE),
            "west_village": org(region=self.west, level=Level.VILLAGE, sector=Sector.VILLAGE),
            "west_town": org(region=self.west, level=Level.TOWNSHIP, sector=Sector.TOWNSHIP),
            "city_firm": org(level=Level.CITY, sector=Sector.STATE_ENTERPRISE),
            "city_college": org(level=Level.CITY, sector=Sector.UNIVERSITY),
        }
        # Inactive: inspected once, but no longer counted among the organizations to cover.
        self.orgs["east_closed"].is_active = False
        self.orgs["east_closed"].save()

        self.r1, t1 = _round(self.city, 13, 1, 2024)
        self.r2, t2 = _round(self.city, 13, 2, 2025)
        self.r0, t0 = _round(self.city, 12, 1, 2020, Round.Status.ARCHIVED)
        self.rd, td = _round(self.district_office, 5, 1, 2025)
        o = self.orgs
        plan = [
            (self.r1, t1, ["east_bureau", "east_village", "city_firm", "east_closed"]),
            # east_bureau again in the same term: coverage counts it once.
            (self.r2, t2, ["east_bureau", "west_village"]),
            (self.r0, t0, ["west_town"]),
            (self.rd, td, ["east_village"]),
        ]
        self.targets = [
            Target.objects.create(round=r, team=team, organization=o[name])
            for r, team, names in plan
            for name in names
        ]
        self.by = {(t.round_id, t.organization_id): t for t in self.targets}
        self.user = make_user(Role.TEAM_MEMBER, username="finder")

        leaves = list(ProblemCategory.objects.filter(parent__isnull=False).order_by("code"))
        self.leaf_a1, self.leaf_a2 = leaves[0], leaves[1]  # both under "A"
        self.leaf_c = ProblemCategory.objects.get(code="C04")
        self.top_b = ProblemCategory.objects.get(code="B")
        P = Problem
        specs = [
            # round, organization, category, source, severity, immediate
            (self.r1, "east_bureau", self.leaf_a1, P.Source.INTERVIEW, P.Severity.GRAVE, True),
            (self.r1, "east_bureau", self.leaf_a2, P.Source.DOCUMENTS, P.Severity.MINOR, False),
            (self.r1, "east_village", self.leaf_c, P.Source.PETITION, P.Severity.SERIOUS, False),
            (self.r1, "city_firm", self.leaf_c, P.Source.DATA, P.Severity.MINOR, True),
            (self.r1, "city_firm", self.top_b, P.Source.VISIT, P.Severity.MINOR, False),
            (self.r2, "east_bureau", self.leaf_a1, P.Source.INTERVIEW, P.Severity.SERIOUS, False),
            (self.r2, "west_village", self.leaf_c, P.Source.INTERVIEW, P.Severity.GRAVE, False),
            (self.r0, "west_town", self.leaf_a1, P.Source.DOCUMENTS, P.Severity.MINOR, False),
            (self.rd, "east_village", self.leaf_c, P.Source.VISIT, P.Severity.MINOR, True),
        ]
        self.problems = [
            self.problem(r, name, category, source, severity, immediate)
            for r, name, category, source, severity, immediate in specs
        ]
        self._clues()
        self._items()

    def target(self, round_, name):
        return self.by[(round_.pk, self.orgs[name].pk)]

    def problem(self, round_, name, category, source, severity, immediate=False):
        target = self.target(round_, name)
        return Problem.objects.create(
            target=target,
            round=round_,
            team=target.team,
            category=category,
            description=f"{target.organization.name}的问题",
            source=source,
            severity=severity,
            immediate_fix=immediate,
            status=Problem.Status.FED_BACK,
            found_by=self.user,
            found_on=datetime.date(round_.year, 4, 1),
        )

    def _clues(self):
        department = DepartmentFactory()
        now = timezone.now()
        signed = {"submitted_at": now, "approved_at": now, "received_at": now}
        self.clue_seq = 0

        def clue(round_, name, status, **extra):
            target = self.target(round_, name)
            self.clue_seq += 1
            return Clue.objects.create(
                number=f"XS-{self.clue_seq:03d}",
                round=round_,
                team=target.team,
                target=target,
                person_name=SECRET_NAME,
                person_position="局长",
                person_rank=Clue.Rank.DEPARTMENT,
                discipline=Clue.Discipline.INTEGRITY,
                source=Problem.Source.PETITION,
                summary=SECRET_SUMMARY,
                department=department,
                drafted_by=self.user,
                status=status,
                **extra,
            )

        def disposition(clue_, method, *, others=(), **fields):
            """Outcomes given as keywords are the reported person's; ``others``
            are further people dealt with (name, outcomes)."""
            outcome = {name: fields.pop(name) for name in list(fields) if name in OUTCOME_KINDS}
            made = Disposition.objects.create(
                clue=clue_, method=method, note="处置说明", reported_by=self.user, **fields
            )
            if outcome:
                DispositionPerson.objects.create(
                    disposition=made, name=clue_.person_name, **outcome
                )
            for person in others:
                DispositionPerson.objects.create(disposition=made, **person)
            return made

        C, M = Clue.Status, Disposition.Method
        # Two dispositions: a case with party discipline, then a sanction, justice and money.
        self.twice = clue(self.r1, "east_bureau", C.RECEIVED, **signed)
        disposition(self.twice, M.CASE, party_discipline="warning")
        disposition(
            self.twice,
            M.CASE,
            # A second person disciplined in the same case: the figures count people.
            others=[{"name": "同案人员", "government_sanction": "warning"}],
            party_discipline="serious_warning",
            government_sanction="demerit",
            transferred_to_justice=True,
            money_recovered=Decimal("120000.00"),
        )
        closed = clue(self.r2, "west_village", C.CLOSED, closed_at=now, **signed)
        disposition(closed, M.TALK, money_recovered=Decimal("5000.50"), is_final=True)
        sanctioned = clue(self.r1, "city_firm", C.RECEIVED, **signed)
        disposition(sanctioned, M.CASE, government_sanction="warning")
        clue(self.r1, "east_village", C.APPROVED, submitted_at=now, approved_at=now)
        clue(self.r1, "east_village", C.SUBMITTED, submitted_at=now)  # not transferred yet
        clue(self.r1, "east_village", C.DRAFT)
        clue(self.r0, "west_town", C.RECEIVED, **signed)
        district = clue(self.rd, "east_village", C.RECEIVED, **signed)
        disposition(district, M.CASE, transferred_to_justice=True)

    def _items(self):
        today = self.today
        days = datetime.timedelta
        plans = {}

        def item(problem, state, deadline=None, kind=Item.Kind.DEADLINE, **extra):
            target = problem.target
            if target.pk not in plans:
                plans[target.pk] = Plan.objects.create(
                    target=target, organization=target.organization
                )
            return Item.objects.create(
                plan=plans[target.pk],
                problem=problem,
                organization=target.organization,
                round=target.round,
                office=target.round.office,
                state=state,
                deadline=deadline,
                kind=kind,
                closed_at=timezone.now() if state == S.CLOSED else None,
                **extra,
            )

        p = self.problems
        item(p[0], S.CLOSED, today - days(30), rules_made=2, money_recovered=Decimal("30000"))
        item(p[1], S.ACCEPTED, today - days(5), rules_made=1)
        item(p[2], S.IN_PROGRESS, today - days(3))  # red: overdue
        item(p[3], S.HANDED_IN, today + days(5))  # yellow
        item(p[4], S.IN_PROGRESS, today + days(15))  # green
        # Closed, then reopened by a follow-up check: open again, far from its new deadline.
        self.reopened = item(p[5], S.IN_PROGRESS, today + days(90))
        item(p[6], S.IN_PROGRESS, today - days(1), kind=Item.Kind.ONGOING)  # ongoing: no colour
        item(p[7], S.PLANNING, today - days(10))  # planning: no colour yet
        for action, before, after in [
            (LedgerEntry.Action.CLOSE, S.ACCEPTED, S.CLOSED),
            (LedgerEntry.Action.REOPEN, S.CLOSED, S.IN_PROGRESS),
        ]:
            LedgerEntry.objects.create(
                item=self.reopened,
                action=action,
                actor=self.user,
                state_before=before,
                state_after=after,
            )
        item(p[8], S.IN_PROGRESS, today - days(2), money_recovered=Decimal("800"))  # red


@pytest.fixture
def world():
    return World()


@pytest.fixture
def leader(world):
    return make_user(Role.LEADERSHIP, username="leader", office=world.city)


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


def figures_for(office, **scope):
    reach = Reach.of(office)
    options = compute_options(reach)
    return compute_figures(reach, Scope(**scope), options)


# --- independent counts, in Python over the fixture rows --------------------------


def expected(world, office, term=None):
    rounds = {r.pk: r for r in Round.objects.all()}

    def keep(round_id):
        round_ = rounds[round_id]
        return (office.is_city or round_.office_id == office.pk) and (
            term is None or round_.term == term
        )

    targets = [t for t in Target.objects.all() if keep(t.round_id)]
    reach = [
        org
        for org in Organization.objects.all()
        if org.is_active and (office.is_city or org.region_id == office.region_id)
    ]
    inspected = {t.organization_id for t in targets}
    problems = [p for p in Problem.objects.all() if keep(p.round_id)]
    clues = [
        c
        for c in Clue.objects.all()
        if keep(c.round_id) and c.status in ("approved", "received", "closed")
    ]
    dispositions = [d for d in Disposition.objects.all() if d.clue in clues]
    people = [p for p in DispositionPerson.objects.all() if p.disposition in dispositions]
    items = [i for i in Item.objects.all() if keep(i.round_id)]
    today = world.today

    def colour(item_):
        open_ = item_.state in ("in_progress", "handed_in", "transferred")
        if not open_ or item_.deadline is None or item_.kind == "ongoing":
            return ""
        left = (item_.deadline - today).days
        return "red" if left < 0 else "yellow" if left <= 10 else "green" if left <= 20 else ""

    money = sum(d.money_recovered for d in dispositions) + sum(i.money_recovered for i in items)
    return {
        "organizations": len(inspected),
        "targets": len(targets),
        "covered": len({org.pk for org in reach} & inspected),
        "reach": len(reach),
        "problems": len(problems),
        "immediate": sum(p.immediate_fix for p in problems),
        "clues": len(clues),
        "cases": len({d.clue_id for d in dispositions if d.method == "case"}),
        "disciplined": len(
            {
                (p.disposition.clue_id, p.name)
                for p in people
                if p.party_discipline or p.government_sanction
            }
        ),
        "justice": len(
            {(p.disposition.clue_id, p.name) for p in people if p.transferred_to_justice}
        ),
        "money": money,
        "items": len(items),
        "done": sum(i.state in ("accepted", "closed") for i in items),
        "rules": sum(i.rules_made for i in items),
        "colours": {c: sum(colour(i) == c for i in items) for c in ("red", "yellow", "green")},
    }


def test_city_figures_for_the_term_equal_counts_made_independently(world):
    f = figures_for(world.city, term=13)
    e = expected(world, world.city, term=13)

    assert f["targets"] == {"count": e["targets"], "organizations": e["organizations"]}
    assert f["coverage"]["covered"] == e["covered"]
    assert f["coverage"]["total"] == e["reach"]
    assert f["problems"]["total"] == e["problems"]
    assert f["problems"]["immediate"] == e["immediate"]
    clues = f["clues"]
    assert clues == {
        "transferred": e["clues"],
        "cases": e["cases"],
        "disciplined": e["disciplined"],
        "justice": e["justice"],
    }
    assert Decimal(f["money"]["yuan"]) == e["money"]
    items = f["items"]
    assert (items["total"], items["done"], items["rules"]) == (e["items"], e["done"], e["rules"])
    assert {c: items[c] for c in ("red", "yellow", "green")} == e["colours"]
    assert items["rate"] == round(100 * e["done"] / e["items"], 1)


def test_the_edge_cases_are_counted_as_the_office_counts_them(world):
    f = figures_for(world.city, term=13)
    # east_bureau was a target in rounds 1 and 2: two targets, one organization covered.
    assert f["targets"]["count"] == 6
    assert f["targets"]["organizations"] == 5
    # Covered: east_bureau, east_village, city_firm, west_village (east_closed is inactive);
    # of the six active organizations, west_town (12th term) and city_college are not.
    assert (f["coverage"]["covered"], f["coverage"]["total"]) == (4, 6)
    # The clue with two dispositions: one 立案; its reported person disciplined in
    # both reports (counted once) and sent to justice, and a second person
    # disciplined. With the other case (government sanction only): 2 cases,
    # 3 people disciplined, 1 to justice.
    assert f["clues"] == {"transferred": 4, "cases": 2, "disciplined": 3, "justice": 1}
    # The reopened item is open again: not in the completion rate.
    assert f["items"]["done"] == 2
    assert f["items"]["total"] == 7
    # 120,000 + 5,000.50 (dispositions) + 30,000 (items) = 155,000.50 元 = 15.5 万元.
    assert f["money"] == {"yuan": "155000.50", "wan": "15.5"}


def test_coverage_by_district_sector_and_level(world):
    coverage = figures_for(world.city, term=13)["coverage"]
    by_region = {row["name"]: (row["covered"], row["total"]) for row in coverage["by_region"]}
    assert by_region == {"东区": (2, 2), "西区": (1, 2), "市直单位": (1, 2)}
    by_sector = {row["code"]: (row["covered"], row["total"]) for row in coverage["by_sector"]}
    assert by_sector == {
        "government": (1, 1),
        "state_enterprise": (1, 1),
        "university": (0, 1),
        "township": (0, 1),
        "village": (2, 2),
    }
    by_level = {row["code"]: (row["covered"], row["total"]) for row in coverage["by_level"]}
    assert by_level == {"city": (1, 2), "county": (1, 1), "township": (0, 1), "village": (2, 2)}
    east = next(row for row in coverage["by_region"] if row["name"] == "东区")
    assert east["share"] == 100.0


def test_all_terms_and_region_and_sector_scopes(world):
    e = expected(world, world.city)
    f = figures_for(world.city)
    assert f["problems"]["total"] == e["problems"] == 9
    assert f["clues"]["transferred"] == e["clues"] == 6
    west = figures_for(world.city, region_id=world.west.pk)
    assert west["problems"]["total"] == 2
    assert west["targets"]["organizations"] == 2
    villages = figures_for(world.city, term=13, sector=Sector.VILLAGE)
    # Inspected: east_village, west_village and the since-closed east_closed;
    # to cover: the two active ones.
    assert villages["targets"]["organizations"] == 3
    assert (villages["coverage"]["covered"], villages["coverage"]["total"]) == (2, 2)
    assert villages["problems"]["total"] == 2
    one_round = figures_for(world.city, round_id=world.r2.pk)
    assert one_round["problems"]["total"] == 2
    assert one_round["clues"]["transferred"] == 1
    year = figures_for(world.city, year=2024)
    assert year["targets"]["count"] == 4


def test_district_office_sees_its_own_rounds_and_district_only(world):
    f = figures_for(world.district_office)
    e = expected(world, world.district_office)
    assert f["targets"]["organizations"] == e["organizations"] == 1
    assert f["problems"]["total"] == e["problems"] == 1
    assert f["clues"]["transferred"] == e["clues"] == 1
    assert f["clues"]["justice"] == 1
    assert (f["coverage"]["covered"], f["coverage"]["total"]) == (e["covered"], e["reach"])
    assert [row["name"] for row in f["coverage"]["by_region"]] == ["东区"]
    assert f["items"]["red"] == 1


def test_problems_by_category_fold_up_the_tree_and_drill_into_children(world, leader):
    dash = load_dashboard(Reach.of(world.city), {"term": "13"})
    from portal.dashboard.figures import category_breakdown

    top = category_breakdown(dash.options, dash.figures, None)
    counts = {row["name"]: row["count"] for row in top["rows"]}
    assert counts == {"党的领导弱化": 3, "党的建设缺失": 1, "全面从严治党不力": 3}
    assert sum(counts.values()) == dash.figures["problems"]["total"]
    top_a = world.leaf_a1.parent
    children = category_breakdown(dash.options, dash.figures, top_a.pk)
    assert {row["name"]: row["count"] for row in children["rows"]} == {
        world.leaf_a1.name: 2,
        world.leaf_a2.name: 1,
    }
    assert [step["name"] for step in children["path"]] == ["党的领导弱化"]
    # A problem filed on a top-level category itself shows as its own row when drilled.
    direct = category_breakdown(dash.options, dash.figures, world.top_b.pk)
    assert [(row["count"], row.get("direct")) for row in direct["rows"]] == [(1, True)]


def test_sources_severities_and_trends(world):
    f = figures_for(world.city, term=13)
    sources = {row["code"]: row["count"] for row in f["problems"]["by_source"]}
    assert sources == {
        "interview": 3,
        "documents": 1,
        "petition": 1,
        "visit": 1,
        "data": 1,
        "other": 0,
    }
    severities = {row["code"]: row["count"] for row in f["problems"]["by_severity"]}
    assert severities == {"minor": 3, "serious": 2, "grave": 2}
    assert f["trend"]["by_year"] == [
        {"year": 2024, "targets": 4, "problems": 5},
        {"year": 2025, "targets": 2, "problems": 2},
    ]
    assert [(row["id"], row["targets"]) for row in f["trend"]["by_round"]] == [
        (world.r1.pk, 4),
        (world.r2.pk, 2),
    ]
    overdue = f["items"]["overdue_by_organization"]
    assert overdue == [
        {"id": world.orgs["east_village"].pk, "name": world.orgs["east_village"].name, "count": 1}
    ]


# --- the page ------------------------------------------------------------------------


def test_leadership_page_shows_the_headline_beside_the_cards(world, leader_client):
    response = leader_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # No term given: the latest term (13th) is chosen.
    assert response.context["dash"].scope.term == 13
    assert (
        "十三届以来，共对5家党组织开展巡察，发现问题7个，移送问题线索4条，党纪政务处分3人，"
        "移送司法机关1人，挽回经济损失15.5万元。"
    ) in unescape(html)
    for label in ("巡察党组织", "全覆盖率", "发现问题", "立行立改", "整改完成率", "建章立制"):
        assert label in html


def test_every_chart_has_a_container_and_a_table(world, leader_client):
    html = leader_client.get(URL).content.decode()
    data = json.loads(
        re.search(
            r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    for key in data["charts"]:
        assert f'data-chart="{key}"' in html
        assert f'id="panel-{key}"' in html
    assert html.count('class="dash-table"') >= len(data["charts"])
    assert html.count("<details") >= len(data["charts"])
    assert 'data-testid="coverage-grid"' in html


def test_drill_down_links_lead_to_the_filtered_lists(world, leader_client):
    html = unescape(
        leader_client.get(URL, {"term": "13", "region": world.east.pk}).content.decode()
    )
    east = world.east.pk
    assert f"/rounds/targets/?term=13&region={east}" in html
    assert f"/rounds/problems/?term=13&region={east}&source=interview" in html
    assert f"/rounds/problems/?term=13&region={east}&severity=grave" in html
    assert f"/rounds/problems/?term=13&region={east}&immediate_fix=1" in html
    assert f"/rectification/items/?term=13&region={east}&colour=red" in html
    organization = world.orgs["east_village"].pk
    assert (
        f"/rectification/items/?term=13&region={east}&colour=red&organization={organization}"
        in html
    )
    top_a = world.leaf_a1.parent
    assert f"/rounds/problems/?term=13&region={east}&category={top_a.pk}" in html
    # A category with children also drills the dashboard itself.
    assert f"/dashboard/?term=13&region={east}&category={top_a.pk}#problems" in html
    r1 = world.r1.pk
    assert f"/rounds/problems/?term=13&region={east}&round={r1}" in html


def test_drilling_into_a_category_shows_its_children(world, leader_client):
    top_a = world.leaf_a1.parent
    response = leader_client.get(URL, {"term": "13", "category": top_a.pk})
    chart = response.context["charts"]["problems_category"]
    assert chart["labels"] == [world.leaf_a1.name, world.leaf_a2.name]
    assert f"/rounds/problems/?term=13&category={world.leaf_a1.pk}" in unescape(
        response.content.decode()
    )


def test_clue_content_never_reaches_the_page_the_data_or_the_workbook(world, leader_client):
    html = leader_client.get(URL, {"term": ""}).content.decode()
    workbook = leader_client.get(EXPORT_URL, {"term": ""}).content
    cells = [
        str(cell.value)
        for sheet in load_workbook(io.BytesIO(workbook)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    for text in (SECRET_NAME, SECRET_SUMMARY, "局长", "XS-001"):
        assert text not in html
        assert text not in " ".join(cells)
    # Clue figures link nowhere.
    assert "/clues/" not in html
    clue_panel = re.search(r'id="panel-clue_outcomes".*?</figure>', html, re.S).group(0)
    assert "<a " not in clue_panel


ROLE_STATUS = {
    Role.LEADERSHIP: 200,
    Role.OFFICE: 200,
    Role.UNIT_CONTACT: 404,
    Role.TEAM_LEADER: 404,
    Role.TEAM_MEMBER: 404,
    Role.DEPARTMENT: 404,
    Role.SYSADMIN: 404,
    Role.SECURITY_OFFICER: 404,
    Role.AUDITOR: 404,
}


@pytest.mark.parametrize("role", list(ROLE_STATUS), ids=[r.value for r in ROLE_STATUS])
def test_only_leadership_and_office_may_open_the_dashboard(world, client, role):
    client.force_login(make_user(role, username=f"u-{role.value}"))
    assert client.get(URL).status_code == ROLE_STATUS[role]
    assert client.get(EXPORT_URL).status_code == ROLE_STATUS[role]


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_account_without_an_office_is_told_so(client):
    client.force_login(make_user(Role.LEADERSHIP, username="nooffice", office=None))
    response = client.get(URL)
    assert response.status_code == 200
    assert "尚未关联巡察机构" in response.content.decode()


def test_district_leadership_cannot_choose_another_offices_round(world, client):
    user = make_user(Role.LEADERSHIP, username="east-leader", office=world.district_office)
    client.force_login(user)
    response = client.get(URL, {"round": world.r1.pk, "term": ""})
    dash = response.context["dash"]
    assert dash.scope.round_id is None  # dropped: not one of the office's rounds
    assert dash.figures["problems"]["total"] == 1
    html = response.content.decode()
    assert world.r1.name not in html
    assert "西区" not in html


def test_a_change_shows_on_the_next_view_within_the_minute(world, leader_client):
    first = leader_client.get(URL, {"term": "13"}).context["dash"].figures
    world.problem(world.r2, "west_village", world.leaf_c, "interview", "minor")
    second = leader_client.get(URL, {"term": "13"}).context["dash"].figures
    assert second["problems"]["total"] == first["problems"]["total"] + 1

    # A ledger action moves the item with update() (no Item signal): its entry invalidates.
    red = Item.objects.get(problem=world.problems[2])
    Item.objects.filter(pk=red.pk).update(state=S.ACCEPTED)
    LedgerEntry.objects.create(
        item=red, action="check_accept", actor=world.user, state_before="handed_in",
        state_after="accepted",
    )  # fmt: skip
    third = leader_client.get(URL, {"term": "13"}).context["dash"].figures
    assert third["items"]["done"] == first["items"]["done"] + 1
    assert third["items"]["red"] == first["items"]["red"] - 1


# Every request: session, user, roles, the user's office, and the session's
# save (an UPDATE between a savepoint and its release, in a test).
REQUEST_QUERIES = 9  # +1: the unread-notification badge; +1: the session's second-factor device
# +2: rows inserted without a signal (the counted tables' highest ids), and
# whether any change is waiting to be counted into the summary rows.
REQUEST_QUERIES += 2
# Options (rounds, districts, categories) and figures: the summary rows of
# the scope, the organizations to cover, the targets inspected, the names of
# the overdue top ten, and the summary path's own two checks for changes.
FIGURE_QUERIES = 9


def test_unchanged_figures_come_from_the_cache(world, leader_client, django_assert_max_num_queries):
    leader_client.get(URL, {"term": "13"})
    with django_assert_max_num_queries(REQUEST_QUERIES):
        response = leader_client.get(URL, {"term": "13"})
    assert response.status_code == 200


def test_uncached_view_runs_a_handful_of_queries(
    world, leader_client, django_assert_max_num_queries
):
    bring_up_to_date()  # the world's rows are counted into the summary
    with django_assert_max_num_queries(REQUEST_QUERIES + FIGURE_QUERIES):
        leader_client.get(URL, {"term": "13"})


def test_queries_do_not_grow_with_the_rows(world, leader_client, django_assert_max_num_queries):
    for i in range(20):
        world.problem(world.r1, "city_firm", world.leaf_a2, "interview", "minor", i % 2 == 0)
    cache.clear()
    bring_up_to_date()  # counted, and the counted tables' highest ids seen
    with django_assert_max_num_queries(REQUEST_QUERIES + FIGURE_QUERIES):
        response = leader_client.get(URL, {"term": "13"})
    assert response.context["dash"].figures["problems"]["total"] == 27


# --- exports -----------------------------------------------------------------------


def test_workbook_has_a_sheet_per_group_with_chinese_headers(world, leader_client):
    response = leader_client.get(EXPORT_URL, {"term": "13"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["总体情况", "全覆盖", "发现问题", "问题线索", "整改落实", "趋势"]
    summary = workbook["总体情况"]
    rows = {row[0]: row[1] for row in summary.iter_rows(min_row=7, values_only=True) if row[0]}
    assert rows["巡察党组织"] == 5
    assert rows["发现问题"] == 7
    assert rows["移送问题线索"] == 4
    assert rows["挽回经济损失"] == 15.5
    assert summary["A6"].value == "指标"
    coverage = [row for row in workbook["全覆盖"].iter_rows(values_only=True)]
    assert ("东区", 2, 2, 1.0) in coverage


def _tool(name):
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} 未安装（poppler-utils）")
    return path


def test_one_page_pdf_has_the_chinese_figures_and_embedded_fonts(world, leader, tmp_path):
    from portal.dashboard.reports import DOCUMENT
    from xuncha.reports.registry import PDF, get_document

    assert get_document("dashboard.pdf") is DOCUMENT
    DOCUMENT.authorize(leader, {"term": "13"})
    progress = []
    generated = DOCUMENT.generate(leader, {"term": "13"}, progress.append)
    assert generated.content_type == PDF
    assert generated.content.startswith(b"%PDF")
    assert progress[-1] == 100
    path = tmp_path / "dashboard.pdf"
    path.write_bytes(generated.content)

    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    compact = re.sub(r"\s+", "", text)
    assert "巡察工作情况" in compact
    assert "共对5家党组织开展巡察" in compact
    assert "全覆盖" in compact
    assert SECRET_NAME not in compact
    fonts = subprocess.run(
        [_tool("pdffonts"), str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    for line in fonts:
        # name, type, encoding, emb, sub, uni, object ID: "emb" is the fifth field from the end.
        assert line.split()[-5] == "yes", line
    info = subprocess.run(
        [_tool("pdfinfo"), str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)


def test_pdf_is_refused_to_other_roles(world):
    from django.http import Http404

    from portal.dashboard.reports import DOCUMENT

    for role in (Role.UNIT_CONTACT, Role.DEPARTMENT, Role.AUDITOR, Role.TEAM_LEADER):
        with pytest.raises(Http404):
            DOCUMENT.authorize(make_user(role, username=f"pdf-{role.value}"), {})


# --- bench -------------------------------------------------------------------------


@pytest.mark.bench
def test_bench_data_set_builds_once_and_the_figures_measure():
    from bench import dashboard as bench
    from bench.registry import BenchContext, Scale, build_datasets, registry

    figure = registry.figures["dashboard"]
    assert figure.func is bench.dashboard_figures
    tiny = Scale("tiny", 0.01)

    def build():
        context = BenchContext(scale=tiny, runs=1)
        build_datasets(registry.datasets_for([figure]), context)
        return context

    first = build().data["dashboard"]
    assert (first.problems, first.clues, first.items) == (1000, 200, 1000)
    counts = (Target.objects.count(), Disposition.objects.count(), Plan.objects.count())
    context = build()
    assert context.data["dashboard"] == first
    assert (Target.objects.count(), Disposition.objects.count(), Plan.objects.count()) == counts

    measured = {name: value for name, value, _unit in figure.func(context)}
    # The province figures are the same two times, named for the province scale only.
    assert set(measured) == {name for name in figure.names if ".province." not in name}
    assert measured["dashboard.queries"] <= REQUEST_QUERIES + FIGURE_QUERIES
    assert measured["dashboard.sql_ratio"] > 0
    assert measured["dashboard.cached.median_ms"] < measured["dashboard.uncached.median_ms"]

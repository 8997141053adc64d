"""The dashboard's summary rows and its scope: the figures added up from the
summary rows equal a straight count over the records (random worlds, every
kind of scope, a day later); a change invalidates the scopes that contain it,
once; the scope chooser cannot contradict itself; drill-downs list exactly
the figure's rows; money and outcomes read as what they count."""

import datetime
import io
import random
import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from clues.models import Clue, Disposition, DispositionPerson
from portal.dashboard import cache as dash_cache
from portal.dashboard import figures as dash_figures
from portal.dashboard.cache import bring_up_to_date
from portal.dashboard.figures import (
    Reach,
    Scope,
    compute_figures,
    compute_figures_direct,
    compute_options,
)
from portal.dashboard.forms import scope_form
from portal.dashboard.headline import headline, scope_prefix
from portal.dashboard.models import FigureChange, FigureSegment
from portal.dashboard.presentation import cards, load_dashboard
from rectification.forms import ItemFilterForm
from rectification.models import Item, Plan
from rectification.selectors import item_list
from rounds.models import Problem, ProblemCategory, Round, Target, Team
from rounds.selectors import round_choices
from tests.factories import (
    DepartmentFactory,
    OfficeFactory,
    OrganizationFactory,
    RegionFactory,
    make_user,
)
from tests.test_dashboard import World
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Organization

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")
Sector, Level = Organization.Sector, Organization.Level


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


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


# --- a random world -------------------------------------------------------------------


class RandomWorld:
    """Organizations in three districts and the 市直 units, rounds of two
    offices over three terms, and problems, clues, dispositions and items
    drawn at random: every row written through the ORM, so the signals
    leave their change notes as the services' writes do."""

    def __init__(self, seed: int):
        rng = random.Random(seed)
        self.today = timezone.localdate()
        self.city = OfficeFactory()
        regions = [RegionFactory(name=f"区{i}") for i in range(3)]
        self.regions = regions
        self.district_office = OfficeFactory(
            name="中共区0委巡察办", level="district", region=regions[0]
        )
        sectors = [Sector.GOVERNMENT, Sector.VILLAGE, Sector.STATE_ENTERPRISE]
        levels = [Level.COUNTY, Level.VILLAGE, Level.TOWNSHIP]
        self.orgs = [
            OrganizationFactory(
                region=rng.choice([*regions, None]),
                sector=rng.choice(sectors),
                level=rng.choice(levels),
                is_active=rng.random() > 0.1,
            )
            for _ in range(14)
        ]
        self.user = make_user(Role.TEAM_MEMBER, username=f"finder{seed}")
        categories = list(ProblemCategory.objects.all())
        department = DepartmentFactory()
        self.rounds = []
        specs = [(self.city, 12, 1, 2019), (self.city, 13, 1, 2022), (self.city, 13, 2, 2023)]
        specs += [(self.city, 13, 3, 2023), (self.district_office, 5, 1, 2023)]
        for office, term, number, year in specs:
            round_ = Round.objects.create(
                office=office,
                term=term,
                number=number,
                year=year,
                planned_start=datetime.date(year, 3, 1),
                planned_end=datetime.date(year, 5, 31),
                status=Round.Status.RECTIFYING,
            )
            self.rounds.append(round_)
            team = Team.objects.create(round=round_, number=1)
            for org in rng.sample(self.orgs, 5):
                target = Target.objects.create(round=round_, team=team, organization=org)
                plan = Plan.objects.create(target=target, organization=org)
                for _ in range(rng.randint(0, 4)):
                    self._problem(rng, target, categories, plan)
                for c in range(rng.randint(0, 2)):
                    self._clue(rng, target, department, f"{seed}-{target.pk}-{c}")

    def _problem(self, rng, target, categories, plan):
        problem = Problem.objects.create(
            target=target,
            round=target.round,
            team=target.team,
            category=rng.choice(categories),
            description="问题",
            source=rng.choice(Problem.Source.values),
            severity=rng.choice(Problem.Severity.values),
            immediate_fix=rng.random() < 0.3,
            status=Problem.Status.FED_BACK,
            found_by=self.user,
            found_on=datetime.date(target.round.year, 4, 1),
        )
        if rng.random() < 0.85:
            state = rng.choice(Item.State.values)
            Item.objects.create(
                plan=plan,
                problem=problem,
                organization=target.organization,
                round=target.round,
                office=target.round.office,
                state=state,
                deadline=(
                    None
                    if rng.random() < 0.1
                    else self.today + datetime.timedelta(days=rng.randint(-40, 40))
                ),
                kind=rng.choice(Item.Kind.values),
                closed_at=timezone.now() if state == Item.State.CLOSED else None,
                rules_made=rng.choice([0, 0, 1, 3]),
                money_recovered=Decimal(rng.choice([0, 0, 1500, 250000])),
            )

    def _clue(self, rng, target, department, number):
        now = timezone.now()
        status = rng.choice(Clue.Status.values)
        clue = Clue.objects.create(
            number=f"R{number}",
            round=target.round,
            team=target.team,
            target=target,
            person_name="某某",
            person_position="科长",
            person_rank=Clue.Rank.SECTION,
            discipline=Clue.Discipline.INTEGRITY,
            source=Problem.Source.PETITION,
            summary="摘要",
            department=department,
            drafted_by=self.user,
            status=status,
            submitted_at=now,
            approved_at=now,
            received_at=now,
        )
        for _ in range(rng.randint(0, 2)):
            disposition = Disposition.objects.create(
                clue=clue,
                method=rng.choice(Disposition.Method.values),
                money_recovered=Decimal(rng.choice([0, 800, 12000])),
                note="说明",
                reported_by=self.user,
            )
            # A few names, so a person reported twice for one clue counts once.
            for name in rng.sample(["甲", "乙", "丙"], rng.randint(0, 2)):
                DispositionPerson.objects.create(
                    disposition=disposition,
                    name=name,
                    party_discipline=rng.choice(["", "", "warning"]),
                    government_sanction=rng.choice(["", "demerit"]),
                    transferred_to_justice=rng.random() < 0.3,
                )


def _scopes(w: RandomWorld) -> list[Scope]:
    r = w.rounds
    return [
        Scope(),
        Scope(term=13),
        Scope(term=12),
        Scope(year=2023),
        Scope(term=13, year=2023),
        Scope(round_id=r[2].pk),
        Scope(region_id=w.regions[1].pk),
        Scope(term=13, region_id=w.regions[0].pk),
        Scope(sector=Sector.VILLAGE),
        Scope(term=13, region_id=w.regions[2].pk, sector=Sector.GOVERNMENT),
    ]


def _both(office, scope, today=None):
    reach = Reach.of(office)
    options = compute_options(reach)
    return (
        compute_figures(reach, scope, options, today),
        compute_figures_direct(reach, scope, options, today),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summary_figures_equal_a_straight_count_over_random_data(seed):
    w = RandomWorld(seed)
    assert FigureChange.objects.exists()  # the writes left their notes
    for office in (w.city, w.district_office):
        for scope in _scopes(w):
            summary, direct = _both(office, scope)
            assert summary == direct, (office.name, scope)
    assert not FigureChange.objects.exists()  # counted, and the notes dropped
    assert FigureSegment.objects.exists()


@pytest.mark.parametrize("days", [1, 25, 45])
def test_summary_figures_hold_on_a_later_day(days):
    """Colours and the overdue top ten move with the date: rows counted
    today still give the right figures (or fall back to the records)."""
    w = RandomWorld(7)
    later = w.today + datetime.timedelta(days=days)
    for scope in (Scope(), Scope(term=13)):
        summary, direct = _both(w.city, scope, later)
        assert summary == direct


def test_rebuild_and_notes_agree_after_every_kind_of_change():
    w = RandomWorld(11)
    bring_up_to_date()
    rng = random.Random(5)
    # An organization moves district and sector; an item is moved without a signal
    # but leaves its ledger entry; a problem and a whole round are deleted.
    moved = next(o for o in w.orgs if Target.objects.filter(organization=o).exists())
    moved.region = w.regions[2] if moved.region != w.regions[2] else w.regions[1]
    moved.sector = Sector.STATE_ENTERPRISE if moved.sector != Sector.STATE_ENTERPRISE else "village"
    moved.save()
    item = Item.objects.filter(state=Item.State.IN_PROGRESS).first()
    if item:
        Item.objects.filter(pk=item.pk).update(state=Item.State.ACCEPTED)
        item.entries.create(
            action="check_accept", actor=w.user, state_before="handed_in", state_after="accepted"
        )
    victim = (
        rng.choice(list(Problem.objects.filter(rectification_item__isnull=True)))
        if (Problem.objects.filter(rectification_item__isnull=True).exists())
        else None
    )
    if victim:
        victim.delete()
    for scope in _scopes(w):
        summary, direct = _both(w.city, scope)
        assert summary == direct, scope


def test_a_rebuild_counts_what_no_signal_reported():
    w = RandomWorld(4)
    bring_up_to_date()
    Problem.objects.filter(round=w.rounds[1]).update(severity=Problem.Severity.GRAVE)
    from portal.dashboard.summary import rebuild

    rebuild()
    summary, direct = _both(w.city, Scope(term=13))
    assert summary == direct


# --- invalidation: by scope, once ----------------------------------------------------


def test_a_change_invalidates_its_scopes_once_and_leaves_the_others_cached(world, leader_client):
    def view(**params):
        return leader_client.get(URL, params).context["dash"]

    term13, term12 = view(term="13"), view(term="12")
    west13 = view(term="13", region=str(world.west.pk))
    keys = [dash_cache._term_key(13), dash_cache._term_key(12), dash_cache.GLOBAL_KEY]
    before = dash_cache.generations(keys)
    # A new problem in round 1 (13th term) at east_bureau, in 东区.
    world.problem(world.r1, "east_bureau", world.leaf_c, "interview", "minor")
    # Saving alone invalidates nothing: the change is counted by the next view.
    assert dash_cache.generations(keys) == before

    assert view(term="13").figures["problems"]["total"] == term13.figures["problems"]["total"] + 1
    # Once, and only the 13th term's.
    assert dash_cache.generations(keys) == [before[0] + 1, before[1], before[2]]
    view(term="13")
    assert dash_cache.generations(keys) == [before[0] + 1, before[1], before[2]]

    # Still cached under the same key: the 12th term, and 西区 in the 13th
    # (the change was in 东区).
    for old, params in [
        (term12, {"term": "12"}),
        (west13, {"term": "13", "region": str(world.west.pk)}),
    ]:
        again = view(**params)
        assert again.key == old.key
        assert cache.get(old.key) is not None


def test_uncached_view_after_a_change_recounts_only_that_segment(world, leader_client):
    leader_client.get(URL, {"term": "13"})
    refreshed = dict(FigureSegment.objects.values_list("pk", "refreshed_at"))
    world.problem(world.r2, "west_village", world.leaf_c, "interview", "minor")
    leader_client.get(URL, {"term": "13"})
    now = dict(FigureSegment.objects.values_list("pk", "refreshed_at"))
    changed = [pk for pk in now if now[pk] != refreshed.get(pk)]
    west_village = world.orgs["west_village"]
    # The segment, and the round's rows added up again from its segments.
    assert set(
        FigureSegment.objects.filter(pk__in=changed).values_list(
            "round_key", "region_key", "sector"
        )
    ) == {
        (world.r2.pk, west_village.region_id, west_village.sector),
        (world.r2.pk, -1, "*"),
    }


@pytest.fixture
def shared_mark(monkeypatch):
    """The mark as a shared cache (Redis in production) keeps it; the tests'
    LocMem cache is one process's, which the views do not trust."""
    monkeypatch.setattr(dash_cache, "mark_is_shared", lambda: True)


def _notes_table_read(queries) -> bool:
    return any("portal_figurechange" in q["sql"] for q in queries.captured_queries)


def test_a_view_reads_the_notes_table_only_when_a_change_is_marked(
    world, leader_client, shared_mark
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader_client.get(URL, {"term": "13"})
    # Nothing written since: the notes' table is not read at all (after a bulk
    # load it can hold millions of dead rows until vacuumed).
    with CaptureQueriesContext(connection) as queries:
        leader_client.get(URL, {"term": "13"})
    assert not _notes_table_read(queries)

    world.problem(world.r1, "east_bureau", world.leaf_c, "interview", "minor")
    assert cache.get(dash_cache.PENDING_KEY) is True
    with CaptureQueriesContext(connection) as queries:
        total = leader_client.get(URL, {"term": "13"}).context["dash"].figures["problems"]
    assert _notes_table_read(queries)
    assert not FigureChange.objects.exists()
    assert cache.get(dash_cache.PENDING_KEY) is False
    assert total["total"] == Problem.objects.filter(round__term=13).count()


def test_a_lost_mark_means_look_and_the_beat_always_looks(world, leader_client, shared_mark):
    from portal.tasks import count_dashboard_changes

    leader_client.get(URL, {"term": "13"})
    world.problem(world.r1, "east_bureau", world.leaf_c, "interview", "minor")
    # The cache lost the mark (emptied, restarted): the view looks anyway.
    cache.delete(dash_cache.PENDING_KEY)
    leader_client.get(URL, {"term": "13"})
    assert not FigureChange.objects.exists()

    # A mark wrongly cleared: the view trusts it, the beat does not. (An
    # edit, not a new row: a new row also shows in the tables' highest ids.)
    problem = Problem.objects.filter(round=world.r1).first()
    problem.severity = Problem.Severity.GRAVE
    problem.save()
    dash_cache.take_pending_mark()
    leader_client.get(URL, {"term": "13"})
    assert FigureChange.objects.exists()
    count_dashboard_changes()
    assert not FigureChange.objects.exists()


def test_a_process_local_cache_is_not_trusted_with_the_mark(world, leader_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader_client.get(URL, {"term": "13"})
    dash_cache.take_pending_mark()  # as another process's count would leave it here
    with CaptureQueriesContext(connection) as queries:
        leader_client.get(URL, {"term": "13"})
    assert _notes_table_read(queries)


def test_a_count_that_fails_leaves_the_mark_set(world, leader_client, monkeypatch):
    from portal.dashboard import summary

    leader_client.get(URL, {"term": "13"})
    world.problem(world.r1, "east_bureau", world.leaf_c, "interview", "minor")

    def broken(selection, today):
        raise RuntimeError("counting failed")

    monkeypatch.setattr(summary, "segment_data", broken)
    with pytest.raises(RuntimeError):
        summary.apply_changes()
    assert cache.get(dash_cache.PENDING_KEY) is True
    assert FigureChange.objects.exists()  # the notes stay for the next count


# --- the scope chooser -------------------------------------------------------------


def _options(world):
    return compute_options(Reach.of(world.city))


def test_choosing_only_a_year_takes_that_years_term(world):
    options = _options(world)
    # The page opens on the current term (13); the person then picks 2020 only.
    scope = scope_form(QueryDict("term=13&year=2020"), options).scope()
    assert (scope.term, scope.year) == (12, 2020)
    scope = scope_form(QueryDict("year=2020"), options).scope()
    assert (scope.term, scope.year) == (12, 2020)
    f = figures_for_scope(world, scope)
    assert f["problems"]["total"] == 1  # west_town's problem in 2020, not an empty 十三届2020年
    prefix = scope_prefix(scope, options)
    assert prefix == "十二届2020年"


def test_a_round_sets_its_own_term_and_year(world):
    options = _options(world)
    scope = scope_form(QueryDict(f"term=13&year=2025&round={world.r0.pk}"), options).scope()
    assert (scope.term, scope.year, scope.round_id) == (12, 2020, world.r0.pk)


def test_consistent_choices_are_kept(world):
    options = _options(world)
    scope = scope_form(QueryDict("term=13&year=2024"), options).scope()
    assert (scope.term, scope.year) == (13, 2024)
    scope = scope_form(QueryDict("term=&year=2025"), options).scope()
    assert (scope.term, scope.year) == (None, 2025)  # every term that year, as asked


def test_every_choice_the_form_offers_counts_something(world):
    """No combination of one term and one year that the form can produce is empty."""
    options = _options(world)
    for term in ["", *map(str, options["terms"])]:
        for year in ["", *map(str, options["years"])]:
            scope = scope_form(QueryDict(f"term={term}&year={year}"), options).scope()
            assert figures_for_scope(world, scope)["targets"]["count"] > 0, (term, year)


def test_a_past_term_is_not_since(world):
    options = _options(world)
    assert scope_prefix(Scope(term=13), options) == "十三届以来"
    assert scope_prefix(Scope(term=12), options) == "十二届任期内"


def figures_for_scope(world, scope):
    reach = Reach.of(world.city)
    return compute_figures(reach, scope, compute_options(reach))


# --- drill-downs carry the whole scope ----------------------------------------------------


def _listed_items(user, url: str) -> int:
    """What the item list behind a link shows, filtered as its view filters."""
    parts = urlsplit(url)
    assert parts.path == reverse("rectification:item_list")
    params = QueryDict(mutable=True)
    for name, value in parse_qsl(parts.query):
        params[name] = value
    form = ItemFilterForm(params, rounds=round_choices(user=user))
    return item_list(user=user, filters=form.filters()).count()


@pytest.mark.parametrize(
    "params",
    [
        {"term": "13"},
        {"term": "13", "sector": "village"},
        {"term": "13", "year": "2024"},
        {"term": ""},
    ],
)
def test_rectification_cards_list_exactly_their_figures(world, leader, params):
    # A 12th-term item and a district item are outside the 13th term's cards.
    dash = load_dashboard(Reach.of(world.city), params)
    by_key = {card["key"]: card for card in cards(dash)}
    items = dash.figures["items"]
    assert _listed_items(leader, by_key["completion"]["url"]) == items["total"]
    assert _listed_items(leader, by_key["overdue"]["url"]) == items["red"]
    with_rules = Item.objects.filter(
        pk__in=[
            i.pk
            for i in Item.objects.all()
            if i.rules_made > 0
            and (not dash.scope.term or i.round.term == dash.scope.term)
            and (not dash.scope.year or i.round.year == dash.scope.year)
            and (not dash.scope.sector or i.organization.sector == dash.scope.sector)
        ]
    ).count()
    assert _listed_items(leader, by_key["rules"]["url"]) == with_rules


def test_every_drill_down_link_carries_the_scope(world, leader_client):
    params = {"term": "13", "year": "2024", "region": str(world.east.pk), "sector": "village"}
    # The figures part of the page (the navigation's plain list links aside).
    html = unescape(str(leader_client.get(URL, params).context["body"]))
    links = [
        href
        for href in re.findall(r'href="([^"]+)"', html)
        if href.startswith(("/rounds/problems/", "/rounds/targets/", "/rectification/items/"))
    ]
    assert links
    for href in links:
        query = dict(parse_qsl(urlsplit(href).query))
        assert query.get("term") == "13", href
        assert query.get("region") == str(world.east.pk), href
        assert query.get("sector") == "village", href
        # The year trend links name their own year; all others carry the scope's.
        assert query.get("year") == "2024", href


# --- money and outcomes ---------------------------------------------------------------


def test_no_money_recorded_prints_no_money(world, leader_client):
    Disposition.objects.update(money_recovered=0)
    Item.objects.update(money_recovered=0)
    bring_up_to_date()
    from portal.dashboard.summary import rebuild

    rebuild()  # update() sends no signal
    cache.clear()
    response = leader_client.get(URL, {"term": "13"})
    html = unescape(response.content.decode())
    assert "挽回经济损失0" not in html
    dash = response.context["dash"]
    assert "挽回经济损失" not in dash.headline
    card = next(c for c in cards(dash) if c["key"] == "money")
    assert (card["value"], card["note"]) == ("—", "未填报")


def test_money_in_wan_with_yuan_in_the_detail(world):
    dash = load_dashboard(Reach.of(world.city), {"term": "13"})
    card = next(c for c in cards(dash) if c["key"] == "money")
    assert (card["value"], card["unit"]) == ("15.5", "万元")
    assert "155,000.50 元" in card["note"]
    assert "挽回经济损失15.5万元" in dash.headline


def test_outcomes_are_counted_by_the_one_function_in_people(world, monkeypatch):
    dash = load_dashboard(Reach.of(world.city), {"term": "13"})
    by_key = {card["key"]: card for card in cards(dash)}
    # Two people in one case, and one more in another: three people, not two clues.
    assert (by_key["disciplined"]["value"], by_key["disciplined"]["unit"]) == (3, "人")
    assert by_key["disciplined"]["label"] == "党纪政务处分"
    assert "党纪政务处分3人，移送司法机关1人" in dash.headline

    # Whatever that one function counts is what the headline and cards say.
    def five_and_two(clues, group_by=()):
        rows = list(clues.values(*group_by).distinct().order_by()) if group_by else [{}]
        return [{**row, "disciplined": 5, "justice": 2} for row in rows]

    monkeypatch.setattr(dash_figures, "disciplinary_outcome_counts", five_and_two)
    reach = Reach.of(world.city)
    direct = compute_figures_direct(reach, Scope(term=13), compute_options(reach))
    assert (direct["clues"]["disciplined"], direct["clues"]["justice"]) == (5, 2)
    assert "党纪政务处分5人，移送司法机关2人" in headline(direct)


def test_headline_figures_equal_independent_counts(world):
    """Each number of the sentence, counted here in Python over the rows."""
    dash = load_dashboard(Reach.of(world.city), {"term": "13"})
    rounds13 = {r.pk for r in Round.objects.filter(term=13)}
    organizations = {t.organization_id for t in Target.objects.all() if t.round_id in rounds13}
    problems = [p for p in Problem.objects.all() if p.round_id in rounds13]
    clues = [
        c
        for c in Clue.objects.all()
        if c.round_id in rounds13 and c.status in ("approved", "received", "closed")
    ]
    people = [p for p in DispositionPerson.objects.all() if p.disposition.clue in clues]
    disciplined = {
        (p.disposition.clue_id, p.name)
        for p in people
        if p.party_discipline or p.government_sanction
    }
    justice = {(p.disposition.clue_id, p.name) for p in people if p.transferred_to_justice}
    assert dash.headline == (
        f"十三届以来，共对{len(organizations)}家党组织开展巡察，发现问题{len(problems)}个，"
        f"移送问题线索{len(clues)}条，党纪政务处分{len(disciplined)}人，"
        f"移送司法机关{len(justice)}人，挽回经济损失15.5万元。"
    )


def test_the_beat_counts_changes_each_minute_and_everything_each_night(world, settings):
    from django.core.management import call_command

    from portal import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"portal.tasks.count_dashboard_changes", "portal.tasks.rebuild_dashboard"} <= scheduled
    assert FigureChange.objects.exists()  # the world's writes
    tasks.count_dashboard_changes()
    assert not FigureChange.objects.exists()
    Problem.objects.filter(round=world.r1).update(severity=Problem.Severity.GRAVE)  # no signal
    assert _both(world.city, Scope(term=13))[0] != _both(world.city, Scope(term=13))[1]
    out = io.StringIO()
    call_command("dashboard_rebuild", stdout=out)
    assert "summary rows" in out.getvalue()
    summary, direct = _both(world.city, Scope(term=13))
    assert summary == direct
    assert tasks.rebuild_dashboard() == FigureSegment.objects.filter(region_key__gte=0).count()


def test_rows_inserted_without_a_signal_are_counted_by_the_next_view(world, leader_client):
    """An import or a plan's items arrive by bulk_create, which sends no signal."""
    first = leader_client.get(URL, {"term": "13"}).context["dash"].figures
    target = world.target(world.r2, "west_village")
    Problem.objects.bulk_create(
        Problem(
            target=target,
            round=world.r2,
            team=target.team,
            category=world.leaf_c,
            description=f"导入的问题{i}",
            source="interview",
            severity="minor",
            status=Problem.Status.FED_BACK,
            found_by=world.user,
            found_on=datetime.date(2025, 4, 1),
        )
        for i in range(3)
    )
    assert not FigureChange.objects.exists()  # no signal left a note
    second = leader_client.get(URL, {"term": "13"}).context["dash"].figures
    assert second["problems"]["total"] == first["problems"]["total"] + 3
    summary, direct = _both(world.city, Scope(term=13))
    assert summary == direct


def test_organizations_inserted_without_a_signal_count_in_coverage(world, leader_client):
    first = leader_client.get(URL, {"term": "13"}).context["dash"].figures["coverage"]
    Organization.objects.bulk_create(
        [
            Organization(
                code=f"BULK{i}",
                name=f"批量导入单位{i}",
                sector=Sector.VILLAGE,
                level=Level.VILLAGE,
                region=world.east,
            )
            for i in range(2)
        ]
    )
    second = leader_client.get(URL, {"term": "13"}).context["dash"].figures["coverage"]
    assert second["total"] == first["total"] + 2
    assert second == _both(world.city, Scope(term=13))[1]["coverage"]


@pytest.mark.django_db(transaction=True)
def test_the_notes_table_is_vacuumed_outside_a_transaction_on_postgresql(monkeypatch):
    from django.db import connection, transaction

    from portal.dashboard import summary

    # What is covered: the VACUUM runs, and never inside a transaction. The
    # threshold is set to 0 because pg_stat's dead-row count lags behind.
    monkeypatch.setattr(summary, "NOTES_DEAD_ROWS_TO_VACUUM", 0)
    with transaction.atomic():  # VACUUM cannot run in a transaction: not tried
        assert summary.vacuum_notes_if_bloated() is False
    # On PostgreSQL the VACUUM ran (it raises where it cannot); elsewhere none.
    assert summary.vacuum_notes_if_bloated() is (connection.vendor == "postgresql")

"""待办: each role sees what waits on it now, as a page, home cards and the
navbar count, each linked to a page the user may open."""

import pytest
from django.urls import reverse

from clues import services as clue_services
from rectification import services as rect_services
from rectification.models import Item
from rounds.models import ProblemCategory
from rounds.services.problems import problem_create, problem_transition
from tests import rect_fixtures
from tests.test_clues_pages import advance, build_world, draft
from xuncha.core.todo import todo_count, todo_for

pytestmark = pytest.mark.django_db

TODO_QUERIES = 30


def counts(user) -> dict[str, int]:
    return {task.title: task.count for task in todo_for(user)}


def badge(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("core:todo_badge")).content.decode()


def links_open(client, user) -> None:
    client.force_login(user)
    for task in todo_for(user):
        response = client.get(task.url)
        assert response.status_code == 200, (task.title, task.url)


@pytest.fixture
def cw(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


@pytest.fixture
def rw(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return rect_fixtures.world(problems=2, other_problems=1)


def test_the_clue_handover_moves_from_one_to_do_list_to_the_next(cw, client):
    clue = draft(cw)
    assert counts(cw.leader)["待组长签字的问题线索"] == 1
    assert counts(cw.other_leader)["待组长签字的问题线索"] == 0
    assert counts(cw.officer)["待审批的问题线索"] == 0

    clue = advance(cw, clue, "submitted")
    assert counts(cw.leader)["待组长签字的问题线索"] == 0
    assert counts(cw.officer)["待审批的问题线索"] == 1
    assert counts(cw.plain_office).get("待审批的问题线索") is None  # no clue permission
    links_open(client, cw.officer)

    clue_services.clue_approve(clue=clue, user=cw.officer)
    assert counts(cw.officer)["待审批的问题线索"] == 0
    assert counts(cw.dept_user)["待签收的问题线索"] == 1
    assert counts(cw.other_dept_user)["待签收的问题线索"] == 0
    links_open(client, cw.dept_user)
    # jiwei's home carries the count, and so does its navbar.
    client.force_login(cw.dept_user)
    home = client.get(reverse("core:home")).content.decode()
    assert "待签收的问题线索" in home and 'data-testid="todo-cards"' in home
    assert 'data-testid="todo-badge">1<' in badge(client, cw.dept_user)

    clue_services.clue_receive(clue=type(clue).objects.get(pk=clue.pk), user=cw.dept_user)
    assert counts(cw.dept_user)["待签收的问题线索"] == 0
    assert counts(cw.dept_user)["待报告处置情况的线索"] == 1


def test_problems_wait_on_the_leader_then_the_office(cw, client):
    category, _ = ProblemCategory.objects.get_or_create(code="T-TODO", defaults={"name": "违纪"})
    problem = problem_create(
        target=cw.target,
        category=category,
        description="公款吃喝",
        source="interview",
        severity="serious",
        user=cw.member,
    )
    assert counts(cw.member)["我的问题草稿"] == 1
    problem_transition(problem=problem, action="submit", user=cw.member)
    assert counts(cw.member)["我的问题草稿"] == 0
    assert counts(cw.leader)["待组内研判的问题"] == 1
    assert counts(cw.other_leader)["待组内研判的问题"] == 0
    links_open(client, cw.leader)
    problem_transition(problem=problem, action="team_approve", user=cw.leader)
    assert counts(cw.leader)["待组内研判的问题"] == 0
    assert counts(cw.officer)["待审核的问题"] == 1


def test_the_plan_waits_on_the_unit_its_top_leader_then_the_office(rw, client):
    target = rect_fixtures.make_fed_back_target(
        organization=rw.organization,
        round_=rect_fixtures.make_round(rw.office),
        problems=1,
        found_by=rw.office_user,
    )
    assert counts(rw.contact)["待编制的整改方案"] == 1
    plan = rect_services.plan_open(target=target, user=rw.contact)
    assert counts(rw.contact)["待编制的整改方案"] == 1
    assert counts(rw.leader)["待签字的整改方案"] == 0  # nothing to sign yet
    rect_fixtures.fill_plan(plan, rw.contact)
    assert counts(rw.leader)["待签字的整改方案"] == 1
    # The top leader signs; drawing up and sending are the contact's work.
    assert list(counts(rw.leader)) == ["待签字的整改方案"]
    assert "待签字的整改方案" not in counts(rw.contact)
    assert "待签字的整改方案" not in counts(rw.other_contact)
    links_open(client, rw.leader)

    rect_services.plan_sign(plan=plan, user=rw.leader)
    assert counts(rw.leader)["待签字的整改方案"] == 0
    assert counts(rw.contact)["待报送的已签字方案"] == 1
    rect_services.plan_submit(plan=plan, user=rw.contact)
    assert counts(rw.contact)["待报送的已签字方案"] == 0
    assert counts(rw.office_user)["待审核的整改方案"] == 1
    links_open(client, rw.office_user)


def test_the_top_leader_is_named_for_what_they_do(rw, client):
    client.force_login(rw.leader)
    home = client.get(reverse("core:home")).content.decode()
    assert "被巡察单位主要负责人" in home and "被巡察单位联络人" not in home
    client.force_login(rw.contact)
    assert "被巡察单位联络人" in client.get(reverse("core:home")).content.decode()


def test_ledger_items_wait_on_the_unit_then_the_office(rw, client):
    assert counts(rw.contact)["整改中、待报账或交账的事项"] == 2
    assert counts(rw.other_contact)["整改中、待报账或交账的事项"] == 1
    item = Item.objects.filter(plan=rw.plan).first()
    rect_services.ledger_hand_in(
        item=item,
        user=rw.contact,
        expected_version=item.version,
        note="已完成",
        files=[rect_fixtures.pdf_file()],
    )
    assert counts(rw.contact)["整改中、待报账或交账的事项"] == 1
    assert counts(rw.office_user)["已交账、待查账的事项"] == 1
    links_open(client, rw.office_user)
    item = rect_fixtures.fresh(item)
    rect_services.ledger_check(
        item=item, user=rw.office_user, expected_version=item.version, accept=False, note="不足"
    )
    assert counts(rw.office_user)["已交账、待查账的事项"] == 0
    assert counts(rw.contact)["查账退回的事项"] == 1
    links_open(client, rw.contact)


def test_leadership_sees_a_headline_but_no_count(rw, client):
    tasks = todo_for(rw.leadership)
    assert [t.title for t in tasks] == ["逾期未完成的整改事项"]
    assert todo_count(tasks) == 0
    assert "todo-badge" not in badge(client, rw.leadership)
    client.force_login(rw.leadership)
    assert "需要关注" in client.get(reverse("core:todo")).content.decode()


def test_the_to_do_page_and_badge_are_bounded_in_queries(rw, client, django_assert_max_num_queries):
    for user in (rw.office_user, rw.contact, rw.leader, rw.leadership, rw.discipline):
        client.force_login(user)
        with django_assert_max_num_queries(TODO_QUERIES):
            assert client.get(reverse("core:todo")).status_code == 200
        with django_assert_max_num_queries(TODO_QUERIES):
            assert client.get(reverse("core:home")).status_code == 200
        with django_assert_max_num_queries(TODO_QUERIES - 5):
            client.get(reverse("core:todo_badge"))


def test_signed_out_people_have_no_to_do(client):
    response = client.get(reverse("core:todo"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the navbar's count, cached ----------------------------------------------------


def test_the_navbar_count_is_served_from_the_cache_until_a_hand_off(
    rw, client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from xuncha.core.todo import GENERATION_KEY, cached_todo_count
    from xuncha.notifications.services import hand_off

    user = rw.contact
    expected = todo_count(todo_for(user))
    assert expected  # the contact has plans to draw up
    client.force_login(user)
    first = client.get(reverse("core:todo_badge")).content.decode()
    assert f'data-testid="todo-badge">{expected}<' in first
    # Cached: the badge costs no provider query, and pages show it without htmx.
    with django_assert_max_num_queries(8):
        again = client.get(reverse("core:todo_badge")).content.decode()
    assert again == first
    page = client.get(reverse("notifications:notification_list")).content.decode()
    assert f'data-testid="todo-badge">{expected}<' in page
    assert 'hx-get="' + reverse("core:todo_badge") not in page

    # A hand-off starts a new generation: the next count is computed again.
    before = cache.get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        hand_off(recipients=[rw.office_user], title="测试", url="/", awaits="test:1")
    assert cache.get(GENERATION_KEY) != before
    assert cached_todo_count(user, compute=False) is None
    assert cached_todo_count(user) == expected


def test_without_a_cached_count_the_page_asks_for_it_after_loading(rw, client):
    client.force_login(rw.contact)
    page = client.get(reverse("notifications:notification_list")).content.decode()
    assert 'hx-get="' + reverse("core:todo_badge") in page

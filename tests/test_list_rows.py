"""The five busiest lists write their rows in Python (xuncha/core/rows.py): each
writes what its template wrote. The old rows are kept here, as they were in
the templates, and rendered beside the new ones from the same page of the real
view; the two must be the same markup (whitespace runs count as one space:
the template's indentation is all that differs)."""

import datetime
import re

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from clues.models import Clue
from clues.views.rows import clue_rows
from rounds.models import Problem, Target
from tests.rect_fixtures import set_item, world
from tests.test_clues_pages import build_world, draft
from xuncha.core.rows import esc, truncate, url_maker, ymd

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(\"x\")</script> & '引号' 违规发放津补贴，涉及资金一百万元，" + "长" * 60

BADGE = (
    "{% if item.state == 'closed' or item.state == 'accepted' %}text-bg-success"
    "{% elif item.state == 'handed_in' %}text-bg-info{% elif item.state == 'transferred' %}"
    "text-bg-secondary{% elif item.state == 'planning' %}text-bg-light border"
    "{% else %}text-bg-primary{% endif %}"
)

OLD_PROBLEM_ROWS = """{% load i18n %}{% for problem in page %}
    <tr>
      <td><a href="{{ problem.get_absolute_url }}">{{ problem.description|truncatechars:50 }}</a>{% if problem.immediate_fix %} <span class="badge text-bg-success">{% translate "立行立改" %}</span>{% endif %}
        <div class="small text-muted d-md-none">{{ problem.target.organization.name }}</div></td>
      <td class="d-none d-md-table-cell small">{{ problem.target.organization.name }}</td>
      <td class="d-none d-lg-table-cell small">{{ problem.round.name }}<div class="text-muted">{{ problem.team.name }}</div></td>
      <td class="d-none d-lg-table-cell small">{{ problem.category.name }}</td>
      {% if shows_source %}<td class="d-none d-md-table-cell small">{{ problem.get_source_display }}</td>{% endif %}
      <td class="small text-nowrap{% if problem.severity == 'grave' %} text-danger fw-semibold{% endif %}">{{ problem.get_severity_display }}</td>
      <td class="d-none d-md-table-cell small text-nowrap">{{ problem.found_on|date:"Y-m-d" }}</td>
      <td><span class="badge {% if problem.status == 'draft' %}text-bg-light border{% elif problem.status == 'team_review' %}text-bg-info{% elif problem.status == 'office_review' %}text-bg-warning{% elif problem.status == 'in_report' %}text-bg-primary{% else %}text-bg-success{% endif %}">{{ problem.get_status_display }}</span></td>
    </tr>{% endfor %}"""

OLD_TARGET_ROWS = """{% load i18n %}{% for target in page %}
    <tr>
      <td><a href="{{ target.get_absolute_url }}">{{ target.organization.name }}</a><div class="small text-muted">{{ target.organization.code }}</div></td>
      <td class="small">{{ target.round.name }}<div class="text-muted">{{ target.team.name }}</div></td>
      <td class="d-none d-md-table-cell small">{{ target.organization.region|default:"市直" }}</td>
      <td class="d-none d-lg-table-cell small">{{ target.leader_name|default:"—" }}</td>
      <td class="d-none d-md-table-cell small text-nowrap">{{ target.entry_date|date:"Y-m-d"|default:"—" }}</td>
      <td class="d-none d-lg-table-cell small text-nowrap">{{ target.feedback_date|date:"Y-m-d"|default:"—" }}</td>
      <td class="d-none d-lg-table-cell small text-nowrap">{{ target.rectification_due|date:"Y-m-d"|default:"—" }}</td>
      <td>{% include "rounds/_target_status.html" %}</td>
    </tr>{% endfor %}"""

OLD_ITEM_ROWS = (
    """{% load i18n %}{% for item in page %}
    <tr>
      <td><a href="{{ item.get_absolute_url }}">{{ item.problem.description|truncatechars:40 }}</a></td>
      <td class="d-none d-md-table-cell small"><a class="link-secondary" href="?organization={{ item.organization_id }}">{{ item.organization.name }}</a>{% if item.transferred_to %}<div class="text-muted">{% translate "转办：" %}{{ item.transferred_to.name }}</div>{% endif %}</td>
      <td class="d-none d-lg-table-cell small">{{ item.get_kind_display }}</td>
      <td class="d-none d-lg-table-cell small">{{ item.responsible_person|default:"—" }}</td>
      <td class="text-nowrap small">{{ item.deadline|date:"Y-m-d"|default:"—" }}</td>
      <td class="text-end small">{{ item.progress }}%</td>
      <td><div class="d-flex flex-wrap gap-1"><span class="badge BADGE">{{ item.get_state_display }}</span>{% with colour=item.colour %}{% if colour == "red" %}<span class="badge text-bg-danger" data-colour="red">{% translate "红色·已逾期" %}</span>{% elif colour == "yellow" %}<span class="badge text-bg-warning" data-colour="yellow">{% translate "黄色·临期" %}</span>{% elif colour == "green" %}<span class="badge text-bg-success" data-colour="green">{% translate "绿色·将到期" %}</span>{% endif %}{% endwith %}</div></td>
    </tr>{% endfor %}"""
).replace("BADGE", BADGE)

OLD_OVERDUE_CELLS = """
  <td class="d-none d-md-table-cell small">{{ item.responsible_person|default:"—" }}</td>
  <td class="text-nowrap small">{{ item.deadline|date:"Y-m-d" }}</td>
  <td class="text-end text-danger small text-nowrap">{% blocktranslate count days=item.days_overdue %}{{ days }} 天{% plural %}{{ days }} 天{% endblocktranslate %}</td>
  <td><span class="badge BADGE">{{ item.get_state_display }}</span></td>
</tr>"""
OLD_OVERDUE_LINK = '<td><a href="{{ item.get_absolute_url }}">{{ item.problem.description|truncatechars:40 }}</a></td>'
OLD_OVERDUE_ROWS = (
    "{% load i18n %}{% for item in page %}<tr>\n  "
    + OLD_OVERDUE_LINK
    + '\n  <td class="d-none d-md-table-cell small">{{ item.organization.name }}</td>'
    + OLD_OVERDUE_CELLS
    + "\n  {% endfor %}"
).replace("BADGE", BADGE)
OLD_OVERDUE_GROUPS = (
    """{% load i18n %}{% regroup page.object_list by organization as groups %}
  {% for group in groups %}
  <tbody>
    <tr class="table-light"><th colspan="5"><a href="{% url 'rectification:item_list' %}?organization={{ group.grouper.pk }}">{{ group.grouper.name }}</a> <span class="badge text-bg-danger">{{ group.list|length }}</span></th></tr>
    {% for item in group.list %}<tr>
  """
    + OLD_OVERDUE_LINK
    + OLD_OVERDUE_CELLS
    + """{% endfor %}
  </tbody>
  {% endfor %}"""
).replace("BADGE", BADGE)

OLD_CLUE_ROWS = """{% load i18n %}{% for clue in page %}
    <tr{% if clue.urgent %} class="table-danger"{% endif %}>
      <td class="text-nowrap"><a href="{{ clue.get_absolute_url }}">{{ clue.number }}</a><div>{% if clue.urgent %}<span class="badge text-bg-danger" data-testid="urgent-badge"><i class="bi bi-lightning-charge-fill" aria-hidden="true"></i> {% translate "直报快车道" %}</span>{% endif %}</div></td>
      <td>{{ clue.person_name }}<div class="small text-muted">{{ clue.person_position }}{% if clue.person_is_top_leader %} · {% translate "一把手" %}{% endif %}</div></td>
      <td class="d-none d-md-table-cell small">{{ clue.get_discipline_display }}</td>
      <td class="d-none d-lg-table-cell small">{{ clue.target.organization.name }}<div class="text-muted">{{ clue.round.name }}{{ clue.team.name }}</div></td>
      <td class="d-none d-md-table-cell small">{{ clue.department.name }}</td>
      <td><span class="badge {% if clue.status == 'draft' %}text-bg-light border{% elif clue.status == 'submitted' %}text-bg-info{% elif clue.status == 'approved' %}text-bg-primary{% elif clue.status == 'received' %}text-bg-warning{% else %}text-bg-success{% endif %}">{{ clue.get_status_display }}</span>{% if clue.is_overdue %} <span class="badge text-bg-danger" data-testid="overdue-badge"><i class="bi bi-alarm" aria-hidden="true"></i> {% translate "处置逾期" %}</span>{% endif %}</td>
      <td class="text-nowrap small">{{ clue.disposition_due|date:"Y-m-d"|default:"—" }}</td>
    </tr>{% endfor %}"""


def spaced(markup: str) -> str:
    return re.sub(r"\s+", " ", markup).strip()


def old_rows(template: str, **context) -> str:
    return spaced(engines["django"].from_string(template).render(context))


def page_of(client, user, url: str, language: str = "zh-hans"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response


def table_body(response, testid: str) -> str:
    """What follows the table's head: its <tbody> (or, grouped, its <tbody>s)."""
    content = response.content.decode()
    assert content.count(f'data-testid="{testid}"') == 1
    table = content.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    return spaced(table.split("</tr></thead>")[1])


def assert_same(response, testid: str, template: str, *, grouped=False, **context) -> str:
    """The page's table body against the old template's rows, in the page's language."""
    page = response.context["page"]
    assert len(page.object_list) > 0
    with translation.override(response.context["LANGUAGE_CODE"]):
        expected = old_rows(template, page=page, **context)
    rows = spaced(response.context["rows"])
    assert rows == expected
    assert table_body(response, testid) == (expected if grouped else f"<tbody> {expected} </tbody>")
    return rows


@pytest.fixture
def w():
    w = world(problems=4, other_problems=3)
    today = timezone.localdate()
    problems = list(Problem.objects.filter(target=w.target).order_by("pk"))
    Problem.objects.filter(pk=problems[0].pk).update(
        description=HOSTILE, immediate_fix=True, severity="grave", status="draft"
    )
    Problem.objects.filter(pk=problems[1].pk).update(status="team_review", source="data")
    Problem.objects.filter(pk=problems[2].pk).update(status="office_review", description="短")
    items = w.items
    set_item(items[0], state="in_progress", deadline=today - datetime.timedelta(days=3))
    set_item(items[1], state="in_progress", deadline=today + datetime.timedelta(days=2))
    set_item(
        items[2],
        state="transferred",
        transferred_to=w.department,
        deadline=today + datetime.timedelta(days=20),
        responsible_person='王"五"&<i>',
        progress=40,
    )
    set_item(items[3], state="accepted", deadline=None, kind="ongoing")
    other = w.other_item
    set_item(other, state="handed_in", deadline=today - datetime.timedelta(days=1200))
    Target.objects.filter(pk=w.other_target.pk).update(
        leader_name="", entry_date=None, status="on_site"
    )
    return w


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_problem_rows_are_the_templates_rows(w, client, language):
    for shows_source, user in ((True, w.office_user), (False, w.contact)):
        response = page_of(client, user, reverse("rounds:problem_list"), language)
        assert response.context["shows_source"] is shows_source
        rows = assert_same(response, "problem-table", OLD_PROBLEM_ROWS, shows_source=shows_source)
    office = page_of(client, w.office_user, reverse("rounds:problem_list"), language)
    rows = spaced(office.context["rows"])
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;引号&#x27;" in rows
    assert "<script>" not in rows
    word = "Fixed on the spot" if language == "en" else "立行立改"
    assert f'<span class="badge text-bg-success">{word}</span>' in rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_target_rows_are_the_templates_rows(w, client, language):
    response = page_of(client, w.office_user, reverse("rounds:target_list"), language)
    rows = assert_same(response, "target-table", OLD_TARGET_ROWS)
    assert "—" in rows  # no leader name, no entry date


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_item_rows_are_the_templates_rows(w, client, language):
    for user in (w.office_user, w.contact):
        response = page_of(client, user, reverse("rectification:item_list"), language)
        rows = assert_same(response, "item-table", OLD_ITEM_ROWS)
    office = page_of(client, w.office_user, reverse("rectification:item_list"), language)
    rows = spaced(office.context["rows"])
    assert "王&quot;五&quot;&amp;&lt;i&gt;" in rows
    for colour in ("red", "yellow"):
        assert f'data-colour="{colour}"' in rows
    word = "Transferred to: " if language == "en" else "转办："
    assert f'<div class="text-muted">{word}' in rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("sort", ["deadline", "organization"])
def test_overdue_rows_are_the_templates_rows(w, client, language, sort):
    url = reverse("rectification:overdue_list") + f"?sort={sort}"
    response = page_of(client, w.office_user, url, language)
    assert response.context["sort"] == sort
    today = timezone.localdate()
    for item in response.context["page"]:
        item.days_overdue = (today - item.deadline).days
    template = OLD_OVERDUE_GROUPS if sort == "organization" else OLD_OVERDUE_ROWS
    rows = assert_same(response, "overdue-table", template, grouped=sort == "organization")
    assert ("1200 days" if language == "en" else "1200 天") in rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clue_rows_are_the_templates_rows(
    client, settings, tmp_path, language, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    cw = build_world()
    plain = draft(cw)
    hostile = draft(cw, person='<b>"张&三"</b>', urgent=True)
    received = draft(cw, person="李四")
    now = timezone.now()
    Clue.objects.filter(pk=hostile.pk).update(person_position="", person_is_top_leader=False)
    Clue.objects.filter(pk=received.pk).update(
        status="received",
        submitted_at=now,
        approved_at=now,
        received_at=now,
        disposition_due=timezone.localdate() - datetime.timedelta(days=1),
    )
    Clue.objects.filter(pk=plain.pk).update(
        status="closed", submitted_at=now, approved_at=now, received_at=now, closed_at=now
    )
    response = page_of(client, cw.officer, reverse("clues:clue_list"), language)
    rows = assert_same(response, "clue-table", OLD_CLUE_ROWS)
    assert "&lt;b&gt;&quot;张&amp;三&quot;&lt;/b&gt;" in rows
    assert 'data-testid="overdue-badge"' in rows
    assert ("Top leader" if language == "en" else "一把手") in rows
    objects = list(response.context["page"].object_list)
    with django_assert_num_queries(0):  # only() keeps what the rows show
        clue_rows(objects)


def test_an_empty_page_says_so(client):
    from tests.factories import make_user
    from xuncha.accounts.roles import Role

    client.force_login(make_user(Role.OFFICE))
    for name, message in (
        ("rounds:problem_list", "没有符合条件的问题。"),
        ("rounds:target_list", "没有符合条件的巡察对象。"),
        ("rectification:item_list", "没有符合条件的整改事项。"),
        ("rectification:overdue_list", "没有逾期事项。"),
    ):
        response = client.get(reverse(name))
        assert response.context["rows"] == ""
        assert message in response.content.decode()


def test_the_helpers_write_what_the_filters_wrote():
    django = engines["django"]
    for text in ["短", "a" * 40, "a" * 41, HOSTILE, "e\u0301" * 45, "cafe\u0301 " * 12]:
        for length in (1, 2, 40, 50):
            expected = django.from_string("{{ t|truncatechars:n }}").render(
                {"t": text, "n": length}
            )
            assert esc(truncate(text, length)) == expected, (text, length)
    assert esc("<a href='x'>&\"") == "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;"
    moment = datetime.datetime(2026, 1, 1, 17, 30, tzinfo=datetime.UTC)  # 01:30 the next day here
    expected = django.from_string('{{ m|date:"Y-m-d" }}').render({"m": moment})
    assert ymd(moment) == expected == "2026-01-02"
    assert ymd(None) == "" and ymd(datetime.date(2026, 3, 4)) == "2026-03-04"
    assert url_maker("rounds:problem_detail")(123) == reverse("rounds:problem_detail", args=[123])


def test_the_rows_read_nothing_more_from_the_database(w, client, django_assert_num_queries):
    """only() leaves out what the rows do not show: a row that touched a left-out
    column would fetch it, one query per row."""
    from rectification.views.rows import item_rows, overdue_rows
    from rounds.views.rows import problem_rows, target_rows

    today = timezone.localdate()
    for name, write in (
        ("rounds:problem_list", lambda page: problem_rows(page, shows_source=True)),
        ("rounds:target_list", target_rows),
        ("rectification:item_list", lambda page: item_rows(page, today=today)),
        (
            "rectification:overdue_list",
            lambda page: overdue_rows(page, today=today, by_organization=True),
        ),
    ):
        page = page_of(client, w.office_user, reverse(name)).context["page"]
        objects = list(page.object_list)
        assert objects
        with django_assert_num_queries(0):
            write(objects)


def test_a_name_not_yet_in_the_cached_map_is_read_by_id():
    from rounds.models import Round
    from tests.rounds_factories import RoundFactory
    from xuncha.core.rows import Names

    round_ = RoundFactory()
    names = Names({}, Round)  # the map was cached before this round was made
    assert names[round_.pk] == round_.name
    assert dict(names) == {round_.pk: round_.name}  # kept for the page's next rows

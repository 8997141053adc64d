"""The dashboard in headless Chromium: every chart draws, nothing is logged to the console."""

import pytest

from rounds.models import ProblemCategory
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user
from xuncha.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A transactional test empties the tables afterwards, the migration's category
# tree included: put back the part the fixtures use.
CATEGORIES = [
    ("A", "党的领导弱化", None),
    ("A01", "贯彻落实党中央决策部署和上级要求不到位", "A"),
    ("A02", "“三重一大”事项未经集体研究决策", "A"),
    ("B", "党的建设缺失", None),
    ("C", "全面从严治党不力", None),
    ("C04", "违规发放津补贴", "C"),
]


@pytest.fixture
def world():
    for code, name, parent in CATEGORIES:
        ProblemCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": ProblemCategory.objects.get(code=parent) if parent else None,
            },
        )
    from tests.test_dashboard import World

    return World()


def test_leadership_dashboard_draws_every_chart(page, live_server, world):
    make_user(Role.LEADERSHIP, username="leader", office=world.city)
    sign_in(page, live_server.url, "leader", PASSWORD)

    page.goto(f"{live_server.url}/dashboard/")
    assert "共对5家党组织开展巡察" in page.get_by_test_id("headline").inner_text()
    charts = page.locator("[data-chart]")
    count = charts.count()
    assert count >= 10
    for i in range(count):
        chart = charts.nth(i)
        chart.locator("svg, canvas").first.wait_for(state="attached", timeout=5000)
        name = chart.get_attribute("data-chart")
        assert chart.locator("svg, canvas").count() > 0, name
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, name
    # The table view opens and holds the numbers.
    panel = page.locator("#panel-problems_source")
    panel.locator("summary").click()
    assert panel.locator("tbody tr").count() == 5
    assert page.get_by_test_id("coverage-grid").locator(".dash-tile").count() == 3
    assert page.console_errors == []


def test_dashboard_fits_a_phone(phone_page, live_server, world):
    make_user(Role.OFFICE, username="office", office=world.city)
    sign_in(phone_page, live_server.url, "office", PASSWORD)
    phone_page.goto(f"{live_server.url}/dashboard/")
    phone_page.locator("#chart-trend_round svg").wait_for(state="attached")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375

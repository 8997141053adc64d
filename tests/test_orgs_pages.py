"""The organization and cadre pages: filters, paging, scope, and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    CadreFactory,
    OfficeFactory,
    OrganizationFactory,
    RegionFactory,
    SpecialtyFactory,
    make_user,
)
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Cadre, Organization
from xuncha.orgs.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

# Session, user, roles, office, count, permissions (twice: the import button),
# regions for the filter form, the page, and the session save in a savepoint.
MAX_LIST_QUERIES = 14  # +1: the unread-notification badge; +1: the second-factor device

LIST_URL = reverse("orgs:organization_list")
CADRES_URL = reverse("orgs:cadre_list")


def listed(response) -> list[str]:
    return [org.code for org in response.context["page"]]


@pytest.fixture
def regions():
    return RegionFactory(name="历下区"), RegionFactory(name="市中区")


@pytest.fixture
def organizations(regions):
    lixia, shizhong = regions
    return {
        "city_bureau": OrganizationFactory(code="C-001", name="中共测试市财政局党组"),
        "city_college": OrganizationFactory(
            code="C-002", name="中共测试学院委员会", sector=Organization.Sector.UNIVERSITY
        ),
        "lixia_street": OrganizationFactory(
            code="L-001",
            name="中共历下区某街道工作委员会",
            region=lixia,
            level=Organization.Level.TOWNSHIP,
            sector=Organization.Sector.TOWNSHIP,
        ),
        "lixia_village": OrganizationFactory(
            code="L-002",
            name="中共某村支部委员会",
            region=lixia,
            level=Organization.Level.VILLAGE,
            sector=Organization.Sector.VILLAGE,
            kind=Organization.Kind.BRANCH,
        ),
        "shizhong_street": OrganizationFactory(
            code="S-001",
            name="中共市中区某街道工作委员会",
            region=shizhong,
            level=Organization.Level.TOWNSHIP,
            sector=Organization.Sector.TOWNSHIP,
        ),
    }


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


# --- filters --------------------------------------------------------------------------


def test_city_office_sees_every_organization(office_client, organizations):
    response = office_client.get(LIST_URL)
    assert listed(response) == ["C-001", "C-002", "L-001", "L-002", "S-001"]
    assert "共 5 个" in response.content.decode()


def test_filter_by_region(office_client, organizations, regions):
    response = office_client.get(LIST_URL, {"region": regions[0].pk})
    assert listed(response) == ["L-001", "L-002"]


def test_filter_by_sector(office_client, organizations):
    response = office_client.get(LIST_URL, {"sector": Organization.Sector.TOWNSHIP})
    assert listed(response) == ["L-001", "S-001"]


def test_filter_by_level_and_kind(office_client, organizations):
    assert listed(office_client.get(LIST_URL, {"level": Organization.Level.VILLAGE})) == ["L-002"]
    assert listed(office_client.get(LIST_URL, {"kind": Organization.Kind.BRANCH})) == ["L-002"]


def test_search_by_name_or_code(office_client, organizations):
    assert listed(office_client.get(LIST_URL, {"q": "街道"})) == ["L-001", "S-001"]
    assert listed(office_client.get(LIST_URL, {"q": "c-00"})) == ["C-001", "C-002"]


def test_filters_combine(office_client, organizations, regions):
    response = office_client.get(
        LIST_URL, {"region": regions[0].pk, "sector": Organization.Sector.TOWNSHIP, "q": "街道"}
    )
    assert listed(response) == ["L-001"]


def test_unknown_filter_value_is_ignored_not_an_error(office_client, organizations):
    response = office_client.get(LIST_URL, {"sector": "no-such-sector", "region": "abc"})
    assert response.status_code == 200
    assert len(listed(response)) == 5


def test_no_match_says_so(office_client, organizations):
    response = office_client.get(LIST_URL, {"q": "不存在的单位"})
    assert listed(response) == []
    assert "没有符合条件的党组织" in response.content.decode()


# --- paging and query counts --------------------------------------------------------------


def make_organizations(count: int, region) -> None:
    parent = OrganizationFactory(region=region)
    OrganizationFactory.create_batch(count - 1, region=region, parent=parent)


def test_list_is_paged_and_page_links_keep_the_filters(office_client, regions):
    make_organizations(PAGE_SIZE + 10, regions[0])

    first = office_client.get(LIST_URL, {"region": regions[0].pk})
    assert len(listed(first)) == PAGE_SIZE
    html = first.content.decode()
    assert "第 1 / 2 页" in html
    assert f"region={regions[0].pk}&amp;page=2" in html

    second = office_client.get(LIST_URL, {"region": regions[0].pk, "page": 2})
    assert len(listed(second)) == 10
    assert set(listed(first)).isdisjoint(listed(second))


def test_page_out_of_range_shows_the_last_page(office_client, regions):
    make_organizations(PAGE_SIZE + 10, regions[0])
    response = office_client.get(LIST_URL, {"page": 99})
    assert response.status_code == 200
    assert response.context["page"].number == 2


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_organization_list_queries_do_not_grow_with_rows(
    office_client, regions, django_assert_max_num_queries
):
    make_organizations(10, regions[0])
    few = count_queries(office_client, LIST_URL)
    make_organizations(50, regions[1])
    with django_assert_max_num_queries(few):
        response = office_client.get(LIST_URL)
    assert response.context["page"].paginator.count == 60
    assert few <= MAX_LIST_QUERIES


def test_cadre_list_queries_do_not_grow_with_rows(office_client, django_assert_max_num_queries):
    specialties = [SpecialtyFactory(name=n) for n in ("财务", "审计", "法律")]
    for cadre in CadreFactory.create_batch(10):
        cadre.specialties.set(specialties)
    few = count_queries(office_client, CADRES_URL)
    for cadre in CadreFactory.create_batch(50):
        cadre.specialties.set(specialties[:2])
    with django_assert_max_num_queries(few):
        response = office_client.get(CADRES_URL)
    assert response.context["page"].paginator.count == 60
    assert few <= MAX_LIST_QUERIES


def test_organization_detail_queries_do_not_grow_with_children(
    office_client, django_assert_max_num_queries
):
    parent = OrganizationFactory()
    OrganizationFactory.create_batch(3, parent=parent)
    url = reverse("orgs:organization_detail", args=[parent.pk])
    few = count_queries(office_client, url)
    OrganizationFactory.create_batch(30, parent=parent)
    with django_assert_max_num_queries(few):
        office_client.get(url)


# --- scope -------------------------------------------------------------------------------


@pytest.fixture
def lixia_office_user(regions):
    office = OfficeFactory(district=True, region=regions[0])
    return make_user(Role.OFFICE, username="lixia_office", office=office)


def test_district_office_sees_only_its_district(client, organizations, lixia_office_user):
    client.force_login(lixia_office_user)
    assert listed(client.get(LIST_URL)) == ["L-001", "L-002"]
    # A filter cannot widen the scope.
    assert (
        listed(client.get(LIST_URL, {"region": organizations["shizhong_street"].region_id})) == []
    )


def test_district_office_cannot_open_another_districts_organization(
    client, organizations, lixia_office_user
):
    client.force_login(lixia_office_user)
    own = organizations["lixia_street"]
    other = organizations["shizhong_street"]
    city = organizations["city_bureau"]
    assert client.get(reverse("orgs:organization_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("orgs:organization_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("orgs:organization_detail", args=[city.pk])).status_code == 404


def test_district_leadership_sees_only_its_district(client, organizations, regions):
    office = OfficeFactory(district=True, region=regions[1])
    client.force_login(make_user(Role.LEADERSHIP, office=office))
    assert listed(client.get(LIST_URL)) == ["S-001"]


def test_unit_contact_sees_its_organization_and_not_the_others(client, organizations):
    own = organizations["lixia_street"]
    client.force_login(make_user(Role.UNIT_CONTACT, organization=own))
    assert listed(client.get(LIST_URL)) == ["L-001"]
    assert listed(client.get(LIST_URL, {"q": "市中区"})) == []
    detail = client.get(reverse("orgs:organization_detail", args=[own.pk]))
    assert detail.status_code == 200
    assert own.name in detail.content.decode()
    other = organizations["lixia_village"]
    assert client.get(reverse("orgs:organization_detail", args=[other.pk])).status_code == 404


def test_unit_contact_without_an_organization_sees_nothing(client, organizations):
    client.force_login(make_user(Role.UNIT_CONTACT, organization=None))
    assert listed(client.get(LIST_URL)) == []


def test_detail_lists_only_children_the_user_may_see(client, regions):
    parent = OrganizationFactory(code="P-1", name="中共测试市委某工委")
    OrganizationFactory(code="P-1-a", name="本区下级", parent=parent, region=regions[0])
    OrganizationFactory(code="P-1-b", name="他区下级", parent=parent, region=regions[1])

    client.force_login(make_user(Role.OFFICE))
    html = client.get(reverse("orgs:organization_detail", args=[parent.pk])).content.decode()
    assert "本区下级" in html and "他区下级" in html

    # A unit contact of the parent sees the parent, but not the children's pages.
    client.force_login(make_user(Role.UNIT_CONTACT, organization=parent))
    html = client.get(reverse("orgs:organization_detail", args=[parent.pk])).content.decode()
    assert "本区下级" not in html and "他区下级" not in html


# --- cadres ------------------------------------------------------------------------------


def test_cadre_list_filters_by_pool_rank_specialty_and_name(office_client):
    finance = SpecialtyFactory(name="财务")
    leader = CadreFactory(
        name="张组长", in_leader_pool=True, in_talent_pool=False, rank=Cadre.Rank.DEPARTMENT
    )
    member = CadreFactory(name="李组员", in_leader_pool=False, in_talent_pool=True)
    member.specialties.add(finance)

    def names(**params):
        return [c.name for c in office_client.get(CADRES_URL, params).context["page"]]

    assert names(pool="leader") == [leader.name]
    assert names(pool="talent") == [member.name]
    assert names(rank=Cadre.Rank.DEPARTMENT) == [leader.name]
    assert names(specialty=finance.pk) == [member.name]
    assert names(q="组长") == [leader.name]


def test_cadre_detail_shows_relations_for_recusal(office_client):
    cadre = CadreFactory(name="王干部")
    spouse_org = OrganizationFactory(name="中共配偶单位党委")
    cadre.relations.create(relation="spouse", name="赵某", organization=spouse_org)
    html = office_client.get(reverse("orgs:cadre_detail", args=[cadre.pk])).content.decode()
    assert "王干部" in html
    assert "配偶" in html and "中共配偶单位党委" in html

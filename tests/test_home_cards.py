"""The home page's cards and the import page's kinds come from registries on
the ground floor, filled by each app's ``AppConfig.ready()``: the portal and
the imports machinery name no domain app, and the page still shows every card
in the order it always had."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from rounds import home as rounds_home
from tests.factories import make_user
from xuncha.accounts.roles import Role
from xuncha.core import cards as registry
from xuncha.core.cards import Card, cards_for, register_cards
from xuncha.imports.kinds import all_kinds, get_kind, register_kind

pytestmark = pytest.mark.django_db


def titles(user) -> list[str]:
    return [card.title for card in cards_for(user)]


def test_office_sees_the_rounds_cards_then_the_organization_cards():
    assert titles(make_user(Role.OFFICE)) == [
        "进行中的巡察",
        # Problems waiting for the office's check are on the 待办 card now.
        "本周缺报日报的巡察组",
        "组织库",
        "组长库",
        "人才库",
    ]


def test_leadership_sees_rounds_then_the_organizations_to_cover():
    assert titles(make_user(Role.LEADERSHIP)) == ["进行中的巡察", "已反馈的问题", "巡察对象总数"]


def test_a_unit_contact_sees_their_organization_then_the_problems_fed_back():
    assert titles(make_user(Role.UNIT_CONTACT)) == ["所属党组织", "巡察反馈的问题"]


def test_a_unit_contact_without_an_organization_is_told_to_ask_the_office():
    cards = cards_for(make_user(Role.UNIT_CONTACT, organization=None))
    assert [(c.title, c.text) for c in cards] == [
        ("所属党组织", "您的账号尚未关联党组织，请联系巡察办。")
    ]


def test_a_builder_shared_by_two_roles_shows_its_cards_once():
    user = make_user(Role.TEAM_LEADER)
    user.groups.add(*make_user(Role.TEAM_MEMBER, username="m").groups.all())
    assert titles(user) == ["我的巡察组"]


def test_the_home_page_shows_the_registered_cards(client):
    client.force_login(make_user(Role.OFFICE))
    html = client.get(reverse("core:home")).content.decode()
    # The cards' own texts (the navigation names the lists too).
    assert html.index("处于准备、进驻、报告、反馈阶段的巡察轮次。") < html.index(
        "可担任巡察组组长的干部。"
    )


def test_registering_the_same_builder_again_changes_nothing():
    before = list(registry._BUILDERS[Role.OFFICE])
    register_cards([Role.OFFICE], rounds_home.office_cards, order=10)
    assert registry._BUILDERS[Role.OFFICE] == before


def test_two_builders_may_not_share_a_role_and_an_order(monkeypatch):
    monkeypatch.setitem(registry._BUILDERS, Role.AUDITOR, list(registry._BUILDERS[Role.AUDITOR]))
    with pytest.raises(ImproperlyConfigured, match="相同的顺序号"):
        register_cards([Role.AUDITOR], lambda user: [Card("x", "y")], order=10)


def test_the_apps_register_their_import_kinds_in_page_order():
    # In the order an office loads a past term: what each kind refers to comes first.
    assert [kind.key for kind in all_kinds()] == [
        "organizations",
        "cadres",
        "rounds",
        "problems",
        "clues",
        "clue_people",
        "items",
        "recommendations",
    ]
    assert get_kind("problems").label == "发现问题"
    with pytest.raises(LookupError):
        get_kind("nonsense")


def test_an_import_kind_may_not_be_registered_twice_by_two_builders():
    with pytest.raises(ImproperlyConfigured, match="注册了两次"):
        register_kind("problems", lambda: None, order=99)

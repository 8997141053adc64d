"""What every page reads (the person's roles and permissions, the session's
verifying device, the unread count, the filter options) is kept between
requests, and every change that matters shows on the very next page: a
withdrawn role or permission, a reset authenticator, a new notification,
a new round."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import OfficeFactory, make_user, role_group
from tests.rect_fixtures import make_round
from xuncha.accounts import services as account_services
from xuncha.accounts.roles import Role, granters_of
from xuncha.notifications.services import mark_read, notify

pytestmark = pytest.mark.django_db

PROBLEMS = reverse("rounds:problem_list")
CLUES = reverse("clues:clue_list")
HOME = reverse("core:home")


def fresh(user):
    """The same person as a new request reads them (no per-object caches)."""
    return type(user).objects.get(pk=user.pk)


def test_a_list_page_reads_only_the_person_and_its_rows_once_warm(client):
    office = make_user(Role.OFFICE)
    make_round(office.office)
    client.force_login(office)
    client.get(PROBLEMS)  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PROBLEMS).status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    for table in (
        "auth_group",
        "otp_totp_totpdevice",
        "notifications_notification",
        "rounds_round",
    ):
        assert table not in tables, table
    # The person (with their office), then the list's count and rows.
    assert len(queries.captured_queries) <= 3


def test_a_withdrawn_role_is_gone_from_the_next_page(client):
    office = make_user(Role.OFFICE)
    client.force_login(office)
    assert client.get(PROBLEMS).status_code == 200
    fresh(office).groups.remove(role_group(Role.OFFICE))
    assert client.get(PROBLEMS).status_code == 404


def test_a_role_withdrawn_from_the_group_side_is_gone_too(client):
    office = make_user(Role.OFFICE)
    client.force_login(office)
    assert client.get(PROBLEMS).status_code == 200
    role_group(Role.OFFICE).user_set.remove(office)
    assert client.get(PROBLEMS).status_code == 404


def test_roles_changed_by_the_service_apply_on_the_next_page(client):
    office = make_user(Role.OFFICE)
    actor = make_user(granters_of(Role.LEADERSHIP)[0], username="granter")
    client.force_login(office)
    assert client.get(PROBLEMS).status_code == 200
    account_services.user_set_roles(user=fresh(office), roles=[Role.LEADERSHIP], actor=actor)
    assert fresh(office).roles == frozenset({Role.LEADERSHIP})
    assert client.get(reverse("audit:entry_list")).status_code in (403, 404)


def test_a_deleted_group_takes_its_role_with_it_at_once(client):
    office = make_user(Role.OFFICE)
    extra = Group.objects.create(name=Role.LEADERSHIP.value + "-copy")
    extra.user_set.add(office)
    assert "leadership-copy" in {g for g in fresh(office).groups.values_list("name", flat=True)}
    client.force_login(office)
    client.get(PROBLEMS)
    role_group(Role.OFFICE).delete()
    assert Role.OFFICE not in fresh(office).roles
    assert client.get(PROBLEMS).status_code == 404


def test_a_withdrawn_clue_permission_applies_on_the_next_check(client):
    security = make_user(Role.SECURITY_OFFICER, username="sec")
    office = make_user(Role.OFFICE)
    account_services.user_set_clue_officer(user=office, enabled=True, actor=security)
    client.force_login(office)
    officer_page = client.get(CLUES)
    assert officer_page.status_code == 200
    assert fresh(office).has_perm("clues.manage_clue")
    account_services.user_set_clue_officer(user=fresh(office), enabled=False, actor=security)
    assert not fresh(office).has_perm("clues.manage_clue")


def test_a_permission_taken_from_the_group_applies_at_once():
    office = make_user(Role.OFFICE)
    group = role_group(Role.OFFICE)
    permission = Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
    group.permissions.add(permission)
    assert fresh(office).has_perm("clues.manage_clue")
    group.permissions.remove(permission)
    assert not fresh(office).has_perm("clues.manage_clue")
    group.permissions.add(permission)
    assert fresh(office).has_perm("clues.manage_clue")
    permission.group_set.remove(group)
    assert not fresh(office).has_perm("clues.manage_clue")


def test_an_unconfirmed_or_deleted_authenticator_ends_the_verified_session(client):
    office = make_user(Role.OFFICE)
    client.force_login(office)
    assert client.get(HOME).status_code == 200
    device = TOTPDevice.objects.get(user=office, confirmed=True)
    device.confirmed = False
    device.save()
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("twofactor:verify"))


def test_a_session_verified_by_another_persons_device_is_not_verified(client):
    office = make_user(Role.OFFICE)
    other = make_user(Role.LEADERSHIP)
    client.force_login(other)
    other_device = TOTPDevice.objects.get(user=other)
    client.force_login(office)
    assert client.get(HOME).status_code == 200
    session = client.session
    session["otp_device_id"] = other_device.persistent_id
    session.save()
    assert client.get(HOME).status_code == 302


def test_the_unread_badge_follows_new_and_read_notifications(client):
    office = make_user(Role.OFFICE)
    client.force_login(office)
    assert 'data-testid="unread-badge"' not in client.get(HOME).content.decode()
    notify(recipients=[office], title="新消息", dedupe_key="t:1")
    page = client.get(HOME).content.decode()
    assert 'data-testid="unread-badge">1<' in page
    notify(recipients=[office], title="又一条", dedupe_key="t:2")
    assert 'data-testid="unread-badge">2<' in client.get(HOME).content.decode()
    mark_read(user=office)
    assert 'data-testid="unread-badge"' not in client.get(HOME).content.decode()


def test_a_new_round_is_offered_in_the_filter_on_the_next_page(client):
    office = make_user(Role.OFFICE)
    first = make_round(office.office)
    client.force_login(office)
    assert f'<option value="{first.pk}">' in round_options(client.get(PROBLEMS).content.decode())
    second = make_round(office.office)
    options = round_options(client.get(PROBLEMS).content.decode())
    assert f'<option value="{second.pk}">' in options
    second.delete()
    options = round_options(client.get(PROBLEMS).content.decode())
    assert f'<option value="{second.pk}">' not in options


def round_options(page: str) -> str:
    """The round select of a list's filter form."""
    start = page.index('name="round"')
    return page[start : page.index("</select>", start)]


def test_a_cached_option_never_widens_what_a_person_reaches(client):
    """The options are per person: a district office is offered, and may
    filter by, only its own rounds, whatever the city office's page cached."""
    city = make_user(Role.OFFICE)
    city_round = make_round(city.office)
    district = make_user(Role.OFFICE, username="district", office=OfficeFactory(district=True))
    own_round = make_round(district.office)
    client.force_login(city)
    options = round_options(client.get(PROBLEMS).content.decode())
    assert f'<option value="{city_round.pk}">' in options
    assert f'<option value="{own_round.pk}">' in options  # the city office reaches every district
    client.force_login(district)
    options = round_options(client.get(PROBLEMS).content.decode())
    assert f'<option value="{own_round.pk}">' in options
    assert f'<option value="{city_round.pk}">' not in options
    chosen = round_options(client.get(PROBLEMS, {"round": city_round.pk}).content.decode())
    assert "selected" not in chosen.split("</option>", 1)[1]

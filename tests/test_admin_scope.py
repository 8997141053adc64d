"""The admin keeps to each person's reach: district staff edit only their own
district's organizations, the category tree is the city office's, case data has
no admin forms, and view-on-site answers 404 alike for missing and hidden objects."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from clues.models import Clue
from rectification import services as rect_services
from rectification.models import SurveyLink
from rounds.models import ProblemCategory
from tests.factories import OfficeFactory, OrganizationFactory, RegionFactory, make_user
from tests.rect_fixtures import world
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    office = OfficeFactory(district=True)
    staff = make_user(Role.OFFICE, office=office, username="district-staff")
    own = OrganizationFactory(region=office.region, level=Organization.Level.COUNTY)
    other = OrganizationFactory(region=RegionFactory(), level=Organization.Level.COUNTY)
    return staff, own, other


def change_url(org):
    return reverse("admin:orgs_organization_change", args=[org.pk])


def org_post(org, **overrides):
    data = {
        "code": org.code,
        "name": org.name,
        "short_name": "",
        "kind": org.kind,
        "sector": org.sector,
        "level": org.level,
        "region": org.region_id or "",
        "parent": "",
        "leader_name": org.leader_name,
        "leader_title": org.leader_title,
        "leader_user": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_district_staff_list_only_their_districts_organizations(client, district):
    staff, own, other = district
    client.force_login(staff)
    response = client.get(reverse("admin:orgs_organization_changelist"))
    shown = set(response.context["cl"].result_list)
    assert own in shown and other not in shown


def test_district_staff_cannot_open_or_edit_another_districts_organization(client, district):
    staff, own, other = district
    client.force_login(staff)
    assert client.get(change_url(own)).status_code == 200
    page = client.get(change_url(other))
    assert page.status_code == 302  # the admin's "does not exist", as for a missing id
    missing = client.get(reverse("admin:orgs_organization_change", args=[999999]))
    assert missing.status_code == 302 and missing["Location"] == page["Location"]
    client.post(change_url(other), org_post(other, name="被改了"))
    assert Organization.objects.get(pk=other.pk).name == other.name


def test_district_staff_cannot_move_an_organization_out_of_their_district(client, district):
    staff, own, other = district
    client.force_login(staff)
    response = client.post(change_url(own), org_post(own, region=other.region_id))
    assert response.status_code == 200  # the form again, with the reason
    assert Organization.objects.get(pk=own.pk).region_id == own.region_id
    assert not AuditEntry.objects.filter(action="organization.update").exists()


def test_district_staff_cannot_add_an_organization_in_another_district(client, district):
    staff, own, other = district
    client.force_login(staff)
    data = org_post(own, code="NEW001", name="新组织", region=other.region_id)
    client.post(reverse("admin:orgs_organization_add"), data)
    assert not Organization.objects.filter(code="NEW001").exists()
    client.post(reverse("admin:orgs_organization_add"), {**data, "region": own.region_id})
    assert Organization.objects.get(code="NEW001").region_id == own.region_id


def test_organization_save_refuses_a_district_writer_outside_the_district(district):
    from django.core.exceptions import ValidationError

    from xuncha.orgs.services import organization_save

    staff, _own, other = district
    other.name = "被改了"
    with pytest.raises(ValidationError, match="只能维护本区县"):
        organization_save(organization=other, user=staff)
    assert Organization.objects.get(pk=other.pk).name != "被改了"


def test_city_staff_edit_any_organization(client, district):
    _, _, other = district
    client.force_login(make_user(Role.OFFICE))
    response = client.post(change_url(other), org_post(other, name="市办改名"))
    assert response.status_code == 302
    assert Organization.objects.get(pk=other.pk).name == "市办改名"


def test_only_city_staff_maintain_the_category_tree(client, district):
    staff, _, _ = district
    category = ProblemCategory.objects.create(code="T9", name="测试类别")
    add = reverse("admin:rounds_problemcategory_add")
    change = reverse("admin:rounds_problemcategory_change", args=[category.pk])
    delete = reverse("admin:rounds_problemcategory_delete", args=[category.pk])
    client.force_login(staff)
    assert client.get(reverse("admin:rounds_problemcategory_changelist")).status_code == 200
    assert client.get(add).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    client.post(change, {"code": "T9", "name": "改了", "sort_order": 0, "is_active": "on"})
    assert ProblemCategory.objects.get(pk=category.pk).name == "测试类别"
    client.force_login(make_user(Role.OFFICE))
    assert client.get(add).status_code == 200
    assert client.get(change).status_code == 200


# --- view on site --------------------------------------------------------------------------


def shortcut(model, pk):
    ct = ContentType.objects.get_for_model(model)
    return reverse("admin:view_on_site", args=[ct.pk, pk])


@pytest.mark.parametrize("role", [Role.OFFICE, Role.SYSADMIN, Role.SECURITY_OFFICER], ids=str)
def test_view_on_site_never_hands_out_a_survey_token(client, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    w = world()
    assessment = rect_services.assessment_open(target=w.target, user=w.office_user)
    link = rect_services.survey_links_create(
        assessment=assessment, respondent="public", count=1, user=w.office_user
    )[0]
    client.force_login(make_user(role, username=f"viewer-{role}"))
    response = client.get(shortcut(SurveyLink, link.pk))
    assert response.status_code == 404
    assert link.token not in response.content.decode()
    assert link.token not in response.get("Location", "")


def test_view_on_site_answers_alike_for_existing_and_missing_clues(client):
    client.force_login(make_user(Role.OFFICE))
    missing = client.get(shortcut(Clue, 999999))
    assert missing.status_code == 404
    for pk in (1, "x", "../1"):
        assert client.get(shortcut(Clue, pk)).status_code == 404


def test_view_on_site_follows_only_what_the_admin_shows_the_user(client, district):
    staff, own, other = district
    client.force_login(staff)
    response = client.get(shortcut(Organization, own.pk))
    assert response.status_code == 302 and response["Location"] == own.get_absolute_url()
    assert client.get(shortcut(Organization, other.pk)).status_code == 404
    assert client.get(shortcut(Organization, 999999)).status_code == 404
    assert client.get(reverse("admin:view_on_site", args=[999999, 1])).status_code == 404


def test_case_data_has_no_admin_change_forms():
    from django.contrib import admin

    from clues import models as clue_models
    from rectification import models as rect_models
    from rounds.models import Problem

    registry = admin.site._registry
    for module in (clue_models, rect_models):
        for model in vars(module).values():
            if getattr(model, "__module__", None) == module.__name__ and model in registry:
                pytest.fail(f"{model.__name__} is registered in the admin")
    problem_admin = registry[Problem]
    superuser = type("U", (), {"is_superuser": True, "has_perm": lambda *a: True})
    request = type("R", (), {"user": superuser()})()
    assert not problem_admin.has_change_permission(request)
    assert not problem_admin.has_add_permission(request)
    assert not problem_admin.has_delete_permission(request)

"""Every admin URL of every registered model, for each admin role and for city
and district office staff, with real ids: the expected status comes from the
written table below (what each role may do with each model, and which objects
the admin hides from it), so a new model or a changed permission shows here.

Django admin's own answers: a role outside the admin site is sent to the admin
login (302); no permission is 403; an object outside the role's queryset is the
same redirect as a missing id (302), never a 200."""

import pytest
from django.contrib import admin
from django.urls import reverse

from clues.models import Clue
from rectification.models import SurveyLink
from rounds.models import Problem, ProblemCategory, Round, RoundKind, Target, Team
from tests.factories import (
    CadreFactory,
    OfficeFactory,
    RegionFactory,
    SpecialtyFactory,
    make_user,
)
from tests.rect_fixtures import world
from tests.rounds_factories import round_kind
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Cadre, Department, Office, Organization, Region, Specialty

pytestmark = pytest.mark.django_db

ROLES = ["system_admin", "security_officer", "security_auditor", "city_office", "district_office"]

# What each role may do in the admin with each model: v(iew) a(dd) c(hange) d(elete).
# Roles not named may do nothing with that model. The auditor is not let into
# the admin site at all (三员分立: the auditor reads the audit log, nothing else).
MAY = {
    User: {"system_admin": "vac", "security_officer": "vc"},
    Region: {"system_admin": "v", "city_office": "v", "district_office": "v"},
    Office: {"system_admin": "v", "city_office": "v", "district_office": "v"},
    Department: {"system_admin": "v", "city_office": "v", "district_office": "v"},
    Organization: {"system_admin": "v", "city_office": "vac", "district_office": "vac"},
    Cadre: {"city_office": "vac", "district_office": "vac"},
    Specialty: {"city_office": "v", "district_office": "v"},
    ProblemCategory: {"city_office": "vacd", "district_office": "v"},
    RoundKind: {"city_office": "v", "district_office": "v"},
    Round: {"city_office": "v", "district_office": "v"},
    Team: {"city_office": "v", "district_office": "v"},
    Target: {"city_office": "v", "district_office": "v"},
    Problem: {"city_office": "v", "district_office": "v"},
}
# The objects below belong to the city office's round and a city-level
# organization: a district office's admin does not show them (as /orgs/ and
# /rounds/ answer 404 to it); the admin duties' querysets of case data are empty.
CASE_DATA = {Round, Team, Target, Problem}
HIDDEN = {
    "district_office": {Organization, *CASE_DATA},
    "system_admin": CASE_DATA,
    "security_officer": CASE_DATA,
}
NOT_SITE = "admin login"


def test_the_table_covers_every_registered_model():
    assert set(admin.site._registry) == set(MAY)
    # Case data: never an admin add/change/delete for anyone.
    for model in (Round, Team, Target, Problem, RoundKind):
        assert all(set(perms) <= {"v"} for perms in MAY[model].values())
    for model in (Clue, SurveyLink):
        assert model not in admin.site._registry


@pytest.fixture
def objects(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world(problems=1, other_problems=1)
    case_user = make_user(Role.TEAM_MEMBER, username="case-user")
    return {
        User: case_user,
        Region: RegionFactory(),
        Office: w.office,
        Department: Department.objects.first(),
        Organization: w.organization,
        Cadre: CadreFactory(),
        Specialty: SpecialtyFactory(),
        ProblemCategory: Problem.objects.first().category,
        RoundKind: round_kind("regular"),
        Round: w.round,
        Team: w.target.team,
        Target: w.target,
        Problem: Problem.objects.filter(target=w.target).first(),
    }


def make_actor(role: str) -> User:
    if role == "city_office":
        return make_user(Role.OFFICE, office=OfficeFactory(), username="city-actor")
    if role == "district_office":
        return make_user(Role.OFFICE, office=OfficeFactory(district=True), username="dist-actor")
    return make_user(Role(role), username=f"{role}-actor")


def expected(role: str, model, kind: str):
    if role == "security_auditor":
        return NOT_SITE
    may = MAY[model].get(role, "")
    hidden = model in HIDDEN.get(role, set())
    if kind == "changelist":
        return 200 if "v" in may or "c" in may else 403
    if kind == "add":
        return 200 if "a" in may else 403
    if kind == "change":
        return 403 if not (set(may) & {"v", "c"}) else (302 if hidden else 200)
    if kind == "delete":
        return 403 if "d" not in may else (302 if hidden else 200)
    if kind == "history":  # the admin looks the object up before it checks permission
        return 302 if hidden else (200 if set(may) & {"v", "c"} else 403)
    raise AssertionError(kind)


def status(response):
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return NOT_SITE
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_url_answers_as_the_table_says(client, objects, role):
    client.force_login(make_actor(role))
    wrong = []
    for model, obj in objects.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls = {
            "changelist": reverse("admin:{}_{}_changelist".format(*info)),
            "add": reverse("admin:{}_{}_add".format(*info)),
            "change": reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
            "delete": reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]),
            "history": reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
        }
        for kind, url in urls.items():
            got, want = status(client.get(url)), expected(role, model, kind)
            if got != want:
                wrong.append(f"{kind} {url}: got {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


PASSWORD_URLS = {
    # Django's "set this user's password" form: refused for everyone (三员分立).
    "password": {
        "system_admin": 403,
        "security_officer": 403,
        "security_auditor": NOT_SITE,
        "city_office": 403,
        "district_office": 403,
    },
    # A one-time temporary password: the system admin's alone.
    "reset-password": {
        "system_admin": 200,
        "security_officer": 403,
        "security_auditor": NOT_SITE,
        "city_office": 403,
        "district_office": 403,
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_password_urls_answer_as_the_table_says(client, role):
    target = make_user(Role.TEAM_MEMBER, username="target")
    client.force_login(make_actor(role))
    for name, url_name in (
        ("password", "admin:auth_user_password_change"),
        ("reset-password", "admin:accounts_user_reset_password"),
    ):
        url = reverse(url_name, args=[target.pk])
        assert status(client.get(url)) == PASSWORD_URLS[name][role], (name, role)
        # A POST never changes another person's password outside the reset.
        if PASSWORD_URLS[name][role] != 200:
            client.post(url, {"password1": "Qz7#mountain-river", "password2": "Qz7#mountain-river"})
    target.refresh_from_db()
    assert not target.check_password("Qz7#mountain-river")
    if role != "system_admin":
        assert not target.must_change_password

"""Web hardening of issue 11 item 9: a Content-Security-Policy without inline
scripts, no-store on every signed-in page, no open redirect through ``next``,
404 (not 403) for the recommendation form."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_user
from xuncha.accounts.roles import Role
from xuncha.core.redirects import safe_next

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A <script> with content (no src) that is not a JSON data block.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\s(?:on[a-z]+|hx-on[:\-\w]*)\s*=", re.I)


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "pdf" in path.parts:
            continue  # rendered to PDF on the server, never run by a browser
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


@pytest.mark.django_db
def test_pages_carry_a_csp_that_forbids_inline_scripts(client):
    client.force_login(make_user(Role.OFFICE))
    for url in (reverse("core:home"), reverse("dashboard:index")):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
        )
        assert directives["script-src"] == ["'self'"], policy
        assert "'unsafe-inline'" not in directives["script-src"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
    assert "Content-Security-Policy" in client.get(reverse("accounts:login"))


@pytest.mark.django_db
def test_every_signed_in_page_is_no_store(client):
    client.force_login(make_user(Role.OFFICE))
    for name in ("core:home", "dashboard:index", "rounds:problem_list", "rectification:item_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], name


@pytest.mark.django_db
def test_a_views_own_cache_control_is_kept(client):
    client.force_login(make_user(Role.OFFICE))
    response = client.get(reverse("dashboard:export_xlsx"))
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_next_never_leaves_the_site(target):
    request = RequestFactory().post("/reports/new/", {"next": target})
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_next_on_the_site_is_followed():
    request = RequestFactory().post("/reports/new/", {"next": "/rounds/problems/1/?tab=a"})
    assert safe_next(request, "/fallback/") == "/rounds/problems/1/?tab=a"


@pytest.mark.django_db
def test_report_request_with_an_outside_next_stays_on_the_site(client, office_user):
    from rounds.models import Round
    from tests.rounds_factories import RoundFactory, TargetFactory

    target = TargetFactory(
        round=RoundFactory(office=office_user.office, status=Round.Status.REPORTING)
    )
    client.force_login(office_user)
    response = client.post(
        reverse("reports:job_create"),
        {
            "kind": "rounds.feedback",
            "id": target.pk,
            "format": "exe",  # refused, so the view follows ``next``
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job_list")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [r for r in Role if r != Role.OFFICE], ids=[r.value for r in Role if r != Role.OFFICE]
)
def test_recommendation_form_answers_404_to_roles_that_may_not_issue(client, role):
    client.force_login(make_user(role))
    url = reverse("rectification:recommendation_create")
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x"}).status_code == 404


@pytest.mark.django_db
def test_recommendation_form_opens_for_office_staff(client):
    client.force_login(make_user(Role.OFFICE))
    assert client.get(reverse("rectification:recommendation_create")).status_code == 200

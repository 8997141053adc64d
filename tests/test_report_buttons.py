"""Documents are requested from the pages they belong to."""

import pytest
from django.urls import reverse

from rounds.models import Round
from tests.rounds_factories import RoundFactory, TargetFactory
from xuncha.reports.models import ReportJob


@pytest.mark.django_db
def test_office_requests_a_targets_documents_from_its_page(client, office_user):
    round_ = RoundFactory(office=office_user.office, status=Round.Status.REPORTING)
    target = TargetFactory(round=round_)
    client.force_login(office_user)
    page = client.get(target.get_absolute_url()).content.decode()
    for kind in ("rounds.feedback", "rounds.inspection_report", "rectification.ledger"):
        assert f'value="{kind}"' in page
    response = client.post(
        reverse("reports:job_create"),
        {"kind": "rounds.feedback", "id": target.pk, "format": "pdf"},
    )
    job = ReportJob.objects.get(owner=office_user, kind="rounds.feedback")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    # The same request again while the first is queued reuses it.
    client.post(
        reverse("reports:job_create"),
        {"kind": "rounds.feedback", "id": target.pk, "format": "pdf"},
    )
    assert ReportJob.objects.filter(owner=office_user, kind="rounds.feedback").count() == 1


def _forms(page: str, kind: str) -> list[str]:
    """The request forms on a page for one document, each as its HTML."""
    forms = page.split("<form")[1:]
    return [form.split("</form>")[0] for form in forms if f'value="{kind}"' in form]


@pytest.mark.django_db
def test_the_round_page_offers_the_rounds_ledger_to_the_office_only(client, office_user):
    from tests.factories import make_user
    from xuncha.accounts.roles import Role

    round_ = RoundFactory(office=office_user.office, status=Round.Status.RECTIFYING)
    client.force_login(office_user)
    page = client.get(round_.get_absolute_url()).content.decode()
    forms = _forms(page, "rectification.ledger")
    assert len(forms) == 2  # PDF and Excel
    for form, fmt in zip(forms, ("pdf", "xlsx"), strict=True):
        assert 'name="scope" value="round"' in form
        assert f'name="id" value="{round_.pk}"' in form
        assert f'name="format" value="{fmt}"' in form
    response = client.post(
        reverse("reports:job_create"),
        {"kind": "rectification.ledger", "scope": "round", "id": round_.pk, "format": "pdf"},
    )
    job = ReportJob.objects.get(owner=office_user)
    assert response.status_code == 302 and job.params["scope"] == "round"

    # A team member who may see the round is offered no ledger.
    member = make_user(Role.TEAM_MEMBER, username="member_b")
    client.force_login(member)
    response = client.get(round_.get_absolute_url())
    assert response.status_code == 404 or not _forms(
        response.content.decode(), "rectification.ledger"
    )


@pytest.mark.django_db
def test_the_reports_page_offers_the_city_ledger_to_the_city_office(client, office_user):
    from tests.factories import OfficeFactory, make_user
    from xuncha.accounts.roles import Role

    client.force_login(office_user)
    page = client.get(reverse("reports:job_list")).content.decode()
    forms = _forms(page, "rectification.ledger")
    assert [('name="scope" value="city"' in f, 'value="pdf"' in f) for f in forms] == [
        (True, True),
        (True, False),
    ]
    response = client.post(
        reverse("reports:job_create"),
        {"kind": "rectification.ledger", "scope": "city", "format": "xlsx"},
    )
    assert response.status_code == 302
    assert ReportJob.objects.get(owner=office_user).params == {"scope": "city", "format": "xlsx"}

    # A district office gets its own district's ledger, not the city's.
    district = OfficeFactory(district=True)
    district_user = make_user(Role.OFFICE, username="district_office", office=district)
    client.force_login(district_user)
    forms = _forms(client.get(reverse("reports:job_list")).content.decode(), "rectification.ledger")
    assert len(forms) == 2
    assert all(
        'name="scope" value="region"' in f and f'name="id" value="{district.region_id}"' in f
        for f in forms
    )

    # A unit contact is offered neither.
    client.force_login(make_user(Role.UNIT_CONTACT, username="unit_b"))
    page = client.get(reverse("reports:job_list")).content.decode()
    assert not _forms(page, "rectification.ledger")
    assert 'data-testid="standing-documents"' not in page


@pytest.mark.django_db
def test_the_dashboard_offers_its_pdf_for_the_scope_on_screen(client):
    from tests.factories import make_user
    from xuncha.accounts.roles import Role

    leader = make_user(Role.LEADERSHIP, username="leadership_b")
    client.force_login(leader)
    page = client.get(reverse("dashboard:index"), {"year": "2025"}).content.decode()
    forms = _forms(page, "dashboard.pdf")
    assert len(forms) == 1
    assert 'name="year" value="2025"' in forms[0]
    response = client.post(reverse("reports:job_create"), {"kind": "dashboard.pdf", "year": "2025"})
    assert response.status_code == 302
    assert ReportJob.objects.get(owner=leader).params == {"year": "2025"}

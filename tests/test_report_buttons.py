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

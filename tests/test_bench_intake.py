"""The bench figures of the public's phone pages, at tiny scale."""

import pytest

from intake.models import Report
from rectification.models import SurveyResponse
from rounds.models import Round
from tests.test_bench_domains import bench

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def test_the_submission_figures_post_real_reports_and_answers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    figures = {**bench("intake."), **bench("survey.")}

    assert set(figures) == {"intake.submit.median_ms", "survey.submit.median_ms"}
    assert all(value > 0 for value in figures.values())
    # Warm-up and two runs each, every one stored (the pages were measured, not
    # refused); the reports, their bench round and their pictures rolled back.
    assert not Report.objects.exists() and not Round.objects.filter(number=11).exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and "intake" in str(p)]
    assert SurveyResponse.objects.count() == 3

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from xuncha.reports.models import ReportJob


def job_list(*, user) -> QuerySet[ReportJob]:
    """A report is its requester's alone."""
    return ReportJob.objects.filter(owner=user).order_by("-created_at")


def get_job_for_user(user, pk: int) -> ReportJob:
    return get_object_or_404(job_list(user=user), pk=pk)

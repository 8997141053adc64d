import datetime

from celery import shared_task
from django.utils import timezone

from rounds.models import Round
from rounds.services.worklogs import last_week_start, rounds_on_site_during, weekly_summary_compile


@shared_task(name="rounds.tasks.compile_weekly_summaries")
def compile_weekly_summaries(week_start: str | None = None) -> dict:
    """Every Monday morning: last week's summary for each round on site.

    Safe to run twice (the summary is unique per round and week, and only the
    run that creates it notifies), so a retried or duplicated task is harmless."""
    start = (
        datetime.date.fromisoformat(week_start)
        if week_start
        else last_week_start(timezone.localdate())
    )
    created = 0
    for round_ in rounds_on_site_during(start):
        _, was_created = weekly_summary_compile(round_=round_, week_start=start)
        created += was_created
    return {"week_start": start.isoformat(), "created": created}


@shared_task(name="rounds.tasks.compile_weekly_summary")
def compile_weekly_summary(round_id: int, week_start: str, user_id: int | None = None) -> bool:
    """The office's "compile now" button for one round and week."""
    from xuncha.accounts.models import User

    round_ = Round.objects.select_related("office").get(pk=round_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    _, created = weekly_summary_compile(
        round_=round_, week_start=datetime.date.fromisoformat(week_start), user=user
    )
    return created

"""Daily work logs (工作日报) and the weekly summary (周汇总)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds.access import require_office, require_team_leader
from rounds.models import Round, Team, WeeklySummary, WorkLog
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.notifications.services import notify
from xuncha.orgs.models import Office

LOG_FIGURES = ("interviews", "documents", "petitions", "visits", "site_checks", "problems_found")


@transaction.atomic
def worklog_file(
    *, team: Team, date: datetime.date, figures: dict, narrative: str, user
) -> WorkLog:
    """File the team's log for a day; filing the same day again edits it."""
    require_team_leader(user, team)
    if date > timezone.localdate():
        raise ValidationError({"date": _("不能填报未来日期的日报。")})
    values = {name: int(figures.get(name) or 0) for name in LOG_FIGURES}
    try:
        with transaction.atomic():
            log, created = WorkLog.objects.select_for_update().get_or_create(
                team=team, date=date, defaults={**values, "narrative": narrative, "filed_by": user}
            )
    except IntegrityError:
        # Two submissions of the same day raced; the other one created it.
        log, created = WorkLog.objects.select_for_update().get(team=team, date=date), False
    if not created:
        for name, value in values.items():
            setattr(log, name, value)
        log.narrative = narrative
        log.save()
    log_action(
        user, "worklog.create" if created else "worklog.update", log, {**values, "date": date}
    )
    return log


def days_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def team_missing_days(team: Team, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Working days (Mon–Fri) in [start, end] with no log, within the team's time on site."""
    filed = set(team.logs.filter(date__range=(start, end)).values_list("date", flat=True))
    return [d for d in days_between(start, end) if d.weekday() < 5 and d not in filed]


def _on_site_window(round_: Round, start: datetime.date, end: datetime.date, team: Team):
    dates = team.targets.exclude(entry_date__isnull=True).values_list("entry_date", "exit_date")
    if not dates:
        return None
    first = min(entry for entry, _ in dates)
    exits = [exit_ for _, exit_ in dates]
    last = max(exits) if all(exits) else end
    window = (max(start, first), min(end, last))
    return window if window[0] <= window[1] else None


def compile_week(round_: Round, week_start: datetime.date) -> dict:
    week_end = week_start + datetime.timedelta(days=6)
    teams = []
    for team in round_.teams.order_by("number"):
        totals = team.logs.filter(date__range=(week_start, week_end)).aggregate(
            **{name: Sum(name) for name in LOG_FIGURES}
        )
        window = _on_site_window(round_, week_start, week_end, team)
        missing = team_missing_days(team, *window) if window else []
        teams.append(
            {
                "team": team.name,
                "team_id": team.pk,
                "logs": team.logs.filter(date__range=(week_start, week_end)).count(),
                **{name: totals[name] or 0 for name in LOG_FIGURES},
                "missing_days": [d.isoformat() for d in missing],
            }
        )
    return {
        "round": round_.name,
        "week_start": week_start.isoformat(),
        "week_end": week_end.isoformat(),
        "teams": teams,
        "totals": {name: sum(t[name] for t in teams) for name in LOG_FIGURES},
        "teams_missing_days": [t["team"] for t in teams if t["missing_days"]],
    }


def leadership_recipients(round_: Round):
    """The leading group of the round's office, and the city's, who read the summary."""
    users = User.objects.filter(groups__name=Role.LEADERSHIP.value, is_active=True)
    if round_.office.is_city:
        return users.filter(office=round_.office)
    return users.filter(office__in=[round_.office_id, *_city_office_ids()])


def _city_office_ids() -> list[int]:
    return list(Office.objects.filter(level=Office.Level.CITY).values_list("pk", flat=True))


@transaction.atomic
def weekly_summary_compile(
    *, round_: Round, week_start: datetime.date, user=None
) -> tuple[WeeklySummary, bool]:
    """Compile and store one week's summary, once. A second run (a retried task,
    a second beat, the office pressing the button) finds it and notifies nobody."""
    if week_start.weekday() != 0:
        raise ValidationError(_("周汇总以周一为起始日。"))
    # Stored once and never recompiled: a week not yet over would stay half-done,
    # with its remaining days listed as missing.
    if week_start + datetime.timedelta(days=6) >= timezone.localdate():
        raise ValidationError(_("该周尚未结束，周一之后才能汇总。"))
    if user is not None:
        # The office's "compile now" runs as a task: check the user again there.
        require_office(user, round_)
    existing = WeeklySummary.objects.filter(round=round_, week_start=week_start).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            summary = WeeklySummary.objects.create(
                round=round_, week_start=week_start, data=compile_week(round_, week_start)
            )
    except IntegrityError:
        return WeeklySummary.objects.get(round=round_, week_start=week_start), False
    log_action(user, "weekly_summary.create", summary, {"week_start": week_start})
    notify(
        recipients=leadership_recipients(round_),
        title=f"{round_.name}周汇总（{week_start:%m月%d日}–{summary.week_end:%m月%d日}）",
        body=_summary_text(summary.data),
        url=summary.get_absolute_url(),
        dedupe_key=f"weekly-summary:{summary.pk}",
    )
    return summary, True


def _summary_text(data: dict) -> str:
    totals = data["totals"]
    text = (
        f"个别谈话{totals['interviews']}人次，调阅资料{totals['documents']}份，"
        f"受理信访{totals['petitions']}件，发现问题{totals['problems_found']}个。"
    )
    if data["teams_missing_days"]:
        text += f"有缺报日报的巡察组：{'、'.join(data['teams_missing_days'])}。"
    return text


def last_week_start(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday() + 7)


def rounds_on_site_during(week_start: datetime.date):
    """Rounds that may have logs in the week: on site, or just past it."""
    return Round.objects.filter(
        status__in=[Round.Status.ON_SITE, Round.Status.REPORTING],
    ).select_related("office")

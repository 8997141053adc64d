"""Telling the round's reviewers that hits wait (消息), and marking that done
when none is left to review. See clues.handoffs, rounds.handoffs."""

from django.urls import reverse

from crosscheck.models import Hit, RuleRun
from crosscheck.selectors import round_reviewers
from xuncha.accounts.roles import Role
from xuncha.notifications.services import hand_off, resolve


def _awaits(run_id: int) -> str:
    return f"crosscheck:run:{run_id}:review"


def run_found_hits(run: RuleRun) -> None:
    """Once per run (not per hit), on commit: its new hits wait for review.
    The office is told how many; a team, whose list shows only its own
    targets' hits, is not told the round's count."""
    reviewers = round_reviewers(run.round)
    office = reviewers.filter(groups__name=Role.OFFICE.value)
    common = {
        "body": f"{run.round.name}：大数据比对发现新的命中，请研判。",
        "url": reverse("crosscheck:hit_list", args=[run.round_id]) + f"?status={Hit.Status.OPEN}",
        "awaits": _awaits(run.pk),
    }
    hand_off(
        recipients=office,
        title=f"“{run.rule.name}”新增 {run.new_hits} 条比对命中待研判",
        **common,
    )
    hand_off(
        recipients=reviewers.exclude(pk__in=office.values("pk")),
        title=f"“{run.rule.name}”有新的比对命中待研判",
        **common,
    )


def hit_reviewed(hit: Hit) -> None:
    """The round's last open hit reviewed: its runs' notifications are done."""
    if Hit.objects.filter(round_id=hit.round_id, status=Hit.Status.OPEN).exists():
        return
    found = RuleRun.objects.filter(round_id=hit.round_id, new_hits__gt=0)
    resolve(awaits=[_awaits(pk) for pk in found.values_list("pk", flat=True)])

"""待办 from 大数据比对: hits waiting for review (待研判) that the person may
see (the office: its rounds'; a team: its own targets'), counted as the hit
list counts them (crosscheck.access)."""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from crosscheck.access import may_use, visible_hits
from crosscheck.models import Hit
from xuncha.core.todo import Task


def crosscheck_todo(user) -> list[Task]:
    if not may_use(user):
        return []
    # One query for every round at once: the open hits per round the user may see.
    per_round = dict(
        visible_hits(user)
        .filter(status=Hit.Status.OPEN)
        .values_list("round_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not per_round:
        return []
    if len(per_round) == 1:
        (round_id,) = per_round
        url = reverse("crosscheck:hit_list", args=[round_id])
        url += "?" + urlencode({"status": Hit.Status.OPEN})
    else:  # the overview shows each round's 待研判 count, each linked to its list
        url = reverse("crosscheck:index")
    return [
        Task(
            _("待研判的比对命中"),
            sum(per_round.values()),
            url,
            _("大数据比对发现的命中，请逐条研判：转为问题、起草线索或排除。"),
        )
    ]

"""Who must act next on a clue's handover (审批交接单), and telling them (消息).

Each link opens for its reader: the office and the drafting team read the
clue itself; the receiving department, which may not read it before it signs
for it, is sent to its ledger's 待签收 list. See rounds.handoffs.
"""

from django.urls import reverse

from clues.models import Clue
from clues.selectors import clue_officers, department_users
from xuncha.notifications.services import hand_off, resolve


def _fast_track(clue: Clue) -> str:
    return "【直报快车道】" if clue.urgent else ""


def clue_submitted(clue: Clue) -> None:
    hand_off(
        recipients=clue_officers(clue),
        title=f"{_fast_track(clue)}问题线索 {clue.number} 待审批",
        url=clue.get_absolute_url(),
        level="red" if clue.urgent else "info",
        awaits=f"clue:{clue.pk}:approve",
        resolves=[f"clue:{clue.pk}:redraft"],
    )


def clue_returned(clue: Clue) -> None:
    hand_off(
        recipients=[clue.drafted_by],
        title=f"问题线索 {clue.number} 被退回修改",
        url=clue.get_absolute_url(),
        awaits=f"clue:{clue.pk}:redraft",
        resolves=[f"clue:{clue.pk}:approve"],
    )


def clue_approved(clue: Clue) -> None:
    hand_off(
        recipients=department_users(clue),
        title=f"{_fast_track(clue)}有问题线索待签收：{clue.number}",
        url=reverse("clues:clue_list") + "#awaiting-receipt",
        level="red" if clue.urgent else "info",
        awaits=f"clue:{clue.pk}:receive",
        resolves=[f"clue:{clue.pk}:approve"],
    )


def clue_received(clue: Clue) -> None:
    resolve(awaits=[f"clue:{clue.pk}:receive"])


def disposition_reported(clue: Clue, *, is_final: bool) -> None:
    """A final disposition waits for the office's 销号; an interim one is for its 对账."""
    if not is_final:
        return
    hand_off(
        recipients=clue_officers(clue),
        title=f"问题线索 {clue.number} 已报告处置完毕，待销号",
        url=clue.get_absolute_url(),
        awaits=f"clue:{clue.pk}:close",
    )


def clue_closed(clue: Clue) -> None:
    resolve(awaits=[f"clue:{clue.pk}:close"])

"""Small helpers the clue views share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clues.access import is_clue_officer, is_receiving_user
from clues.models import Clue, Disposition
from rounds.access import active_membership
from rounds.models import Membership

PAGE_SIZE = 50
S = Clue.Status


def report_error(request, error: ValidationError) -> None:
    """Each of the service's Chinese reasons as its own message."""
    for message in error.messages:
        messages.error(request, message)


def form_error(form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form that was posted: on its
    field where the form has one, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item.messages)
    else:
        form.add_error(None, error.messages)


def allowed_actions(user, clue: Clue, latest: Disposition | None = None) -> frozenset[str]:
    """Which buttons to show this person. The services decide again when one
    is used; this only spares a button that would be refused. ``latest`` is the
    clue's most recent disposition (the page has it already)."""
    actions: set[str] = set()
    if clue.status == S.DRAFT:
        membership = active_membership(user, clue.team)
        if membership is not None:
            actions |= {"edit", "upload"}
            if membership.role == Membership.Role.LEADER:
                actions.add("submit")
    elif clue.status == S.SUBMITTED:
        if is_clue_officer(user, clue):
            actions |= {"approve", "return"}
    elif clue.status == S.APPROVED:
        if is_receiving_user(user, clue):
            actions.add("receive")
    elif clue.status == S.RECEIVED:
        if is_receiving_user(user, clue):
            actions.add("disposition")
        if latest is not None and latest.is_final and is_clue_officer(user, clue):
            actions.add("close")
    elif clue.status == S.CLOSED and is_clue_officer(user, clue):
        actions.add("reopen")
    return frozenset(actions)


def signatures(clue: Clue) -> list[dict]:
    """The three signatures of the handover form (审批交接单), in order."""
    return [
        {"role": _("巡察组组长签字"), "who": clue.submitted_by, "at": clue.submitted_at},
        {"role": _("巡察办审批"), "who": clue.approved_by, "at": clue.approved_at},
        {"role": _("接收部门签收"), "who": clue.received_by, "at": clue.received_at},
    ]

"""Small helpers the clue views share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clues.models import Clue

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


def signatures(clue: Clue) -> list[dict]:
    """The three signatures of the handover form (审批交接单), in order."""
    return [
        {"role": _("巡察组组长签字"), "who": clue.submitted_by, "at": clue.submitted_at},
        {"role": _("巡察办审批"), "who": clue.approved_by, "at": clue.approved_at},
        {"role": _("接收部门签收"), "who": clue.received_by, "at": clue.received_at},
    ]

"""The clue handover form (问题线索审批交接单), as PDF only.

Only those who may see the clue may have it (clues.selectors.get_clue_for_user,
checked again when the job runs); producing it is an audited read of the clue,
and every page carries the reader's name and the time as a watermark.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from clues.models import Clue
from clues.selectors import get_clue_for_user
from clues.services import clue_record_read
from xuncha.reports.pdf import render_pdf
from xuncha.reports.registry import PDF, Document, Generated, register


def _clue_id(params: dict) -> int:
    try:
        return int(params.get("id"))
    except (TypeError, ValueError):
        raise ValidationError(_("请指定问题线索。")) from None


def authorize(user, params: dict) -> None:
    get_clue_for_user(user, _clue_id(params))


def signatures(clue: Clue) -> list[dict]:
    return [
        {"role": "巡察组组长签字", "who": clue.submitted_by, "at": clue.submitted_at},
        {"role": "巡察办审批", "who": clue.approved_by, "at": clue.approved_at},
        {"role": "接收部门签收", "who": clue.received_by, "at": clue.received_at},
    ]


def generate(user, params: dict, progress) -> Generated:
    clue = get_clue_for_user(user, _clue_id(params))
    clue = (
        Clue.objects.select_related(
            "round__office",
            "team",
            "target__organization",
            "department",
            "drafted_by",
            "submitted_by",
            "approved_by",
            "received_by",
        )
        .prefetch_related("problems__category", "files")
        .get(pk=clue.pk)
    )
    clue_record_read(clue=clue, user=user)
    progress(20)
    content = render_pdf(
        "clues/pdf/handover.html",
        {
            "clue": clue,
            "signatures": signatures(clue),
            "confidentiality_mark": clue.get_confidentiality_display(),
            "printed_at": timezone.localtime(),
        },
        reader=user,
    )
    return Generated(f"问题线索审批交接单-{clue.number}.pdf", content, PDF)


HANDOVER = register(
    Document(
        kind="clues.handover",
        label="问题线索审批交接单",
        authorize=authorize,
        generate=generate,
    )
)

"""The team's review of a hit: turn it into a problem (source 大数据比对,
the rows attached as an .xlsx), draft a clue from it, or dismiss it with a
reason. Each review is one transaction with its audit entry; a hit is
reviewed once (the row is locked and must still be open)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clues.services.handover import clue_create
from crosscheck import handoffs
from crosscheck.kinds import FIELD_LABELS
from crosscheck.models import Hit, Row
from crosscheck.services.sources import require_round_access
from crosscheck.workflow import HIT
from rounds.access import active_membership
from rounds.models import Problem, Target
from rounds.services import problem_attach, problem_create
from xuncha.audit.services import log_action
from xuncha.core import workflow
from xuncha.core.xlsx import Sheet, xlsx_bytes

H = Hit.Status
EVIDENCE_COLUMNS = ("name", "id_masked", "birth_date", "enterprise", "credit_code", "role", "unit",
                    "amount", "date", "note")  # fmt: skip
EVIDENCE_LABELS = {**FIELD_LABELS, "id_masked": FIELD_LABELS["id_number"]}


def hit_rows(hit: Hit) -> list[tuple[str, Row]]:
    """The rows behind a hit, each with the part it plays."""
    parts = [("左表", hit.left_row)]
    if hit.via_row_id:
        parts.append(("经由", hit.via_row))
    parts.append(("右表", hit.right_row))
    return parts


def why(hit: Hit) -> str:
    """Why the rows matched, in a sentence."""
    reason = hit.get_basis_display()
    if hit.via_row_id:
        reason = f"{hit.get_basis_display()}（左表与经由名单），{hit.get_via_basis_display()}（经由名单与右表）"
    return f"{reason}。{hit.rule.description}"


def evidence_xlsx(hit: Hit) -> bytes:
    """The rows as a sheet (ID numbers masked, as on the page)."""
    headers = ["名单", "名单名称", "行号", *[str(EVIDENCE_LABELS[c]) for c in EVIDENCE_COLUMNS]]
    rows = [
        [part, row.source.label, row.line, *[getattr(row, c) or "" for c in EVIDENCE_COLUMNS]]
        for part, row in hit_rows(hit)
    ]
    return xlsx_bytes(
        [
            Sheet("比对命中", headers, rows),
            Sheet("命中说明", ["规则", "说明"], [[hit.rule.name, why(hit)]], widths=[30, 100]),
        ]
    )


def _locked(hit: Hit, user, action: str) -> Hit:
    """The hit, locked, once the rule table allows the action now."""
    hit = (
        Hit.objects.select_for_update(of=("self",))
        .select_related(
            "round__office", "rule", "left_row__source", "right_row__source", "via_row__source"
        )
        .get(pk=hit.pk)
    )
    require_round_access(user, hit.round)
    workflow.check(HIT, user, hit, action)
    return hit


def _target_of(user, hit: Hit, target: Target) -> Target:
    if target.round_id != hit.round_id:
        raise ValidationError(_("巡察对象不属于本轮。"))
    if hit.target_id is not None and target.pk != hit.target_id:
        raise ValidationError(
            _("该命中属于另一个巡察对象，只能为该命中所属的巡察对象录入问题或线索。")
        )
    if active_membership(user, target.team) is None:
        raise PermissionDenied(_("只有负责该巡察对象的巡察组成员可以据此录入问题或线索。"))
    return target


def _close(hit: Hit, user, status: str, note: str, **links) -> Hit:
    hit.status = status
    hit.review_note = note
    hit.reviewed_by = user
    hit.reviewed_at = timezone.now()
    for name, value in links.items():
        setattr(hit, name, value)
    hit.save()
    handoffs.hit_reviewed(hit)
    return hit


@transaction.atomic
def hit_to_problem(
    *, hit: Hit, user, target: Target, category, severity: str, description: str
) -> Problem:
    hit = _locked(hit, user, "problem")
    target = _target_of(user, hit, target)
    problem = problem_create(
        target=target,
        category=category,
        description=description,
        source=Problem.Source.DATA,
        severity=severity,
        user=user,
    )
    problem_attach(
        problem=problem,
        upload=SimpleUploadedFile(f"大数据比对命中-{hit.pk}.xlsx", evidence_xlsx(hit)),
        user=user,
    )
    _close(hit, user, H.PROBLEM, description, problem=problem)
    log_action(user, "crosscheck.hit.problem", hit, {"problem": problem.pk})
    return problem


@transaction.atomic
def hit_to_clue(*, hit: Hit, user, target: Target, **fields):
    hit = _locked(hit, user, "clue")
    target = _target_of(user, hit, target)
    clue = clue_create(target=target, user=user, source=Problem.Source.DATA, **fields)
    _close(hit, user, H.CLUE, fields.get("summary", ""), clue=clue)
    log_action(user, "crosscheck.hit.clue", hit, {"clue": clue.pk})
    return clue


@transaction.atomic
def hit_dismiss(*, hit: Hit, user, reason: str) -> Hit:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("排除命中须说明理由。"))
    hit = _locked(hit, user, "dismiss")
    _close(hit, user, H.DISMISSED, reason)
    log_action(user, "crosscheck.hit.dismiss", hit, {"reason": reason})
    return hit


@transaction.atomic
def hit_assign(*, hit: Hit, target: Target | None, user) -> Hit:
    """The office gives an open hit to a target of the round (a hit between
    lists of the whole round has none; a wrongly placed one moves): from then
    on it is that target's team's lead."""
    hit = Hit.objects.select_for_update(of=("self",)).select_related("round__office").get(pk=hit.pk)
    workflow.check(HIT, user, hit, "assign")
    if target is None or target.round_id != hit.round_id:
        raise ValidationError(_("请选择本轮的巡察对象。"))
    before = hit.target_id
    if before != target.pk:
        hit.target = target
        hit.save(update_fields=["target"])
        log_action(user, "crosscheck.hit.assign", hit, {"before": before, "after": target.pk})
    return hit


def hit_record_read(*, user, hit: Hit) -> None:
    """Reading a hit reads its lists' rows: on the audit log like any read of a list."""
    log_action(user, "crosscheck.hit.read", hit, {"rows": [row.pk for _p, row in hit_rows(hit)]})


def hits_record_read(*, user, round_, page: int) -> None:
    log_action(user, "crosscheck.hits.read", round_, {"page": page})

"""Problems found at a target, and their review: draft → 组内研判 → 办审核 → 列入报告 → 已反馈."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds import handoffs
from rounds.access import active_membership, office_manages, require_member
from rounds.models import Problem, ProblemAttachment, ProblemCategory, Round, Target
from rounds.workflow import PROBLEM
from xuncha.audit.services import log_action
from xuncha.core import workflow
from xuncha.core.uploads import check_upload, storage_name
from xuncha.core.workflow import Rule

P = Problem.Status
EDITABLE_FIELDS = ("category", "description", "source", "severity", "immediate_fix", "found_on")


TRANSITIONS = {rule.action: rule for rule in PROBLEM.rules}


def _may(user, problem: Problem, who: str) -> bool:
    if who == "office":
        return office_manages(user, problem.round.office)
    membership = active_membership(user, problem.team)
    if membership is None:
        return False
    return who == "member" or membership.role == membership.Role.LEADER


EDITORS = {P.DRAFT: "member", P.TEAM_REVIEW: "member", P.OFFICE_REVIEW: "office"}


def may_edit(user, problem: Problem) -> bool:
    """The team edits its drafts and what is under team review; the office what it reviews."""
    who = EDITORS.get(problem.status)
    return who is not None and _may(user, problem, who)


def may_attach(user, problem: Problem) -> bool:
    return _may(user, problem, "member") or office_manages(user, problem.round.office)


def allowed_transitions(user, problem: Problem) -> list[Rule]:
    return [
        PROBLEM.rule(action)
        for action, offer in workflow.actions_for(PROBLEM, user, problem).items()
        if offer.allowed
    ]


def _check_found_on(problem: Problem) -> None:
    # The form says so too; imports and other callers come through here.
    if problem.found_on and problem.found_on > timezone.localdate():
        raise ValidationError({"found_on": _("发现日期不能晚于今天。")})


def _check_open(target: Target) -> None:
    if target.round.status not in (Round.Status.ON_SITE, Round.Status.REPORTING):
        raise ValidationError(_("只有在进驻和报告阶段才能录入或修改问题。"))


@transaction.atomic
def problem_create(
    *,
    target: Target,
    category: ProblemCategory,
    description: str,
    source: str,
    severity: str,
    immediate_fix: bool = False,
    found_on: datetime.date | None = None,
    user,
) -> Problem:
    require_member(user, target)
    _check_open(target)
    problem = Problem(
        target=target,
        round_id=target.round_id,
        team_id=target.team_id,
        category=category,
        description=description,
        source=source,
        severity=severity,
        immediate_fix=immediate_fix,
        found_by=user,
        found_on=found_on or timezone.localdate(),
    )
    _check_found_on(problem)
    problem.full_clean()
    problem.save()
    log_action(user, "problem.create", problem, {"target": target.pk, "category": category.pk})
    return problem


@transaction.atomic
def problem_update(*, problem: Problem, user, **changes) -> Problem:
    """The team edits its drafts and what is under team review; the office what it reviews."""
    problem = (
        Problem.objects.select_for_update()
        .select_related("round__office", "team")
        .get(pk=problem.pk)
    )
    if not may_edit(user, problem):
        raise PermissionDenied(_("此状态下您不能修改该问题。"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"不能修改的字段：{unknown}")
    before = {name: str(getattr(problem, name)) for name in changes}
    for name, value in changes.items():
        setattr(problem, name, value)
    _check_found_on(problem)
    problem.full_clean()
    problem.save()
    log_action(
        user,
        "problem.update",
        problem,
        {"before": before, "after": {name: str(getattr(problem, name)) for name in changes}},
    )
    return problem


@transaction.atomic
def problem_transition(*, problem: Problem, action: str, user, note: str = "") -> Problem:
    problem = (
        Problem.objects.select_for_update()
        .select_related("round__office", "team")
        .get(pk=problem.pk)
    )
    if action not in TRANSITIONS:
        raise ValidationError(_("未知的操作。"))
    transition = workflow.check(PROBLEM, user, problem, action)
    if action.endswith("return") and not note:
        raise ValidationError(_("退回时须说明理由。"))
    problem.status = transition.target
    problem.save(update_fields=["status", "updated_at"])
    log_action(
        user,
        f"problem.{action}",
        problem,
        {"from": transition.sources[0], "to": transition.target, "note": note},
    )
    handoffs.problem_moved(problem, transition.name)
    return problem


def clue_problems(target: Target):
    """Problems about to be fed back that a clue rests on: once released, the
    unit reads them, and the person a clue names may be warned."""
    return target.problems.filter(status=P.IN_REPORT, clues__isnull=False).distinct()


@transaction.atomic
def target_give_feedback(
    *, target: Target, feedback_date: datetime.date, user, confirm_clue_problems: bool = False
) -> Target:
    """反馈: the office feeds the report's problems back to the organization.
    From now on the unit's contact sees them, and the rectification clock runs."""
    target = Target.objects.select_for_update().select_related("round__office").get(pk=target.pk)
    if not office_manages(user, target.round.office):
        raise PermissionDenied(_("只有巡察办工作人员可以反馈。"))
    if target.round.status not in (Round.Status.REPORTING, Round.Status.FEEDBACK):
        raise ValidationError(_("只有在报告或反馈阶段才能向被巡察单位反馈。"))
    already_fed_back = target.status in (
        Target.Status.FED_BACK,
        Target.Status.RECTIFYING,
        Target.Status.CLOSED,
    )
    if already_fed_back and not target.problems.filter(status=P.IN_REPORT).exists():
        raise ValidationError(_("该单位已经反馈，没有新列入报告的问题需要补充反馈。"))
    pending = target.problems.filter(status__in=[P.DRAFT, P.TEAM_REVIEW, P.OFFICE_REVIEW]).count()
    if pending:
        raise ValidationError(
            _("还有 %(pending)s 个问题未完成审核，不能反馈。") % {"pending": pending}
        )
    if target.entry_date and feedback_date < target.entry_date:
        raise ValidationError(_("反馈日期不能早于进驻日期。"))
    if not confirm_clue_problems and (resting := list(clue_problems(target)[:20])):
        listed = "；".join(f"“{problem.description[:30]}”" for problem in resting)
        raise ValidationError(
            _("以下问题关联问题线索，反馈后被巡察单位将看到：%(listed)s。请确认后再反馈。")
            % {"listed": listed}
        )
    released = list(target.problems.filter(status=P.IN_REPORT))
    Problem.objects.filter(pk__in=[p.pk for p in released]).update(
        status=P.FED_BACK, updated_at=timezone.now()
    )
    for problem in released:
        log_action(user, "problem.feed_back", problem, {"from": P.IN_REPORT, "to": P.FED_BACK})
    if not already_fed_back or target.feedback_date is None:
        target.feedback_date = feedback_date
    target.status = Target.Status.FED_BACK
    target.save()
    log_action(
        user,
        "target.feedback",
        target,
        {"feedback_date": feedback_date, "problems": len(released)},
    )
    return target


@transaction.atomic
def problem_attach(*, problem: Problem, upload: UploadedFile, user) -> ProblemAttachment:
    if not may_attach(user, problem):
        raise PermissionDenied(_("您不能为该问题上传附件。"))
    checked = check_upload(upload)
    attachment = ProblemAttachment(
        problem=problem,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    attachment.file.save(storage_name(checked), checked.content, save=False)
    try:
        attachment.save()
        log_action(
            user,
            "problem.attach",
            problem,
            {"file": checked.original_name, "sha256": checked.sha256, "size": checked.size},
        )
    except Exception:
        # No row, no file: a failed save leaves nothing half-stored.
        attachment.file.delete(save=False)
        raise
    return attachment

"""Writes for the evaluation: the office's weights and remarks, each audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from evaluation.access import sets_evaluation
from evaluation.figures import FIGURES
from evaluation.models import DistrictRemark, TeamRemark, WeightSet
from rounds.models import Team
from xuncha.audit.services import log_action
from xuncha.orgs.models import Office

MAX_WEIGHT = 100


def _parse_weights(scope: str, raw: dict) -> dict[str, int]:
    weights, errors = {}, []
    for figure in FIGURES[scope]:
        value = str(raw.get(figure.code, "")).strip()
        try:
            weight = int(value)
        except ValueError:
            errors.append(
                _("「%(figure)s」的权重须为 0–%(max)s 的整数。")
                % {"figure": figure.label, "max": MAX_WEIGHT}
            )
            continue
        if not 0 <= weight <= MAX_WEIGHT:
            errors.append(
                _("「%(figure)s」的权重须为 0–%(max)s 的整数。")
                % {"figure": figure.label, "max": MAX_WEIGHT}
            )
        weights[figure.code] = weight
    if not errors and not any(weights.values()):
        errors.append(_("至少有一项指标的权重须大于 0。"))
    if errors:
        raise ValidationError(errors)
    return weights


@transaction.atomic
def weights_set(*, office: Office, scope: str, weights: dict, user) -> WeightSet:
    if scope not in FIGURES:
        raise ValidationError(_("未知的考评类别。"))
    if not sets_evaluation(user, office) or (
        scope == WeightSet.Scope.DISTRICT and not office.is_city
    ):
        raise PermissionDenied(_("只有本级巡察办工作人员可以设定考评权重。"))
    parsed = _parse_weights(scope, weights)
    current = WeightSet.objects.select_for_update().filter(office=office, scope=scope).first()
    before = current.weights if current else {}
    if current is None:
        current = WeightSet(office=office, scope=scope)
    current.weights, current.updated_by = parsed, user
    current.save()
    log_action(user, "evaluation.weights", current, {"before": before, "after": parsed})
    return current


def _text(text: str) -> str:
    text = (text or "").strip()
    if len(text) > 2000:
        raise ValidationError(_("考评意见不能超过 2000 字。"))
    return text


@transaction.atomic
def team_remark_set(*, team: Team, text: str, user) -> TeamRemark | None:
    """The office's remark on a team; an empty text withdraws it."""
    if not sets_evaluation(user, team.round.office):
        raise PermissionDenied(_("只有本级巡察办工作人员可以填写考评意见。"))
    text = _text(text)
    remark = TeamRemark.objects.select_for_update().filter(team=team).first()
    if not text:
        if remark:
            remark.delete()
            log_action(user, "evaluation.team_remark", team, {"removed": True})
        return None
    remark = remark or TeamRemark(team=team)
    remark.text, remark.updated_by = text, user
    remark.save()
    log_action(user, "evaluation.team_remark", team, {"length": len(text)})
    return remark


@transaction.atomic
def district_remark_set(*, office: Office, term: int, text: str, user) -> DistrictRemark | None:
    if (
        office.is_city
        or user.office is None
        or not sets_evaluation(user, user.office)
        or not (user.office.is_city)
    ):
        raise PermissionDenied(_("只有市委巡察办工作人员可以填写区县考评意见。"))
    text = _text(text)
    remark = DistrictRemark.objects.select_for_update().filter(office=office, term=term).first()
    if not text:
        if remark:
            remark.delete()
            log_action(user, "evaluation.district_remark", office, {"term": term, "removed": True})
        return None
    remark = remark or DistrictRemark(office=office, term=term)
    remark.text, remark.updated_by = text, user
    remark.save()
    log_action(user, "evaluation.district_remark", office, {"term": term, "length": len(text)})
    return remark

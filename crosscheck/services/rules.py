"""The office's own pairings: a rule added on a page, no code."""

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crosscheck.kinds import ListKind
from crosscheck.models import Rule
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action

PARAM_NAMES = ("date_from", "date_to", "min_amount", "left_roles", "right_roles", "via_roles",
               "left_after_right", "different_unit")  # fmt: skip


def may_add_rules(user) -> bool:
    return user.is_authenticated and user.has_role(Role.OFFICE) and user.office_id is not None


def clean_params(params: dict) -> dict:
    """Only the parameters the matcher knows, each in the form it reads."""
    cleaned: dict = {}
    for name in ("date_from", "date_to"):
        value = params.get(name)
        if value:
            if isinstance(value, datetime.date):
                value = value.isoformat()
            try:
                datetime.date.fromisoformat(str(value))
            except ValueError:
                raise ValidationError(_("日期格式应为 2024-01-31。")) from None
            cleaned[name] = str(value)
    if params.get("min_amount") not in (None, ""):
        try:
            cleaned["min_amount"] = str(Decimal(str(params["min_amount"])))
        except InvalidOperation:
            raise ValidationError(_("金额格式无效。")) from None
    for name in ("left_roles", "right_roles", "via_roles"):
        value = params.get(name)
        if isinstance(value, str):
            value = [
                part.strip() for part in value.replace("，", ",").replace("、", ",").split(",")
            ]
        roles = [role for role in (value or []) if role]
        if roles:
            cleaned[name] = roles
    for name in ("left_after_right", "different_unit"):
        if params.get(name):
            cleaned[name] = True
    return cleaned


@transaction.atomic
def rule_create(
    *, user, name: str, description: str, left_kind: str, key: str, right_kind: str,
    via_kind: str = "", via_key: str = "", mode: str = Rule.Mode.MATCH, params: dict | None = None,
) -> Rule:  # fmt: skip
    if not may_add_rules(user):
        raise PermissionDenied(_("只有巡察办工作人员可以添加比对规则。"))
    kinds = set(ListKind.values)
    if left_kind not in kinds or right_kind not in kinds or (via_kind and via_kind not in kinds):
        raise ValidationError(_("未知的名单类型。"))
    if bool(via_kind) != bool(via_key):
        raise ValidationError(_("经由名单和经由后的比对依据须同时填写。"))
    if mode == Rule.Mode.UNDECLARED and (via_kind or key == Rule.Key.ENTERPRISE):
        raise ValidationError(_("“未申报”方式只能按人员比对，且不能经由第三张名单。"))
    rule = Rule(
        office=user.office,
        code=f"office-{user.office_id}-{uuid.uuid4().hex[:8]}",
        name=name.strip(),
        description=description.strip(),
        left_kind=left_kind,
        key=key,
        via_kind=via_kind,
        via_key=via_key,
        right_kind=right_kind,
        mode=mode,
        params=clean_params(params or {}),
        created_by=user,
    )
    rule.full_clean()
    rule.save()
    log_action(user, "crosscheck.rule.create", rule, {"params": rule.params})
    return rule

"""Rule tables: one per workflow, read by the service that enforces a step
and by the page that offers it, so the two cannot drift apart.

A row (``Rule``) says, for one action: from which states it may be taken,
who may take it (a predicate on the user and the object, and the roles it
names, for to-do lists and generated tests), and which preconditions must
hold, each a named check that returns the Chinese reason it still blocks,
or nothing. ``check`` raises with those reasons; ``actions_for`` gives the
page every action this user could take in this state, allowed or not, with
the reasons for the ones that are not.

django-fsm-2 and viewflow were weighed: both put transitions on the model
as decorated methods, which answers "may this state change" but not "who,
and what still blocks it, in words a person reads", and splits a rule
between a decorator, a permission callback and a condition list. A table of
plain rows reads as the rule itself and is tested by iterating over it.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

# A precondition: the reason (or reasons) the action is still blocked, or None/[].
Check = Callable[[Any], str | Sequence[str] | None]
Who = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Rule:
    action: str
    label: str  # the button's words, 签字背书
    sources: tuple[str, ...]  # the states the action may be taken from
    who: Who  # may this user act on this object (role and relation)
    actor: str  # who may, in words, for the refusal: 巡察办工作人员
    roles: tuple[str, ...] = ()  # the roles that act (to-do lists, generated tests)
    checks: tuple[Check, ...] = ()
    target: str | None = None  # the state it leads to, when it changes one
    # Why the state forbids it, when "不能<label>。" is not enough; "{state}" in
    # it places the current state, otherwise "<noun>当前为「state」。" follows.
    refusal: str = ""
    # Ask who before what, for an action whose very existence is one role's
    # business (回头看): others learn they may not, not the object's state.
    who_first: bool = False
    denial: str = ""  # the refusal to others, when "「label」须由actor操作" reads badly

    @property
    def name(self) -> str:
        """The action's code, as the problem pages and their tests call it."""
        return self.action


@dataclass(frozen=True)
class Available:
    """One action as the page sees it."""

    action: str
    label: str
    allowed: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Workflow:
    name: str
    rules: tuple[Rule, ...]
    state_field: str = "status"
    noun: str = ""  # how a refusal names the object: 该事项当前为「整改中」

    def rule(self, action: str) -> Rule:
        for rule in self.rules:
            if rule.action == action:
                return rule
        raise KeyError(f"{self.name}: no rule for {action!r}")

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def state_label(self, obj) -> str:
        display = getattr(obj, f"get_{self.state_field}_display", None)
        return display() if display else str(self.state_of(obj))

    def waiting_states(self, roles: Iterable[str]) -> dict[str, list[str]]:
        """For a to-do list: the states in which an object waits on one of
        these roles, each with the actions they would take there."""
        roles = set(roles)
        waiting: dict[str, list[str]] = {}
        for rule in self.rules:
            if roles & set(rule.roles):
                for state in rule.sources:
                    waiting.setdefault(state, []).append(rule.action)
        return waiting


def blocking_reasons(rule: Rule, obj) -> list[str]:
    reasons: list[str] = []
    for precondition in rule.checks:
        found = precondition(obj)
        if not found:
            continue
        reasons.extend([found] if isinstance(found, str) else found)
    return reasons


def check(workflow: Workflow, user, obj, action: str) -> Rule:
    """Refuse the action unless its row allows it now; the service's first line.

    The state is judged first (as the ledger always did): someone looking at a
    stale page learns the object moved on, not that they lack a role."""
    rule = workflow.rule(action)
    denial = rule.denial or _("「%(action)s」须由%(actor)s操作。") % {
        "action": rule.label,
        "actor": rule.actor,
    }
    if rule.who_first and not rule.who(user, obj):
        raise PermissionDenied(denial)
    if workflow.state_of(obj) not in rule.sources:
        state = workflow.state_label(obj)
        if "{state}" in rule.refusal:  # a refusal that places the state itself
            raise ValidationError(str(rule.refusal).format(state=state))
        reason = rule.refusal or _("不能%(action)s。") % {"action": rule.label}
        if not workflow.noun:
            raise ValidationError(
                _("%(reason)s当前为「%(state)s」。") % {"reason": reason, "state": state}
            )
        raise ValidationError(
            _("%(reason)s%(noun)s当前为「%(state)s」。")
            % {"reason": reason, "noun": workflow.noun, "state": state}
        )
    if not rule.who(user, obj):
        raise PermissionDenied(denial)
    if reasons := blocking_reasons(rule, obj):
        raise ValidationError(reasons)
    return rule


def actions_for(workflow: Workflow, user, obj) -> dict[str, Available]:
    """What the page offers this user now, keyed by action: every action they
    could take in the object's state, with ``allowed`` and, if not, why not.
    Actions of other people or other states are left out: nothing to explain."""
    state = workflow.state_of(obj)
    offered: dict[str, Available] = {}
    for rule in workflow.rules:
        if state not in rule.sources or not rule.who(user, obj):
            continue
        reasons = blocking_reasons(rule, obj)
        offered[rule.action] = Available(rule.action, rule.label, not reasons, reasons)
    return offered


def allowed(workflow: Workflow, user, obj, action: str) -> bool:
    rule = workflow.rule(action)
    return (
        workflow.state_of(obj) in rule.sources
        and rule.who(user, obj)
        and not blocking_reasons(rule, obj)
    )

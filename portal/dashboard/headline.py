"""The sentence the office writes at the top of every summary, from the figures:

共对802家党组织开展巡察，发现问题10782个，移送问题线索514条，党纪政务处分163人，
移送司法机关10人，挽回经济损失3842万元。
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from portal.dashboard.figures import Scope
from rounds.models import chinese_number


def scope_prefix(scope: Scope, options: dict) -> str:
    """十三届以来 / 2024年 / 十三届市委第一轮巡察 ... or nothing for all of it."""
    if scope.round_id:
        names = {r["id"]: r["name"] for r in options["rounds"]}
        if scope.round_id in names:
            return names[scope.round_id]
    if scope.term and scope.year:
        return _("%(term)s届%(year)s年") % {"term": chinese_number(scope.term), "year": scope.year}
    if scope.term and scope.term == options.get("current_term"):
        # "Since the term began": only the current term is still running.
        return _("%(term)s届以来") % {"term": chinese_number(scope.term)}
    if scope.term:
        return _("%(term)s届任期内") % {"term": chinese_number(scope.term)}
    if scope.year:
        return _("%(year)s年") % {"year": scope.year}
    return ""


def headline(figures: dict, *, prefix: str = "") -> str:
    """The office's sentence. Outcomes count people (each person a
    disposition dealt with), and the money clause is left out when no money was recorded: "挽回经济损失0万元" would claim a
    result nobody reported."""
    values = {
        "organizations": figures["targets"]["organizations"],
        "problems": figures["problems"]["total"],
        "clues": figures["clues"]["transferred"],
        "disciplined": figures["clues"]["disciplined"],
        "justice": figures["clues"]["justice"],
        "money": figures["money"]["wan"],
    }
    outcomes = _("党纪政务处分%(disciplined)s人，移送司法机关%(justice)s人") % values
    parts = [
        _("共对%(organizations)s家党组织开展巡察，发现问题%(problems)s个，移送问题线索%(clues)s条")
        % values,
        outcomes,
    ]
    if money_recorded(figures):
        parts.append(_("挽回经济损失%(money)s万元") % values)
    sentence = "，".join(str(part) for part in parts) + "。"
    return f"{prefix}，{sentence}" if prefix else sentence


def money_recorded(figures: dict) -> bool:
    return Decimal(figures["money"]["yuan"]) != 0

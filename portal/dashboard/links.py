"""Where each figure leads: the filtered list behind it.

The lists belong to the rounds and rectification apps and take the filter
names used here (round, region, category, source, severity, immediate_fix;
colour, organization). The scope's term, year and sector are passed along
too, so a list that understands them shows exactly the figure's rows. What a
viewer then sees in the list is the list's business: leadership's problem
list, for one, shows only problems already fed back. Clue figures link
nowhere: nobody reads clues from here.
"""

from urllib.parse import urlencode

from django.urls import reverse

from portal.dashboard.figures import Scope

PROBLEM_LIST = "rounds:problem_list"
TARGET_LIST = "rounds:target_list"
ITEM_LIST = "rectification:item_list"


def _url(url_name: str, scope: Scope, extra: dict) -> str:
    base = reverse(url_name)
    params = scope.params()
    params.update({name: str(value) for name, value in extra.items() if value not in (None, "")})
    return f"{base}?{urlencode(params)}" if params else base


def problems_url(scope: Scope, **extra) -> str:
    return _url(PROBLEM_LIST, scope, extra)


def targets_url(scope: Scope, **extra) -> str:
    return _url(TARGET_LIST, scope, extra)


def items_url(scope: Scope, **extra) -> str:
    return _url(ITEM_LIST, scope, extra)


def dashboard_url(scope: Scope, **extra) -> str:
    # term= is always present: without it the page would fall back to the latest term.
    params = {"term": "", **scope.params()}
    params.update({name: str(value) for name, value in extra.items() if value not in (None, "")})
    return f"{reverse('dashboard:index')}?{urlencode(params)}"

"""The scope form: term, year, round, district, sector (a GET form).

Its choices are the viewer's own: the rounds and districts of their office's
reach. A value outside them (a stale bookmark, another office's round) is
dropped with the form's error, never used.
"""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from portal.dashboard.figures import Scope
from rounds.models import chinese_number
from xuncha.orgs.models import Organization

ALL = ""


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class ScopeForm(forms.Form):
    term = forms.TypedChoiceField(label=_("届次"), required=False, coerce=int, empty_value=None)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    round = forms.TypedChoiceField(label=_("轮次"), required=False, coerce=int, empty_value=None)
    region = forms.TypedChoiceField(label=_("区县"), required=False, coerce=int, empty_value=None)
    sector = forms.ChoiceField(label=_("领域"), required=False)

    def __init__(self, data, *, options: dict):
        super().__init__(data)
        self.fields["term"].choices = [(ALL, _("全部届次"))] + [
            (term, f"{chinese_number(term)}届") for term in options["terms"]
        ]
        self.fields["year"].choices = [(ALL, _("全部年度"))] + [
            (year, f"{year}年") for year in options["years"]
        ]
        self.fields["round"].choices = [(ALL, _("全部轮次"))] + [
            (r["id"], r["name"]) for r in reversed(options["rounds"])
        ]
        self.fields["region"].choices = [(ALL, _("全部区县"))] + [
            (r["id"], r["name"]) for r in options["regions"]
        ]
        self.fields["sector"].choices = [(ALL, _("全部领域")), *Organization.Sector.choices]

    def scope(self) -> Scope:
        """The valid fields' values; an invalid field counts as "all"."""
        self.is_valid()
        data = self.cleaned_data
        return Scope(
            term=data.get("term"),
            year=data.get("year"),
            round_id=data.get("round"),
            region_id=data.get("region"),
            sector=data.get("sector") or "",
        )


def scope_form(params, options: dict) -> ScopeForm:
    """The form for these GET parameters. With no ``term`` parameter at all
    the office's current term is chosen: coverage (全覆盖) is a term's
    measure. An empty ``term=`` means every term."""
    data = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
    if not isinstance(params, QueryDict):
        for name, value in (params or {}).items():
            data[name] = "" if value is None else str(value)
    if "term" not in data and options["current_term"] is not None:
        data["term"] = str(options["current_term"])
    _make_consistent(data, options)
    return ScopeForm(data, options=options)


def _known_int(value, known: set[int]) -> int | None:
    try:
        number = _int_or_none(value)
    except (TypeError, ValueError):
        return None
    return number if number in known else None


def _make_consistent(data: QueryDict, options: dict) -> None:
    """A choice that would count nothing by contradiction gives way to the more
    specific one: a round sets its own term and year, and a year its term
    (the term of the office's own rounds that year; every term when that
    year's rounds span two). Choosing only 2017 while the current term stays
    selected counts the 2017 rounds, not an empty 十三届2017年."""
    rounds = options["rounds"]
    chosen = _known_int(data.get("round"), {r["id"] for r in rounds})
    if chosen is not None:
        round_ = next(r for r in rounds if r["id"] == chosen)
        data["term"], data["year"] = str(round_["term"]), str(round_["year"])
        return
    year = _known_int(data.get("year"), {r["year"] for r in rounds})
    if year is None:
        return
    term = _known_int(data.get("term"), {r["term"] for r in rounds})
    if term is not None and any(r["term"] == term and r["year"] == year for r in rounds):
        return
    if term is None and data.get("term") in (None, ""):
        return  # every term, that year: consistent as it is
    that_year = [r for r in rounds if r["year"] == year]
    terms = {r["term"] for r in that_year if r["own"]} or {r["term"] for r in that_year}
    data["term"] = str(terms.pop()) if len(terms) == 1 else ""


def category_param(params, options: dict) -> int | None:
    """The category the problems chart is drilled into, if it exists."""
    try:
        value = _int_or_none(params.get("category"))
    except (TypeError, ValueError):
        return None
    known = {c["id"] for c in options["categories"]}
    return value if value in known else None

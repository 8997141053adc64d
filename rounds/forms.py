"""Forms for the rounds pages. They collect and type what a person typed; the
rules (who may, in which stage, recusal, pools) are the services'. Every
select of rows comes from a selector, so it offers only what the user sees."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rounds.models import (
    Commitment,
    Membership,
    Problem,
    Round,
    RoundKind,
    Target,
    Team,
)
from rounds.selectors import category_choices as cached_category_choices
from rounds.selectors import (
    category_tree,
    round_choices,
    round_list,
    sees_problem_sources,
    team_list,
)
from rounds.services.team_reports import REPORT_EXTENSIONS
from rounds.services.worklogs import LOG_FIGURES
from xuncha.core.forms import BootstrapFormMixin
from xuncha.core.uploads import SIGNATURES
from xuncha.orgs.models import Cadre, Organization, Region
from xuncha.orgs.selectors import cadre_list, organization_list, region_choices

ALL = _("全部")
PER_PAGE_CHOICES = (20, 50, 100)
ALLOWED_EXTENSIONS = sorted({ext for _magic, kind in SIGNATURES for ext in kind.extensions})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def category_choices(empty_label) -> list[tuple]:
    """The category tree as a flat select, indented by depth."""
    return [("", empty_label), *cached_category_choices()]


class FilterForm(BootstrapFormMixin, forms.Form):
    """A list's filters. A value that does not validate (an unknown round, a
    stale link) is dropped on its own; the others still apply."""

    # Shown behind "更多条件": the dashboard's scope, passed along by its links.
    extra_fields: tuple[str, ...] = ()

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            data[name] = value.pk if hasattr(value, "pk") else value
        return data

    def primary_fields(self):
        return [f for f in self.visible_fields() if f.name not in self.extra_fields]

    def secondary_fields(self):
        return [f for f in self.visible_fields() if f.name in self.extra_fields]

    def has_secondary_values(self) -> bool:
        return any(self.data.get(name) for name in self.extra_fields)


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Round) -> str:
        return obj.name


class _OfferedTeams(forms.models.ModelChoiceIterator):
    def __init__(self, field):
        super().__init__(field)
        if field.offered is not None:
            self.queryset = field.offered


class TeamChoiceField(forms.ModelChoiceField):
    """Accepts any team the user sees but offers only ``offered`` as options
    (the chosen round's, or the team already chosen): every team of every
    round is thousands of options at a province's size, read and rendered on
    every list page."""

    iterator = _OfferedTeams

    def __init__(self, *args, offered=None, **kwargs):
        self.offered = offered
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.round.name} · {obj.name}"


# Added after BootstrapFormMixin styled the declared fields, so styled here.
SMALL_SELECT = {"class": "form-select form-select-sm"}


def _round_field(user) -> RoundChoiceField:
    field = RoundChoiceField(
        label=_("巡察轮次"),
        queryset=round_list(user=user).prefetch_related(None),
        required=False,
        empty_label=ALL,
        widget=forms.Select(attrs=SMALL_SELECT),
    )
    # The options from the cache; a chosen round is still looked up in the queryset.
    field.choices = [("", ALL), *round_choices(user=user)]
    return field


def _team_field(user, round_id, team_id=None) -> TeamChoiceField:
    teams = team_list(user=user).prefetch_related(None).order_by("-round__year", "round", "number")
    if round_id:
        offered = teams.filter(round_id=round_id)
    else:  # no round chosen: only a team already chosen is offered (no query for none)
        offered = teams.filter(pk=team_id) if team_id else teams.none()
    return TeamChoiceField(
        label=_("巡察组"),
        queryset=teams.filter(round_id=round_id) if round_id else teams,
        offered=offered,
        required=False,
        empty_label=ALL,
        widget=forms.Select(attrs=SMALL_SELECT),
    )


def _round_id(data, name: str = "round") -> int | None:
    try:
        return int(data.get(name) or 0) or None
    except (TypeError, ValueError):
        return None


# --- Rounds ------------------------------------------------------------------


class RoundFilterForm(FilterForm):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", ALL), *Round.Status.choices]
    )
    kind = forms.ModelChoiceField(
        label=_("巡察类型"),
        queryset=RoundKind.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=ALL,
    )

    def filters(self) -> dict:
        data = super().filters()
        if "kind" in data:
            data["kind"] = self.cleaned_data["kind"].code
        return data


class RoundForm(BootstrapFormMixin, forms.Form):
    term = forms.IntegerField(
        label=_("届次"), min_value=1, max_value=99, help_text=_("如十三届填 13。")
    )
    number = forms.IntegerField(label=_("轮次"), min_value=1, max_value=99)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kinds = forms.ModelMultipleChoiceField(
        label=_("巡察类型"),
        queryset=RoundKind.objects.all(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("可多选。提级、交叉巡察决定本轮可以巡察哪些单位。"),
    )
    theme = forms.CharField(
        label=_("专项主题"),
        max_length=100,
        required=False,
        help_text=_("专项巡察必填，如：扶贫帮扶、涉水生态。"),
    )
    planned_start = forms.DateField(label=_("计划开始"), widget=DateInput)
    planned_end = forms.DateField(label=_("计划结束"), widget=DateInput)
    report_due = forms.DateField(
        label=_("巡察报告报送期限"),
        widget=DateInput,
        required=False,
        help_text=_("各巡察组向巡察办报送巡察情况报告的截止日期，可以稍后在轮次页面设定。"),
    )


class ReportDueForm(BootstrapFormMixin, forms.Form):
    report_due = forms.DateField(
        label=_("巡察报告报送期限"),
        widget=DateInput,
        required=False,
        help_text=_("各巡察组向巡察办报送巡察情况报告的截止日期；期限过后不能再修改。"),
    )


class TeamReportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("巡察情况报告"),
        help_text=_("PDF、Word、WPS 或 OFD 文档。再次报送视为修改稿，首次报送时间不变。"),
        # What team_report_submit takes, not every kind an upload may be.
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(REPORT_EXTENSIONS))}),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class TeamForm(BootstrapFormMixin, forms.Form):
    number = forms.IntegerField(label=_("组号"), min_value=1, max_value=99)
    liaison = forms.CharField(label=_("联络员"), max_length=50, required=False)


class PoolSelect(forms.Select):
    """Each cadre option says which pools it is in, so the page can show only
    the pool that fits the chosen role (the service checks it again)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        cadre = getattr(value, "instance", None)
        if cadre is not None:
            pools = [
                p
                for p, flag in (("leader", cadre.in_leader_pool), ("talent", cadre.in_talent_pool))
                if flag
            ]
            option["attrs"]["data-pools"] = " ".join(pools)
        return option


class CadreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:
        pools = "、".join(
            label
            for label, flag in (("组长库", obj.in_leader_pool), ("人才库", obj.in_talent_pool))
            if flag
        )
        return f"{obj.name}（{obj.organization.name}，{obj.position or obj.get_rank_display()}；{pools}）"


class MemberAddForm(BootstrapFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("职务"), choices=Membership.Role.choices)
    cadre = CadreChoiceField(
        label=_("干部"),
        queryset=Cadre.objects.none(),
        widget=PoolSelect,
        help_text=_("组长从组长库选派，组员从人才库选派；回避关系在编入时核对。"),
    )
    confirm_busy = forms.BooleanField(
        label=_("确认同时选派（该干部已在其他巡察组工作时）"), required=False
    )

    def __init__(self, *args, user, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        # Active cadres of either pool who are not on a team of this round yet.
        self.fields["cadre"].queryset = (
            cadre_list(user=user)
            .prefetch_related(None)
            .filter(Q(in_leader_pool=True) | Q(in_talent_pool=True), is_active=True)
            .exclude(memberships__round_id=team.round_id)
            .order_by("-in_leader_pool", "name", "code")
        )


class TargetAddForm(BootstrapFormMixin, forms.Form):
    organization = forms.CharField(
        label=_("组织编码"),
        max_length=50,
        help_text=_("输入被巡察党组织的编码，或在下方按名称查找后加入。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_organization(self) -> Organization:
        code = self.cleaned_data["organization"].strip()
        organization = organization_list(user=self.user).filter(code=code).first()
        if organization is None:
            raise forms.ValidationError(
                _("找不到编码为「%(code)s」的党组织。"), params={"code": code}
            )
        return organization


class OrganizationSearchForm(BootstrapFormMixin, forms.Form):
    org_q = forms.CharField(label=_("按名称或编码查找党组织"), max_length=50, required=False)


# --- Targets -------------------------------------------------------------------


class TargetFilterForm(FilterForm):
    extra_fields = ("term", "year", "sector")

    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", ALL), *Target.Status.choices]
    )
    region = forms.ModelChoiceField(
        label=_("区县（市）"), queryset=Region.objects.all(), required=False, empty_label=ALL
    )
    term = forms.IntegerField(label=_("届次"), required=False, min_value=1, max_value=99)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    sector = forms.ChoiceField(
        label=_("领域"), required=False, choices=[("", ALL), *Organization.Sector.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", ALL), *region_choices()]
        # Round and team first: the order the office thinks in.
        fields = {
            "round": _round_field(user),
            "team": _team_field(user, _round_id(self.data), _round_id(self.data, "team")),
        }
        fields.update(self.fields)
        self.fields = fields


class TargetDatesForm(BootstrapFormMixin, forms.Form):
    entry_date = forms.DateField(label=_("进驻日期"), required=False, widget=DateInput)
    exit_date = forms.DateField(label=_("撤离日期"), required=False, widget=DateInput)
    feedback_date = forms.DateField(
        label=_("反馈日期"),
        required=False,
        widget=DateInput,
        help_text=_("整改报告期限按反馈日期后两个月自动计算。"),
    )


class FeedbackForm(BootstrapFormMixin, forms.Form):
    feedback_date = forms.DateField(label=_("反馈日期"), widget=DateInput)
    confirm_clue_problems = forms.BooleanField(
        label=_("我已核实：上列关联问题线索的问题可以反馈给被巡察单位"), required=False
    )


# --- Work logs -----------------------------------------------------------------


class FigureInput(forms.NumberInput):
    """A big number pad on a phone."""

    def __init__(self):
        super().__init__(attrs={"inputmode": "numeric", "pattern": "[0-9]*", "min": 0})


class WorkLogForm(BootstrapFormMixin, forms.Form):
    # Choosing another day reloads the page with that day's log (static/js/app.js).
    date = forms.DateField(label=_("日期"), widget=DateInput(attrs={"data-reload-with": "date"}))
    interviews = forms.IntegerField(
        label=_("个别谈话（人次）"), min_value=0, max_value=9999, initial=0, widget=FigureInput
    )
    documents = forms.IntegerField(
        label=_("调阅资料（份）"), min_value=0, max_value=99999, initial=0, widget=FigureInput
    )
    petitions = forms.IntegerField(
        label=_("受理信访件（件）"), min_value=0, max_value=9999, initial=0, widget=FigureInput
    )
    visits = forms.IntegerField(
        label=_("走访（次）"), min_value=0, max_value=9999, initial=0, widget=FigureInput
    )
    site_checks = forms.IntegerField(
        label=_("实地踏勘（次）"), min_value=0, max_value=9999, initial=0, widget=FigureInput
    )
    problems_found = forms.IntegerField(
        label=_("发现问题（个）"), min_value=0, max_value=9999, initial=0, widget=FigureInput
    )
    narrative = forms.CharField(
        label=_("工作情况"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("当日主要工作、发现的重要情况和下一步安排。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Phone-sized: full-size inputs, not the lists' small ones.
            css = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = css.replace("form-control-sm", "form-control-lg")

    def figures(self) -> dict:
        return {name: self.cleaned_data[name] for name in LOG_FIGURES}


class WeeklySummaryFilterForm(FilterForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"] = _round_field(user)


class WeeklySummaryRunForm(BootstrapFormMixin, forms.Form):
    round = RoundChoiceField(label=_("巡察轮次"), queryset=Round.objects.none(), empty_label=None)
    week_start = forms.DateField(
        label=_("周一"), widget=DateInput, help_text=_("汇总该周周一至周日的工作日报。")
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault(
                "week_start", today - datetime.timedelta(days=today.weekday() + 7)
            )

    def clean_week_start(self) -> datetime.date:
        week_start = self.cleaned_data["week_start"]
        if week_start.weekday() != 0:
            raise forms.ValidationError(_("周汇总以周一为起始日，请选择周一。"))
        # A summary is compiled once and kept: compiling a week that has not
        # ended would freeze it half-done.
        if week_start + datetime.timedelta(days=6) >= timezone.localdate():
            raise forms.ValidationError(_("该周尚未结束，周一之后才能汇总。"))
        return week_start


# --- Problems --------------------------------------------------------------------


class ProblemFilterForm(FilterForm):
    extra_fields = ("term", "year", "sector", "per_page")

    q = forms.CharField(label=_("问题描述"), required=False, max_length=100)
    region = forms.ModelChoiceField(
        label=_("区县（市）"), queryset=Region.objects.all(), required=False, empty_label=ALL
    )
    category = forms.TypedChoiceField(label=_("问题类别"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", ALL), *Problem.Status.choices]
    )
    source = forms.ChoiceField(
        label=_("问题来源"), required=False, choices=[("", ALL), *Problem.Source.choices]
    )
    severity = forms.ChoiceField(
        label=_("严重程度"), required=False, choices=[("", ALL), *Problem.Severity.choices]
    )
    immediate_fix = forms.BooleanField(label=_("仅立行立改"), required=False)
    term = forms.IntegerField(label=_("届次"), required=False, min_value=1, max_value=99)
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    sector = forms.ChoiceField(
        label=_("领域"), required=False, choices=[("", ALL), *Organization.Sector.choices]
    )
    per_page = forms.TypedChoiceField(
        label=_("每页条数"),
        required=False,
        coerce=int,
        choices=[(n, n) for n in PER_PAGE_CHOICES],
        empty_value=50,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(ALL)
        self.fields["region"].choices = [("", ALL), *region_choices()]
        fields = {
            "round": _round_field(user),
            "team": _team_field(user, _round_id(self.data), _round_id(self.data, "team")),
        }
        fields.update(self.fields)
        self.fields = fields
        if not sees_problem_sources(user):
            del self.fields["source"]

    def filters(self) -> dict:
        data = super().filters()
        data.pop("per_page", None)
        if "immediate_fix" in data:
            data["immediate_fix"] = "1"
        return data

    def page_size(self) -> int:
        if not self.is_bound:
            return 50
        self.is_valid()
        return self.cleaned_data.get("per_page") or 50


class ProblemForm(BootstrapFormMixin, forms.Form):
    category = forms.TypedChoiceField(label=_("问题类别"), coerce=int)
    description = forms.CharField(
        label=_("问题描述"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    source = forms.ChoiceField(label=_("问题来源"), choices=Problem.Source.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Problem.Severity.choices)
    immediate_fix = forms.BooleanField(
        label=_("立行立改"), required=False, help_text=_("巡察期间已当场整改。")
    )
    found_on = forms.DateField(label=_("发现日期"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = category_tree()
        self.fields["category"].choices = category_choices(_("请选择"))
        if not self.is_bound:
            self.initial.setdefault("found_on", timezone.localdate())

    def clean_found_on(self) -> datetime.date:
        found_on = self.cleaned_data["found_on"]
        if found_on > timezone.localdate():
            raise forms.ValidationError(_("发现日期不能晚于今天。"))
        return found_on

    def clean_category(self):
        pk = self.cleaned_data["category"]
        category = next((c for c, _depth in self.tree if c.pk == pk), None)
        if category is None:
            raise forms.ValidationError(_("请选择问题类别。"))
        return category

    @classmethod
    def initial_for(cls, problem: Problem) -> dict:
        return {
            "category": problem.category_id,
            "description": problem.description,
            "source": problem.source,
            "severity": problem.severity,
            "immediate_fix": problem.immediate_fix,
            "found_on": problem.found_on,
        }


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=30)
    note = forms.CharField(required=False, max_length=2000)


class TransitionNoteForm(BootstrapFormMixin, forms.Form):
    """The note that goes with a review step; a return must say why."""

    note = forms.CharField(
        label=_("意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回时必须填写理由。"),
    )


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("附件"),
        help_text=_("PDF、图片、Word/Excel/PPT、WPS、OFD 文档和 zip 压缩包。"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )


COMMITMENT_TEXTS = {
    Commitment.Kind.CONFIDENTIALITY: _(
        "本人承诺：严格遵守党的保密纪律和巡察工作保密规定。对巡察中知悉的谈话内容、"
        "信访举报、问题线索、巡察报告等材料，不私自记录、复制、摘抄、留存，不向无关人员"
        "透露；不在非涉密计算机、互联网和个人通讯工具中存储、处理、传递涉密信息；巡察"
        "结束后按规定移交全部工作材料。违反上述承诺，愿接受组织处理。"
    ),
    Commitment.Kind.RECUSAL: _(
        "本人承诺：已如实申报本人及配偶、直系亲属的工作单位和任职经历。本人与本组巡察"
        "对象不存在任职回避、公务回避等应当回避的情形；巡察期间如发现应当回避的情形，"
        "立即向巡察组和巡察办报告并主动回避。不隐瞒、不虚报，愿接受组织监督。"
    ),
    Commitment.Kind.DISCIPLINE: _(
        "本人承诺：严格遵守中央八项规定及其实施细则精神和巡察工作纪律。不干预被巡察单位"
        "正常工作，不超越职权处理问题；不接受被巡察单位及其工作人员的宴请、礼品礼金和"
        "土特产，不参加可能影响公正履职的活动；不借巡察之机谋取私利，不为他人说情打招呼。"
        "自觉接受被巡察单位和群众监督。"
    ),
}

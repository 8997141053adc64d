"""The rectification ledger list as an .xlsx download, with the list's filters."""

from django.utils import timezone
from django.views.decorators.http import require_GET

from rectification import selectors
from rectification.forms import ItemFilterForm
from rounds.selectors import round_choices
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core.access import role_required
from xuncha.core.xlsx import list_export, stream_xlsx

COLUMNS = [
    ("编号", 8),
    ("被巡察单位", 28),
    ("问题", 48),
    ("整改措施", 40),
    ("类型", 10),
    ("责任领导", 10),
    ("责任人", 10),
    ("责任部门", 16),
    ("完成时限", 12),
    ("台账状态", 10),
    ("进度（%）", 9),
    ("预警", 8),
    ("建章立制", 9),
    ("挽回经济损失（元）", 14),
]


def item_rows(items):
    today = timezone.localdate()
    for item in items.iterator(chunk_size=2000):
        yield [
            item.pk,
            item.organization.name,
            item.problem.description,
            item.measures,
            item.get_kind_display(),
            item.responsible_leader,
            item.responsible_person,
            item.responsible_department,
            item.deadline,
            item.get_state_display(),
            item.progress,
            item.Colour(item.colour(today)).label if item.colour(today) else "",
            item.rules_made,
            item.money_recovered,
        ]


@role_required(Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT)
@require_GET
def item_export(request):
    form = ItemFilterForm(request.GET or None, rounds=round_choices(user=request.user))
    filters = form.filters()
    items = selectors.item_list(user=request.user, filters=filters)
    response = stream_xlsx(
        f"整改台账-{timezone.localdate():%Y%m%d}.xlsx",
        [title for title, _ in COLUMNS],
        item_rows(items),
        title="整改台账",
        widths=[width for _, width in COLUMNS],
    )
    log_action(request.user, "item.export", None, {"filters": filters})
    return response


@role_required(Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP)
@require_GET
def plan_export(request):
    plans = selectors.plan_list(user=request.user)
    rows = (
        [
            p.organization.name,
            p.target.round.name,
            p.get_status_display(),
            p.signed_by.get_full_name() if p.signed_by else "",
            timezone.localtime(p.signed_at).replace(tzinfo=None) if p.signed_at else None,
            timezone.localtime(p.submitted_at).replace(tzinfo=None) if p.submitted_at else None,
        ]
        for p in plans
    )
    columns = [("被巡察单位", 30), ("巡察轮次", 28), ("方案状态", 10), ("签字背书人", 10)]
    columns += [("签字时间", 17), ("报送时间", 17)]
    return list_export(request, name="整改方案", columns=columns, rows=rows, action="plan.export")


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT)
@require_GET
def recommendation_export(request):
    recommendations = selectors.recommendation_list(user=request.user)
    rows = (
        [r.title, r.department.name, r.issued_at, r.due, r.get_status_display()]
        for r in recommendations
    )
    columns = [("标题", 40), ("主送部门", 16), ("印发日期", 12), ("反馈期限", 12), ("状态", 10)]
    return list_export(
        request, name="巡察建议书", columns=columns, rows=rows, action="recommendation.export"
    )

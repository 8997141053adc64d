"""The ledgers (台账): the office's, a department's with what awaits its
receipt, a team's drafts; and the office's reconciliation (对账)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clues import selectors
from clues.access import is_clue_officer
from clues.forms import ClueFilterForm
from clues.reconciliation import RECEIPT_DAYS, TABLE_ROWS, reconciliation
from clues.views.rows import clue_rows, clues_for_rows
from rounds.selectors import round_choices, round_list
from xuncha.accounts.roles import Role
from xuncha.core.access import role_required
from xuncha.core.pagination import BoundedPaginator
from xuncha.core.view_helpers import PAGE_SIZE

LEDGER_ROLES = (Role.OFFICE, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.DEPARTMENT)


@never_cache
@role_required(*LEDGER_ROLES)
def clue_list(request):
    user = request.user
    department_view = user.has_role(Role.DEPARTMENT) and not user.has_role(Role.OFFICE)
    form = ClueFilterForm(
        request.GET or None,
        rounds=round_list(user=user).prefetch_related(None),
        round_choices=[] if department_view else round_choices(user=user),
        department_view=department_view,
    )
    clues = clues_for_rows(selectors.clue_list(user=user, filters=form.filters()))
    page = BoundedPaginator(clues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clues/clue_list.html",
        {
            "form": form,
            "page": page,
            "rows": clue_rows(page),
            # Numbers only: the content opens when the department signs for it.
            "awaiting": list(selectors.awaiting_receipt(user=user)[:200]),
            "department_view": department_view,
            "may_draft": user.has_role(Role.TEAM_LEADER, Role.TEAM_MEMBER),
            "is_officer": is_clue_officer(user),
        },
    )


@never_cache
@role_required(Role.OFFICE)
def reconciliation_view(request):
    if not is_clue_officer(request.user):
        raise Http404
    data = reconciliation(user=request.user)
    tables = [
        (
            "not_received",
            _("已审批、超过 %(days)s 天未签收") % {"days": RECEIPT_DAYS},
            _("审批时间"),
            data.not_received,
        ),
        ("overdue", _("已签收、处置反馈逾期"), _("反馈期限"), data.overdue),
        ("to_close", _("已报告处置完毕、待销号"), _("报告时间"), data.to_close),
        ("no_feedback", _("已签收、尚无任何处置反馈"), _("签收时间"), data.no_feedback),
    ]
    return render(
        request,
        "clues/reconciliation.html",
        {
            "by_department": data.by_department,
            "tables": [
                {
                    "key": key,
                    "title": title,
                    "date_label": date_label,
                    "count": data.counts[key],
                    "rows": list(rows[:TABLE_ROWS]),
                }
                for key, title, date_label, rows in tables
            ],
        },
    )

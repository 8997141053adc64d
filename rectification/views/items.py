"""The ledger (五账): the item lists, one item's history and its actions."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rectification import selectors, services
from rectification.forms import (
    CheckForm,
    CloseForm,
    FollowUpForm,
    HandInForm,
    ItemFilterForm,
    LedgerForm,
    OverdueSortForm,
    ReportForm,
    TransferForm,
)
from rectification.models import Item, LedgerEntry
from rectification.views.rows import item_rows, items_for_rows, overdue_rows
from rounds.selectors import round_choices
from xuncha.accounts.roles import Role
from xuncha.core.access import role_required
from xuncha.core.pagination import BoundedPaginator
from xuncha.core.view_helpers import PAGE_SIZE, error_messages

A = LedgerEntry.Action


@dataclass(frozen=True)
class ActionSpec:
    slug: str
    label: str
    button: str
    form: type[LedgerForm]
    service: Callable[..., object]
    done: str
    # The ledger actions (services.allowed_actions) this form stands for.
    codes: tuple[str, ...]


# In the order the page offers them: the first one allowed is the one to do.
ACTIONS = {
    spec.slug: spec
    for spec in (
        ActionSpec(
            "report",
            gettext_lazy("报账：报告整改进展"),
            gettext_lazy("报送进展"),
            ReportForm,
            services.ledger_report,
            gettext_lazy("整改进展已报送。"),
            (A.REPORT,),
        ),
        ActionSpec(
            "hand_in",
            gettext_lazy("交账：整改完成，提交佐证材料"),
            gettext_lazy("确认交账"),
            HandInForm,
            services.ledger_hand_in,
            gettext_lazy("已交账，等待巡察办查验。"),
            (A.HAND_IN,),
        ),
        ActionSpec(
            "check",
            gettext_lazy("查账：查验佐证材料"),
            gettext_lazy("提交查账结论"),
            CheckForm,
            services.ledger_check,
            gettext_lazy("查账结论已记录。"),
            (A.CHECK_ACCEPT, A.CHECK_RETURN),
        ),
        ActionSpec(
            "close",
            gettext_lazy("销账：销号"),
            gettext_lazy("确认销号"),
            CloseForm,
            services.ledger_close,
            gettext_lazy("已销号。"),
            (A.CLOSE,),
        ),
        ActionSpec(
            "transfer",
            gettext_lazy("转账：转办部门或转为长期坚持"),
            gettext_lazy("确认转账"),
            TransferForm,
            services.ledger_transfer,
            gettext_lazy("已转账。"),
            (A.TRANSFER,),
        ),
        ActionSpec(
            "follow_up",
            gettext_lazy("回头看"),
            gettext_lazy("记录回头看情况"),
            FollowUpForm,
            services.follow_up_check,
            gettext_lazy("回头看情况已记录。"),
            (A.REOPEN,),
        ),
    )
}


def _form(spec: ActionSpec, item: Item, data=None, files=None) -> LedgerForm:
    # Each form on the page gets its own ids; the field names stay plain
    # ("note", "files", "version") for whoever posts to the action URL.
    initial = {"version": item.version, "progress": item.progress}
    return spec.form(data, files, initial=initial, auto_id=f"id_{spec.slug}_%s")


@role_required(Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT)
def item_list(request):
    rounds = round_choices(user=request.user)
    form = ItemFilterForm(request.GET or None, rounds=rounds)
    items = items_for_rows(selectors.item_list(user=request.user, filters=form.filters()))
    page = BoundedPaginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = item_rows(page, today=timezone.localdate())
    return render(
        request, "rectification/item_list.html", {"form": form, "page": page, "rows": rows}
    )


@role_required(Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT)
def overdue_list(request):
    """Red items: overdue and not yet accepted, by organization."""
    form = OverdueSortForm(request.GET or None)
    sort = form.sort_key()
    # One round's overdue items (?round=<id>, as the item list takes it); the
    # selector keeps to the user's reach whatever the id.
    round_id = request.GET.get("round", "")
    items = selectors.overdue_list(
        user=request.user, filters={"round": int(round_id)} if round_id.isdigit() else None
    )
    by_organization = selectors.overdue_by_organization_cached(items)
    ordering = (
        ("organization__name", "organization_id", "deadline", "pk")
        if sort == "organization"
        else ("deadline", "pk")
    )
    page = BoundedPaginator(items_for_rows(items).order_by(*ordering), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = overdue_rows(page, today=timezone.localdate(), by_organization=sort == "organization")
    return render(
        request,
        "rectification/overdue_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "sort": sort,
            "by_organization": by_organization,
        },
    )


def _detail(request, item: Item, bound: dict | None = None):
    """The item page; ``bound`` holds a form that was posted with errors, to show again."""
    bound = bound or {}
    allowed = set(services.allowed_actions(request.user, item))
    forms = [
        (spec, bound.get(spec.slug) or _form(spec, item))
        for spec in ACTIONS.values()
        if allowed & set(spec.codes) or spec.slug in bound
    ]
    entries = item.entries.select_related("actor").prefetch_related("cosigners", "evidence")
    evidence = item.evidence.select_related("uploaded_by", "entry")
    return render(
        request,
        "rectification/item_detail.html",
        {
            "item": item,
            "forms": forms,
            "entries": entries,
            "evidence": evidence,
            "follow_ups": item.follow_ups.select_related("checked_by"),
        },
    )


@login_required
def item_detail(request, pk: int):
    return _detail(request, selectors.get_item_for_user(request.user, pk))


@login_required
@require_POST
def item_action(request, pk: int, action: str):
    item = selectors.get_item_for_user(request.user, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    form = _form(spec, item, request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容。"))
        return _detail(request, item, {spec.slug: form})
    try:
        spec.service(item=item, user=request.user, **form.service_kwargs())
    except services.ConcurrentActionError as error:
        # The page the author saw is out of date: show them the current one.
        for message in error_messages(error):
            messages.error(request, message)
        return redirect(item)
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
        if request.FILES:
            messages.warning(request, _("本次选择的文件均未保存，请改正后重新选择。"))
        return _detail(request, item, {spec.slug: form})
    messages.success(request, spec.done)
    return redirect(item)

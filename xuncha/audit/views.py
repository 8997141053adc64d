from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from xuncha.accounts.roles import Role
from xuncha.audit.forms import AuditFilterForm
from xuncha.audit.selectors import audit_entry_list


@login_required
def entry_list(request):
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entry_list(user=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "audit/entry_list.html", {"form": form, "page": page})

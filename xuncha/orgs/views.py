from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from xuncha.accounts.roles import Role
from xuncha.orgs.forms import CadreFilterForm, OrganizationFilterForm
from xuncha.orgs.selectors import (
    cadre_list as select_cadres,
)
from xuncha.orgs.selectors import (
    get_cadre_for_user,
    get_organization_for_user,
)
from xuncha.orgs.selectors import (
    organization_list as select_organizations,
)

PAGE_SIZE = 50


@login_required
def organization_list(request):
    form = OrganizationFilterForm(request.GET or None)
    organizations = select_organizations(user=request.user, filters=form.filters())
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/organization_list.html", {"form": form, "page": page})


@login_required
def organization_detail(request, pk: int):
    organization = get_organization_for_user(request.user, pk)
    children = select_organizations(user=request.user).filter(parent=organization)
    return render(
        request,
        "orgs/organization_detail.html",
        {"organization": organization, "children": children[:200]},
    )


@login_required
def cadre_list(request):
    if not request.user.has_role(Role.OFFICE):
        raise Http404  # the cadre pool is the office's working file (like the audit log)
    form = CadreFilterForm(request.GET or None)
    cadres = select_cadres(user=request.user, filters=form.filters())
    page = Paginator(cadres, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/cadre_list.html", {"form": form, "page": page})


@login_required
def cadre_detail(request, pk: int):
    cadre = get_cadre_for_user(request.user, pk)
    return render(
        request,
        "orgs/cadre_detail.html",
        {
            "cadre": cadre,
            "relations": cadre.relations.select_related("organization"),
            "history": cadre.work_history.select_related("organization"),
            "conflicts": cadre.conflicts.select_related("organization"),
        },
    )

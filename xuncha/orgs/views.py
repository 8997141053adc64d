from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xuncha.accounts.roles import Role
from xuncha.core.access import role_required
from xuncha.core.xlsx import list_export
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


ORGANIZATION_COLUMNS = [("组织编码", 16), ("党组织名称", 34), ("组织类别", 10), ("领域", 12)]
ORGANIZATION_COLUMNS += [("层级", 8), ("区县（市）", 12), ("主要负责人", 10), ("职务", 18)]


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.UNIT_CONTACT)
@require_GET
def organization_export(request):
    form = OrganizationFilterForm(request.GET or None)
    filters = form.filters()
    organizations = select_organizations(user=request.user, filters=filters)
    rows = (
        [
            o.code,
            o.name,
            o.get_kind_display(),
            o.get_sector_display(),
            o.get_level_display(),
            o.region.name if o.region else "市直",
            o.leader_name,
            o.leader_title,
        ]
        for o in organizations.iterator(chunk_size=2000)
    )
    return list_export(
        request,
        name="组织库",
        columns=ORGANIZATION_COLUMNS,
        rows=rows,
        action="organization.export",
        filters=filters,
    )


@role_required(Role.OFFICE)
@require_GET
def cadre_export(request):
    form = CadreFilterForm(request.GET or None)
    filters = form.filters()
    cadres = select_cadres(user=request.user, filters=filters)
    rows = (
        [
            c.code,
            c.name,
            c.organization.name,
            c.position,
            c.get_rank_display(),
            "、".join(s.name for s in c.specialties.all()),
            "是" if c.in_leader_pool else "",
            "是" if c.in_talent_pool else "",
        ]
        for c in cadres
    )
    columns = [("干部编号", 12), ("姓名", 10), ("所在单位", 30), ("职务", 18), ("职级", 8)]
    columns += [("专业特长", 18), ("组长库", 8), ("人才库", 8)]
    return list_export(
        request, name="干部库", columns=columns, rows=rows, action="cadre.export", filters=filters
    )

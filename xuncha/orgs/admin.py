from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from xuncha.orgs.models import (
    Cadre,
    CadreRelation,
    CadreWorkHistory,
    ConflictDeclaration,
    Department,
    Office,
    Organization,
    Region,
    Specialty,
)
from xuncha.orgs.resources import CadreResource, OrganizationResource
from xuncha.orgs.services import cadre_save, organization_save


class NoDeleteMixin:
    """Organizations and cadres are referenced by years of records: deactivate, never delete."""

    def has_delete_permission(self, request, obj=None):
        return False


class ResourceWithUserMixin:
    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}


@admin.register(Region)
class RegionAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "sort_order"]


@admin.register(Office)
class OfficeAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "level", "region"]


@admin.register(Department)
class DepartmentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region"]

    def has_add_permission(self, request):
        # A department needs its permission group; create it with department_create.
        return False


@admin.register(Organization)
class OrganizationAdmin(NoDeleteMixin, ResourceWithUserMixin, ImportExportModelAdmin):
    resource_classes = [OrganizationResource]
    list_display = ["code", "name", "kind", "sector", "level", "region", "leader_name", "is_active"]
    list_filter = ["region", "sector", "level", "kind", "is_active"]
    search_fields = ["code", "name", "short_name", "leader_name"]
    list_select_related = ["region"]
    raw_id_fields = ["parent", "leader_user"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        organization_save(organization=obj, user=request.user, created=not change)


class CadreRelationInline(admin.TabularInline):
    model = CadreRelation
    extra = 0
    raw_id_fields = ["organization"]


class CadreWorkHistoryInline(admin.TabularInline):
    model = CadreWorkHistory
    extra = 0
    raw_id_fields = ["organization"]


class ConflictDeclarationInline(admin.TabularInline):
    model = ConflictDeclaration
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(Cadre)
class CadreAdmin(NoDeleteMixin, ResourceWithUserMixin, ImportExportModelAdmin):
    resource_classes = [CadreResource]
    list_display = ["code", "name", "organization", "rank", "in_leader_pool", "in_talent_pool"]
    list_filter = ["rank", "in_leader_pool", "in_talent_pool", "specialties"]
    search_fields = ["code", "name", "organization__name"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "user"]
    filter_horizontal = ["specialties"]
    inlines = [CadreRelationInline, CadreWorkHistoryInline, ConflictDeclarationInline]

    def save_model(self, request, obj, form, change):
        cadre_save(cadre=obj, user=request.user, created=not change)


admin.site.register(Specialty)

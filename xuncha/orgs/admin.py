from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

from xuncha.accounts.roles import Role
from xuncha.orgs.imports import SpreadsheetError, check_headers, read_xlsx, row_problems
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
from xuncha.orgs.selectors import organization_list
from xuncha.orgs.services import cadre_save, organization_save


class NoDeleteMixin:
    """Organizations and cadres are referenced by years of records: deactivate, never delete."""

    def has_delete_permission(self, request, obj=None):
        return False


class SpreadsheetImportForm(ImportForm):
    """Refuses an unreadable file or wrong headers up front, with run_import's Chinese messages."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.resource_classes = resources

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is not None:
            content = upload.read()
            upload.seek(0)
            resource_class = self.resource_classes[int(cleaned.get("resource") or 0)]
            try:
                check_headers(resource_class(), read_xlsx(content))
            except SpreadsheetError as error:
                self.add_error("import_file", str(error))
        return cleaned


class ResourceWithUserMixin:
    import_form_class = SpreadsheetImportForm

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def process_result(self, result, request):
        # import-export announces success whatever happened; a rolled-back commit must say so.
        if result.has_errors() or result.has_validation_errors():
            problems = "；".join(
                _("第 %(row)s 行 %(column)s：%(message)s")
                % {"row": p.row_number, "column": p.column, "message": p.message}
                for p in row_problems(result)[:10]
            )
            messages.error(
                request, _("导入未完成，没有写入任何数据。%(problems)s") % {"problems": problems}
            )
            app_label, model_name = self.get_model_info()
            return HttpResponseRedirect(reverse(f"admin:{app_label}_{model_name}_import"))
        return super().process_result(result, request)

    def get_import_data_kwargs(self, **kwargs):
        # All rows or none, also when a row turned bad between preview and confirm.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}


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

    def get_queryset(self, request):
        # District staff see (and so can open) only their district's organizations,
        # the same reach as /orgs/; the system admin looks all up to link contacts.
        if request.user.has_role(Role.OFFICE):
            return organization_list(user=request.user)
        return super().get_queryset(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if request.user.has_role(Role.OFFICE):
            if db_field.name == "region":
                office = request.user.office
                kwargs["queryset"] = (
                    Region.objects.all()
                    if office is None or office.is_city
                    else Region.objects.filter(pk=office.region_id)
                )
            elif db_field.name == "parent":
                kwargs["queryset"] = organization_list(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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

"""The admin for the rounds app: the category tree is maintained here by the
office; everything else is read-only, because rounds, teams, targets and
problems are written by the app's pages through the services (which check the
rules and write the audit log). Lists are scoped by the same selectors."""

from django.contrib import admin

from rounds.models import Problem, ProblemCategory, Round, RoundKind, Target, Team
from rounds.selectors import problem_list, round_list, target_list
from xuncha.audit.services import log_action


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "is_negative_list", "sort_order", "is_active"]
    list_filter = ["is_negative_list", "is_active", ("parent", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    ordering = ["code"]
    autocomplete_fields = ["parent"]

    # The category tree is one for the whole city: the city office keeps it,
    # district offices use it as it is.
    def _city_staff(self, request) -> bool:
        office = request.user.office
        return request.user.is_superuser or (office is not None and office.is_city)

    def has_add_permission(self, request):
        return self._city_staff(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._city_staff(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._city_staff(request) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log_action(
            request.user,
            "problem_category.change" if change else "problem_category.create",
            obj,
            {"fields": form.changed_data},
        )

    def delete_model(self, request, obj):
        # Used categories are protected by the database; say who removed an unused one.
        log_action(request.user, "problem_category.delete", obj, {"code": obj.code})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(RoundKind)
class RoundKindAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "sort_order"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "year", "status", "planned_start", "planned_end"]
    list_filter = ["status", "year", "kinds"]
    list_select_related = ["office"]

    def get_queryset(self, request):
        return round_list(user=request.user).prefetch_related(None)


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "round", "liaison"]
    list_select_related = ["round__office"]

    def get_queryset(self, request):
        return Team.objects.filter(
            round__in=round_list(user=request.user).order_by()
        ).select_related("round__office")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["organization", "round", "team", "status", "entry_date", "feedback_date"]
    list_filter = ["status"]
    search_fields = ["organization__name", "organization__code"]

    def get_queryset(self, request):
        return target_list(user=request.user)


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    """Read-only; also the yardstick the bench compares the problem list with."""

    list_display = ["id", "target", "category", "source", "severity", "status", "found_on"]
    list_filter = ["status", "source", "severity", "immediate_fix", "category"]
    list_select_related = ["target__organization", "target__round__office", "category"]
    search_fields = ["description"]
    show_full_result_count = False

    def get_queryset(self, request):
        return problem_list(user=request.user)

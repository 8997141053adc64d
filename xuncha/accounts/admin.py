"""User administration, split by 三员分立: the system admin keeps accounts,
the security officer grants roles, and neither can do the other's part."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_ROLES, ROLE_LABELS, Role
from xuncha.accounts.services import check_role_grant, user_set_roles
from xuncha.audit.services import log_action

admin.site.unregister(Group)


class RoleGrantForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=[(role.value, label) for role, label in ROLE_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields = []

    actor = None  # set by UserAdmin.get_form to the requesting security officer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = [r.value for r in self.instance.roles]

    def clean(self):
        cleaned = super().clean()
        roles = {Role(r) for r in cleaned.get("roles", [])}
        try:
            check_role_grant(user=self.instance, roles=roles, actor=self.actor)
        except (PermissionDenied, ValidationError) as error:
            raise ValidationError(getattr(error, "messages", [str(error)])) from error
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "office", "organization", "department", "is_active"]
    list_filter = ["is_active", "groups", "office"]
    search_fields = ["username", "full_name"]
    list_select_related = ["office", "organization", "department"]
    raw_id_fields = ["organization"]
    sysadmin_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email")}),
        (_("所属"), {"fields": ("office", "organization", "department")}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def _is_security_officer(self, request) -> bool:
        return request.user.has_role(Role.SECURITY_OFFICER)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                log_action(
                    request.user, "user.password", user, {"usable": user.has_usable_password()}
                )
        return response

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, so the audit log keeps its actors

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if self._is_security_officer(request):
            return ((None, {"fields": ("roles",)}),)
        return self.sysadmin_fieldsets

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and self._is_security_officer(request):
            kwargs["form"] = type("RoleGrantForm", (RoleGrantForm,), {"actor": request.user})
            kwargs["fields"] = ["roles"]
            return admin.ModelAdmin.get_form(self, request, obj, **kwargs)
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None):
        if self._is_security_officer(request):
            return request.user.has_perm("accounts.grant_roles")
        if obj is not None and obj.pk != request.user.pk and obj.roles & ADMIN_ROLES:
            # 三员分立: the system admin cannot take over the security officer's
            # or the auditor's account by resetting its password or editing it.
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if isinstance(form, RoleGrantForm):
            try:
                user_set_roles(
                    user=obj,
                    roles=[Role(r) for r in form.cleaned_data["roles"]],
                    actor=request.user,
                )
            except (PermissionDenied, ValidationError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return
        super().save_model(request, obj, form, change)
        log_action(
            request.user,
            "user.update" if change else "user.create",
            obj,
            {"changed": list(form.changed_data)},
        )

    def save_related(self, request, form, formsets, change):
        if isinstance(form, RoleGrantForm):
            return  # roles were set by user_set_roles; there is nothing else on this form
        super().save_related(request, form, formsets, change)

"""User administration, split by 三员分立: the system admin keeps accounts
(creates, edits, disables, issues temporary passwords), the security officer
grants roles, and neither can do the other's part. Nobody sets another person's
chosen password here: Django's password form is refused for everyone."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_ROLES, ROLE_LABELS, Role
from xuncha.accounts.services import (
    check_account_management,
    check_role_grant,
    user_create,
    user_reset_password,
    user_set_active,
    user_set_roles,
    user_update,
)

admin.site.unregister(Group)


def _messages_of(error) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


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


class AccountCreateForm(forms.ModelForm):
    """No password fields: the account gets a temporary password (user_create)."""

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "office", "organization", "department"]


class AccountChangeForm(forms.ModelForm):
    """Django's UserChangeForm without its password hash field (no password is set here)."""

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "office", "organization", "department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "full_name",
        "office",
        "organization",
        "department",
        "is_active",
        "must_change_password",
    ]
    list_filter = ["is_active", "groups", "office"]
    search_fields = ["username", "full_name"]
    list_select_related = ["office", "organization", "department"]
    raw_id_fields = ["organization"]
    sysadmin_fieldsets = (
        (None, {"fields": ("username", "password_reset_link")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email")}),
        (_("所属"), {"fields": ("office", "organization", "department")}),
        (
            _("状态"),
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "password_changed_at",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    form = AccountChangeForm
    view_on_site = False  # get_absolute_url is the viewer's own profile
    add_form = AccountCreateForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": AccountCreateForm.Meta.fields,
                "description": _(
                    "账号创建后系统生成一次性临时密码，仅显示一次；本人首次登录时必须修改。"
                ),
            },
        ),
    )
    readonly_fields = [
        "password_reset_link",
        "must_change_password",
        "password_changed_at",
        "last_login",
        "date_joined",
    ]
    actions = ["disable_accounts", "enable_accounts", "grant_security_officer"]

    def _is_security_officer(self, request) -> bool:
        return request.user.has_role(Role.SECURITY_OFFICER)

    def _is_system_admin(self, request) -> bool:
        return request.user.has_role(Role.SYSADMIN) or request.user.is_superuser

    # --- URLs: the password form is gone, a temporary-password reset replaces it ----

    def get_urls(self):
        return [
            path(
                "<id>/password/",
                self.admin_site.admin_view(self.user_change_password),
                name="auth_user_password_change",
            ),
            path(
                "<id>/reset-password/",
                self.admin_site.admin_view(self.reset_password_view),
                name="accounts_user_reset_password",
            ),
            *admin.ModelAdmin.get_urls(self),
        ]

    def user_change_password(self, request, id, form_url=""):
        # 三员分立: choosing someone else's password would let the chooser sign in
        # as them. Refused for every role; a reset issues a temporary password.
        raise PermissionDenied(_("不能为他人设置密码，请使用“重置密码”生成一次性临时密码。"))

    @method_decorator(never_cache)
    def reset_password_view(self, request, id):
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self._is_system_admin(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": user,
            "title": _("重置密码：%(user)s") % {"user": user},
        }
        if request.method == "POST":
            try:
                context["temporary_password"] = user_reset_password(user=user, actor=request.user)
            except PermissionDenied as error:
                messages.error(request, _messages_of(error))
                return TemplateResponse(request, "admin/accounts/user/reset_password.html", context)
        else:
            try:
                check_account_management(user=user, actor=request.user)
            except PermissionDenied as error:
                context["refused"] = _messages_of(error)
        return TemplateResponse(request, "admin/accounts/user/reset_password.html", context)

    @admin.display(description=_("密码"))
    def password_reset_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            _gettext("密码只由本人设置。"),
            reverse("admin:accounts_user_reset_password", args=[obj.pk]),
            _gettext("重置密码（生成一次性临时密码）"),
        )

    # --- permissions ---------------------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are deactivated, so the audit log keeps its actors

    def has_add_permission(self, request):
        return self._is_system_admin(request) and super().has_add_permission(request)

    def has_manage_accounts_permission(self, request):
        return self._is_system_admin(request)

    def has_change_permission(self, request, obj=None):
        if self._is_security_officer(request):
            return request.user.has_perm("accounts.grant_roles")
        if obj is not None and (obj.pk == request.user.pk or obj.roles & ADMIN_ROLES):
            # 三员分立: the system admin cannot take over the security officer's
            # or the auditor's account by editing it, nor manage their own
            # (services.check_account_management says the same).
            return False
        return super().has_change_permission(request, obj)

    # --- forms ---------------------------------------------------------------------

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

    def save_model(self, request, obj, form, change):
        if isinstance(form, RoleGrantForm):
            try:
                user_set_roles(
                    user=obj,
                    roles=[Role(r) for r in form.cleaned_data["roles"]],
                    actor=request.user,
                )
            except (PermissionDenied, ValidationError) as error:
                messages.error(request, _messages_of(error))
            return
        if change:
            user_update(user=obj, changed=form.changed_data, actor=request.user)
            return
        created, temporary = user_create(
            actor=request.user, **{f: form.cleaned_data.get(f) for f in form.Meta.fields}
        )
        # The admin goes on with ``obj`` (its log entry and redirect): make it the saved row.
        obj.pk, obj._state = created.pk, created._state
        request.temporary_password = temporary

    def save_related(self, request, form, formsets, change):
        if isinstance(form, RoleGrantForm):
            return  # roles were set by user_set_roles; there is nothing else on this form
        super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The temporary password is shown on this one response and stored nowhere.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": _("账号已创建：%(user)s") % {"user": obj},
            "temporary_password": request.temporary_password,
            "created": True,
        }
        response = TemplateResponse(request, "admin/accounts/user/reset_password.html", context)
        response["Cache-Control"] = "no-store"
        return response

    # --- actions -------------------------------------------------------------------

    def _act(self, request, queryset, service, done_message, **kwargs):
        done = 0
        for user in queryset:
            try:
                service(user=user, actor=request.user, **kwargs)
                done += 1
            except (PermissionDenied, ValidationError) as error:
                messages.error(request, f"{user}：{_messages_of(error)}")
        if done:
            messages.success(request, done_message % {"count": done})

    @admin.action(description=_("停用所选账号"), permissions=["manage_accounts"])
    def disable_accounts(self, request, queryset):
        self._act(request, queryset, user_set_active, _("已停用 %(count)d 个账号。"), active=False)

    @admin.action(description=_("启用所选账号"), permissions=["manage_accounts"])
    def enable_accounts(self, request, queryset):
        self._act(request, queryset, user_set_active, _("已启用 %(count)d 个账号。"), active=True)

    @admin.action(description=_("授予安全保密管理员角色"), permissions=["manage_accounts"])
    def grant_security_officer(self, request, queryset):
        # Only the system admin grants this duty (roles.ROLE_GRANTERS), never its holder's peer.
        def grant(*, user, actor):
            user_set_roles(user=user, roles=[Role.SECURITY_OFFICER], actor=actor)

        self._act(request, queryset, grant, _("已为 %(count)d 个账号授予安全保密管理员角色。"))

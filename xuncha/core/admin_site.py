from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class XunchaAdminSite(admin.AdminSite):
    site_header = _("巡察工作管理系统 · 后台")
    site_title = _("巡察工作管理系统")
    index_title = _("数据维护")

    def has_permission(self, request):
        # Only the duties that maintain data use the admin (see roles.ADMIN_SITE_ROLES).
        user = request.user
        return user.is_active and user.is_authenticated and user.may_use_admin_site

    def password_change(self, request, extra_context=None):
        # One change-password page for everyone: it checks the policy, keeps the
        # history, clears a temporary password and writes the audit entry.
        return redirect("accounts:password_change")

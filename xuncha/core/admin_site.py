from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class XunchaAdminSite(admin.AdminSite):
    site_header = _("巡察工作管理系统 · 后台")
    site_title = _("巡察工作管理系统")
    index_title = _("数据维护")

    def has_permission(self, request):
        # Only the duties that maintain data use the admin (see roles.ADMIN_SITE_ROLES).
        user = request.user
        return user.is_active and user.is_authenticated and user.may_use_admin_site

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
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

    def get_urls(self):
        # Django's view-on-site (/admin/r/<ct>/<id>/) follows any content type to
        # its public URL: a survey's secret token, and a 404-or-302 that tells
        # which clue ids exist. Ours follows only this site's own models, within
        # what the admin shows the user, and answers 404 alike otherwise.
        urls = [u for u in super().get_urls() if getattr(u, "name", None) != "view_on_site"]
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            *urls,
        ]

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        if (
            model_admin is None
            or not model_admin.view_on_site
            or not model_admin.has_view_or_change_permission(request)
        ):
            raise Http404
        try:
            obj = model_admin.get_queryset(request).filter(pk=object_id).first()
        except (ValueError, ValidationError):
            obj = None
        if obj is None or not hasattr(obj, "get_absolute_url"):
            raise Http404
        return redirect(obj.get_absolute_url())

from django.contrib import admin
from django.urls import include, path

from xuncha.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/2fa/", include("xuncha.twofactor.urls")),
    path("accounts/", include("xuncha.accounts.urls")),
    path("orgs/", include("xuncha.orgs.urls")),
    path("audit/", include("xuncha.audit.urls")),
    path("rounds/", include("rounds.urls")),
    path("notifications/", include("xuncha.notifications.urls")),
    path("dashboard/", include("portal.dashboard.urls")),
    path("reports/", include("xuncha.reports.urls")),
    path("rectification/", include("rectification.urls")),
    path("clues/", include("clues.urls")),
    path("checklist/", include("checklist.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("archive/", include("archive.urls")),
    path("fieldwork/", include("fieldwork.urls")),
    path("", include("intake.urls")),
    path("imports/", include("xuncha.imports.urls")),
    path("crosscheck/", include("crosscheck.urls")),
    path("", include("portal.urls")),
]

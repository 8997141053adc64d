"""The project's URLs plus the report and import pages, for tests that run
before xuncha/urls.py includes them (and unchanged once it does)."""

from django.urls import include, path

from xuncha.urls import urlpatterns as project_urlpatterns

_namespaces = {getattr(p, "namespace", None) for p in project_urlpatterns}
urlpatterns = [
    *([path("reports/", include("xuncha.reports.urls"))] if "reports" not in _namespaces else []),
    *([path("imports/", include("xuncha.imports.urls"))] if "imports" not in _namespaces else []),
    *project_urlpatterns,
]

"""The URLconf of the problem-list figures' yardstick while rounds/admin.py
registers no ModelAdmin for Problem: the project's URLs plus a private admin
site with a plain changelist (select_related as a sensible admin would have)."""

from django.contrib import admin
from django.urls import path

from rounds.models import Problem
from xuncha import urls as root


class BenchProblemAdmin(admin.ModelAdmin):
    list_display = ["id", "target", "category", "source", "severity", "status", "found_on"]
    list_filter = ["status", "source", "severity", "immediate_fix", "category"]
    list_select_related = ["target__organization", "category"]


bench_admin_site = admin.AdminSite(name="bench_admin")
bench_admin_site.register(Problem, BenchProblemAdmin)

urlpatterns = [path("bench-admin/", bench_admin_site.urls), *root.urlpatterns]

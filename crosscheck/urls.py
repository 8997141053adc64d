from django.urls import path

from crosscheck.views import hits, rules, sources

app_name = "crosscheck"
urlpatterns = [
    path("", sources.index, name="index"),
    path("rounds/<int:pk>/", sources.round_home, name="round_home"),
    path("rounds/<int:pk>/upload/", sources.source_upload, name="source_upload"),
    path("rounds/<int:pk>/held/", sources.source_from_held, name="source_from_held"),
    path("rounds/<int:pk>/run/", rules.rule_run, name="rule_run"),
    path("rounds/<int:pk>/runs/", rules.run_status, name="run_status"),
    path("rounds/<int:pk>/rules/new/", rules.rule_create, name="rule_create"),
    path("rounds/<int:pk>/hits/", hits.hit_list, name="hit_list"),
    path("sources/<int:pk>/", sources.source_detail, name="source_detail"),
    path("sources/<int:pk>/map/", sources.source_map, name="source_map"),
    path("sources/<int:pk>/rows/", sources.source_rows, name="source_rows"),
    path("hits/<int:pk>/", hits.hit_detail, name="hit_detail"),
    path("hits/<int:pk>/review/", hits.hit_review, name="hit_review"),
    path("hits/<int:pk>/assign/", hits.hit_assign, name="hit_assign"),
]

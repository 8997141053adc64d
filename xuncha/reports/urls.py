from django.urls import path

from xuncha.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.job_list_view, name="job_list"),
    path("new/", views.job_create, name="job_create"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/download/", views.job_download, name="job_download"),
]

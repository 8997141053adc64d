from django.urls import path

from archive import views

app_name = "archive"
urlpatterns = [
    path("", views.archive_index, name="index"),
    path("rounds/<int:pk>/build/", views.archive_create, name="create"),
    path("<int:pk>/", views.archive_detail, name="detail"),
    path("<int:pk>/download/", views.archive_download, name="download"),
]

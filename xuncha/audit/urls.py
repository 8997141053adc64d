from django.urls import path

from xuncha.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("export.xlsx", views.entry_export, name="entry_export"),
    path("verify/", views.verification_start, name="verification_start"),
    path("verify/<int:pk>/", views.verification_detail, name="verification_detail"),
]

from django.urls import path

from xuncha.twofactor import views

app_name = "twofactor"
urlpatterns = [
    path("", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrol/qr.svg", views.enrol_qr, name="enrol_qr"),
    path("recovery/", views.recovery, name="recovery"),
    path("resets/", views.reset_list, name="reset_list"),
    path("resets/new/", views.reset_request, name="reset_request"),
    path(
        "resets/<int:pk>/approve/",
        views.reset_decide,
        {"decision": "approve"},
        name="reset_approve",
    ),
    path(
        "resets/<int:pk>/decline/",
        views.reset_decide,
        {"decision": "decline"},
        name="reset_decline",
    ),
]

from django.urls import path

from intake.views import public, team

app_name = "intake"

urlpatterns = [
    # The public's pages: short addresses, for the posters' QR codes.
    path("x/status/", public.status, name="status"),
    path("x/receipt/", public.receipt, name="receipt"),
    path("x/<slug:token>/", public.report_form, name="report_form"),
    # The team's and the office's pages.
    path("intake/", team.report_list, name="report_list"),
    path("intake/<int:pk>/", team.report_detail, name="report_detail"),
    path("intake/<int:pk>/files/<int:file_pk>/", team.report_file, name="report_file"),
    path("intake/<int:pk>/<slug:action>/", team.report_action, name="report_action"),
]

from django.urls import path

from evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/", views.round_view, name="round"),
    path("rounds/<int:pk>/export/", views.round_export, name="round_export"),
    path("teams/<int:pk>/remark/", views.team_remark, name="team_remark"),
    path("weights/<str:scope>/", views.weights_set, name="weights"),
    path("districts/", views.districts, name="districts"),
    path("districts/export/", views.districts_export, name="districts_export"),
    path("districts/<int:pk>/remark/", views.district_remark, name="district_remark"),
]

from django.urls import path

from xuncha.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("export.xlsx", views.organization_export, name="organization_export"),
    path("cadres/export.xlsx", views.cadre_export, name="cadre_export"),
    path("<int:pk>/", views.organization_detail, name="organization_detail"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
]

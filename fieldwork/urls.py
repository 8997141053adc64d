from django.urls import path

from fieldwork.views import packages, records

app_name = "fieldwork"
urlpatterns = [
    path("", records.field_home, name="field_home"),
    # The office (before the record kinds, which would take "packages" for one): packages out, returns in, laptops back.
    path("teams/<int:pk>/packages/", packages.package_list, name="package_list"),
    path("teams/<int:pk>/packages/export/", packages.package_export, name="package_export"),
    path("teams/<int:pk>/packages/return/", packages.return_import, name="return_import"),
    path("teams/<int:pk>/packages/laptop/", packages.laptop_return, name="laptop_return"),
    path("handouts/<uuid:package_id>/", packages.handout_download, name="handout_download"),
    path("teams/<int:pk>/", records.team_records, name="team_records"),
    path("teams/<int:pk>/<slug:kind>/", records.record_list, name="record_list"),
    path("teams/<int:pk>/<slug:kind>/new/", records.record_create, name="record_create"),
    path("records/<slug:kind>/<uuid:uuid>/", records.record_detail, name="record_detail"),
    path("records/<slug:kind>/<uuid:uuid>/edit/", records.record_edit, name="record_edit"),
    path("records/<slug:kind>/<uuid:uuid>/files/", records.record_attach, name="record_attach"),
    path(
        "records/<slug:kind>/<uuid:uuid>/files/<uuid:file_uuid>/",
        records.record_file,
        name="record_file",
    ),
]

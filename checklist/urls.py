from django.urls import path

from checklist import views

app_name = "checklist"
urlpatterns = [
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/toggle/", views.item_toggle, name="item_toggle"),
    path("targets/<int:pk>/", views.target_checklist, name="target"),
    path("targets/<int:pk>/items/<int:item_pk>/tick/", views.tick, name="tick"),
    path("ticks/<int:pk>/untick/", views.untick, name="untick"),
    path("ticks/<int:pk>/file/", views.tick_file, name="tick_file"),
]

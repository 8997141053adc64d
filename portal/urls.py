from django.urls import path

from portal import views

# The namespace predates the portal app; every {% url "core:home" %} still works.
app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
]

from django.urls import path

from portal import todo_views, views

# The namespace predates the portal app; every {% url "core:home" %} still works.
app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", todo_views.todo_list, name="todo"),
    path("todo/count/", todo_views.todo_badge, name="todo_badge"),
]

from django.urls import path

from xuncha.core import todo_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", todo_views.todo_list, name="todo"),
    path("todo/count/", todo_views.todo_badge, name="todo_badge"),
]

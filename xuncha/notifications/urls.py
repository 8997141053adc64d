from django.urls import path

from xuncha.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read/", views.notification_mark_read, name="notification_mark_read"),
]

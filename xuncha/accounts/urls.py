from django.urls import path

from xuncha.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout_unlock"),
]

from django.urls import path

from xuncha.accounts import activation_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("lockouts/<int:pk>/unlock/", views.lockout_unlock, name="lockout_unlock"),
    # 激活码: first sign-in of accounts created without a password
    path("activate/", activation_views.activate, name="activate"),
    path("activations/", activation_views.activation_list, name="activation_list"),
    path(
        "activations/<int:user_pk>/issue/",
        activation_views.activation_issue,
        name="activation_issue",
    ),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from . import otp_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.me, name="me"),
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/<str:action>/", views.user_action, name="user_action"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("otp/", otp_views.otp_verify_view, name="otp_verify"),
    path("otp/setup/", otp_views.otp_setup_view, name="otp_setup"),
    path("otp/recovery/", otp_views.otp_recovery_view, name="otp_recovery"),
]

from django.urls import path

from yakuba.core import auth, views

app_name = "core"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/otp/", auth.login_otp_view, name="login_otp"),
    path("logout/", auth.logout_view, name="logout"),
    path("healthz", views.health_view, name="health"),
]

"""A signed-in user's own account, under /tai-khoan/."""

from django.urls import path

from . import views

app_name = "account"
urlpatterns = [
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
]

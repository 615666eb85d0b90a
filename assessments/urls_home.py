"""The landing page, outside the app namespace so that templates and LOGIN_REDIRECT_URL say just «home»."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home, name="home")]

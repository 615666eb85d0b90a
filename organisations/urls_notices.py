"""A signed-in user's notices, under /thong-bao/."""

from django.urls import path

from . import views_notices as views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/da-doc/", views.notice_read, name="read"),
    path("da-doc-het/", views.notice_read_all, name="read_all"),
]

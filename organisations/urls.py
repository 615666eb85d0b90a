"""Administrators' pages for agencies and users (Sở Nội vụ), under /quan-tri/."""

from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("co-quan/", views.agency_list, name="agencies"),
    path("co-quan/them/", views.agency_edit, name="agency_add"),
    path("co-quan/<int:pk>/", views.agency_edit, name="agency_edit"),
    path("nguoi-dung/", views.user_list, name="users"),
    path("nguoi-dung/them/", views.user_edit, name="user_add"),
    path("nguoi-dung/<int:pk>/", views.user_edit, name="user_edit"),
    path("nguoi-dung/<int:pk>/mo-khoa/", views.user_unlock, name="user_unlock"),
    path("nhap-excel/", views.people_import, name="import"),
    path("nhap-excel/mau.xlsx", views.people_template, name="template"),
    path("danh-sach.xlsx", views.people_export, name="export"),
]

from django.urls import path

from . import views

app_name = "criteria"
urlpatterns = [
    path("", views.index_set_list, name="list"),
    path("nhap/", views.index_set_import, name="import"),
    path("mau.xlsx", views.template_download, name="template"),
    path("<int:pk>/", views.index_set_detail, name="detail"),
    path("<int:pk>/xuat.xlsx", views.index_set_export, name="export"),
    path("<int:pk>/sao-chep/", views.index_set_copy_view, name="copy"),
    path("<int:pk>/sua/", views.index_set_edit, name="edit"),
]

from django.urls import path

from . import views_exports

app_name = "reports"
urlpatterns = [
    # Background exports (issue 9, item 8).
    path("xuat/", views_exports.job_list, name="exports"),
    path("ky/<int:period_pk>/xuat/<slug:kind>/", views_exports.start, name="export_start"),
    path("xuat/<int:pk>/", views_exports.job_page, name="export_job"),
    path("xuat/<int:pk>/tai-ve/", views_exports.download, name="export_download"),
]

from django.urls import path

from . import views, views_exports

app_name = "reports"
urlpatterns = [
    # Analysis pages (views).
    path("ky/<int:pk>/xep-hang/", views.ranking, name="ranking"),
    path("ky/<int:pk>/ban-do-nhiet/", views.heatmap, name="heatmap"),
    # Background exports (issue 9, item 8).
    path("xuat/", views_exports.job_list, name="exports"),
    path("ky/<int:period_pk>/xuat/<slug:kind>/", views_exports.start, name="export_start"),
    path("xuat/<int:pk>/", views_exports.job_page, name="export_job"),
    path("xuat/<int:pk>/tai-ve/", views_exports.download, name="export_download"),
]

"""Reports of a period, mounted at /bao-cao/: what leadership reads and the province publishes (issue 9)."""

from django.urls import path

from . import views, views_analysis, views_dashboard, views_documents, views_exports

app_name = "reports"
urlpatterns = [
    # The leadership dashboard (views_dashboard): the newest readable period's, then any period's.
    path("", views_dashboard.latest, name="dashboard_latest"),
    path("ky/<int:pk>/tong-quan/", views_dashboard.dashboard, name="dashboard"),
    # The ranking and the heat map of a period (views).
    path("ky/<int:pk>/xep-hang/", views.ranking, name="ranking"),
    path("ky/<int:pk>/ban-do-nhiet/", views.heatmap, name="heatmap"),
    # The analysis pages (views_analysis): one agency's scorecard, where agencies lose points, who must report.
    path("ky/<int:pk>/don-vi/<int:agency_pk>/", views_analysis.scorecard_view, name="scorecard"),
    path("ky/<int:pk>/tieu-chi/", views_analysis.criteria_view, name="criteria"),
    path("ky/<int:pk>/canh-bao/", views_analysis.warnings_view, name="warnings"),
    # The decision publishing the results and one agency's scorecard, to print (views_documents).
    path("ky/<int:pk>/quyet-dinh.pdf", views_documents.decision_pdf, name="decision_pdf"),
    path("ky/<int:pk>/quyet-dinh.docx", views_documents.decision_docx, name="decision_docx"),
    path("ky/<int:pk>/don-vi/<int:agency_pk>/phieu.pdf", views_documents.scorecard_pdf, name="scorecard_pdf"),
    # Background exports (issue 9, item 8).
    path("xuat/", views_exports.job_list, name="exports"),
    path("ky/<int:period_pk>/xuat/<slug:kind>/", views_exports.start, name="export_start"),
    path("xuat/<int:pk>/", views_exports.job_page, name="export_job"),
    path("xuat/<int:pk>/tai-ve/", views_exports.download, name="export_download"),
]

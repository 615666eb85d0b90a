"""Reports of a period, mounted at /bao-cao/: what leadership reads and the province publishes (issue 9)."""

from django.urls import path

from . import views, views_documents

app_name = "reports"
urlpatterns = [
    path("ky/<int:pk>/xep-hang/", views.ranking, name="ranking"),
    path("ky/<int:pk>/ban-do-nhiet/", views.heatmap, name="heatmap"),
    path("ky/<int:pk>/quyet-dinh.pdf", views_documents.decision_pdf, name="decision_pdf"),
    path("ky/<int:pk>/quyet-dinh.docx", views_documents.decision_docx, name="decision_docx"),
    path("ky/<int:pk>/don-vi/<int:agency_pk>/phieu.pdf", views_documents.scorecard_pdf, name="scorecard_pdf"),
]

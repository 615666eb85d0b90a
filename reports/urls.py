"""Reports of a period, mounted at /bao-cao/: what leadership reads and the province publishes (issue 9)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("ky/<int:pk>/quyet-dinh.pdf", views.decision_pdf, name="decision_pdf"),
    path("ky/<int:pk>/quyet-dinh.docx", views.decision_docx, name="decision_docx"),
    path("ky/<int:pk>/don-vi/<int:agency_pk>/phieu.pdf", views.scorecard_pdf, name="scorecard_pdf"),
]

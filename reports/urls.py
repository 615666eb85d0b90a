from django.urls import path

from . import views_analysis

app_name = "reports"
urlpatterns = [
    # The analysis pages (views_analysis): one agency's scorecard, where agencies lose points, who must report.
    path("ky/<int:pk>/don-vi/<int:agency_pk>/", views_analysis.scorecard_view, name="scorecard"),
    path("ky/<int:pk>/tieu-chi/", views_analysis.criteria_view, name="criteria"),
    path("ky/<int:pk>/canh-bao/", views_analysis.warnings_view, name="warnings"),
]

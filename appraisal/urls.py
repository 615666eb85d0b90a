from django.urls import path

app_name = "appraisal"
urlpatterns: list = []

# Survey points and bonus/penalty (Sở Nội vụ).
from . import views_survey  # noqa: E402

urlpatterns += [
    path("ky/<int:pk>/dieu-tra/", views_survey.survey_page, name="survey"),
    path("ky/<int:pk>/dieu-tra/mau.xlsx", views_survey.survey_template, name="survey_template"),
    path("ky/<int:pk>/dieu-tra/nhap/", views_survey.survey_import, name="survey_import"),
    path("ky/<int:pk>/dieu-tra/don-vi/<int:assessment_pk>/", views_survey.survey_agency, name="survey_agency"),
    path("ky/<int:pk>/thuong-tru/", views_survey.adjustments_page, name="adjustments"),
    path(
        "ky/<int:pk>/thuong-tru/<int:adjustment_pk>/huy/",
        views_survey.adjustment_withdraw_view,
        name="adjustment_withdraw",
    ),
]

from django.urls import path

from . import views_assign

app_name = "appraisal"
urlpatterns: list = []

# Reviewer assignments of a period (administrator).
urlpatterns += [
    path("ky/<int:period_pk>/phan-cong/", views_assign.assignments_page, name="assignments"),
    path("ky/<int:period_pk>/phan-cong/them/", views_assign.assignment_add, name="assignment_add"),
    path("ky/<int:period_pk>/phan-cong/<int:pk>/bo/", views_assign.assignment_remove_view, name="assignment_remove"),
    path("ky/<int:period_pk>/phan-cong/sao-chep/", views_assign.assignments_copy, name="assignments_copy"),
    path("ky/<int:period_pk>/bat-dau-tham-dinh/", views_assign.start_appraisal, name="start_appraisal"),
]

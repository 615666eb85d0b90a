from django.urls import path

from . import views_results

app_name = "appraisal"
urlpatterns: list = []

# Results, finalisation and publication (appraisal.views_results).
urlpatterns += [
    path("ky/<int:pk>/ket-qua/", views_results.results_view, name="results"),
    path("ky/<int:pk>/cong-bo/", views_results.publication_view, name="publication"),
    path("ky/<int:pk>/cong-bo/chot/", views_results.finalise_view, name="finalise"),
    path("ky/<int:pk>/cong-bo/cong-bo/", views_results.publish_view, name="publish"),
    path("ky/<int:pk>/cong-bo/huy/", views_results.unpublish_view, name="unpublish"),
    path("ky/<int:pk>/cong-bo/cong-khai/", views_results.public_ranking_toggle, name="public_ranking_toggle"),
]

from django.urls import path

from . import views_work

app_name = "appraisal"
urlpatterns: list = [
    # The reviewer's work (views_work): the queue, by agency, by criterion, and the row writes.
    path("", views_work.queue, name="queue"),
    path("bai/<int:pk>/", views_work.sheet_view, name="sheet"),
    path("bai/<int:pk>/luu/<int:score_pk>/", views_work.save, name="save"),
    path("bai/<int:pk>/yeu-cau/<int:score_pk>/", views_work.request_view, name="request"),
    path("giu-diem-tu-cham/", views_work.accept_many, name="accept_many"),
    path("ky/<int:period_pk>/tieu-chi/<int:node_pk>/", views_work.criterion_view, name="criterion"),
]

from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("<int:pk>/tieu-chi/<int:score_pk>/", views.panel, name="panel"),
    path("<int:pk>/tieu-chi/<int:score_pk>/tai-len/", views.upload, name="upload"),
    path("<int:pk>/tieu-chi/<int:score_pk>/van-ban/", views.document, name="document"),
    path("<int:pk>/tieu-chi/<int:score_pk>/dung-lai/", views.link, name="link"),
    path("<int:pk>/tieu-chi/<int:score_pk>/go/<int:evidence_pk>/", views.unlink, name="unlink"),
    path("tep/<int:evidence_pk>/", views.download, name="download"),
    path("tep/<int:evidence_pk>/xem/", views.inline, name="inline"),
]

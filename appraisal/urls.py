from django.urls import path

from . import views_explain

app_name = "appraisal"
urlpatterns: list = []

# Rounds and explanations (appraisal.views_explain).
urlpatterns += [
    path("ky/<int:pk>/giai-trinh/", views_explain.period_view, name="explanations"),
    path("ky/<int:pk>/giai-trinh/tra-lai/", views_explain.return_view, name="return"),
    path("bai/<int:pk>/giai-trinh/", views_explain.answer_page, name="answer"),
    path("bai/<int:pk>/giai-trinh/yeu-cau/<int:request_pk>/", views_explain.answer_save, name="answer_save"),
    path("bai/<int:pk>/giai-trinh/tieu-chi/<int:score_pk>/tai-len/", views_explain.answer_upload, name="answer_upload"),
    path(
        "bai/<int:pk>/giai-trinh/tieu-chi/<int:score_pk>/van-ban/",
        views_explain.answer_document,
        name="answer_document",
    ),
    path("bai/<int:pk>/giai-trinh/gui/", views_explain.answer_send, name="answer_send"),
    path("bai/<int:pk>/tieu-chi/<int:score_pk>/lich-su/", views_explain.leaf_history_view, name="leaf_history"),
]

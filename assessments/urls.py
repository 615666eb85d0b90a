from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("danh-gia/", views.my_assessments, name="mine"),
    path("danh-gia/<int:pk>/", views.sheet_view, name="sheet"),
    path("danh-gia/<int:pk>/tieu-chi/<int:score_pk>/", views.leaf_row, name="leaf"),
    path("danh-gia/<int:pk>/tieu-chi/<int:score_pk>/luu/", views.leaf_save, name="leaf_save"),
    path("danh-gia/<int:pk>/tieu-chi/<int:score_pk>/xem-truoc/", views.leaf_preview, name="leaf_preview"),
    path("danh-gia/<int:pk>/tong-hop/", views.totals_panel, name="totals"),
    path("danh-gia/<int:pk>/san-sang/", views.mark_ready, name="mark_ready"),
    path("danh-gia/<int:pk>/gui/", views.submit_view, name="submit"),
    path("danh-gia/<int:pk>/rut-lai/", views.recall_view, name="recall"),
    path("danh-gia/<int:pk>/gia-han/", views.extend_view, name="extend"),
    path("danh-gia/<int:pk>/lich-su/", views.history_view, name="history"),
    path("ky-danh-gia/", views.period_list, name="periods"),
    path("ky-danh-gia/them/", views.period_form, name="period_add"),
    path("ky-danh-gia/<int:pk>/sua/", views.period_form, name="period_edit"),
    path("ky-danh-gia/<int:pk>/mo/", views.period_open_view, name="period_open"),
    path("ky-danh-gia/<int:pk>/tien-do/", views.progress_view, name="progress"),
    path("ky-danh-gia/<int:pk>/tien-do.xlsx", views.progress_export, name="progress_export"),
]

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("ky/<int:pk>/xep-hang/", views.ranking, name="ranking"),
    path("ky/<int:pk>/ban-do-nhiet/", views.heatmap, name="heatmap"),
]

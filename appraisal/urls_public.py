"""Pages anyone may open without signing in, mounted at /cong-khai/ (outside the council's /tham-dinh/)."""

from django.urls import path

from . import views_results

app_name = "public"
urlpatterns = [path("<int:period_pk>/", views_results.public_ranking, name="ranking")]

from django.urls import path  # noqa: F401 - the slices below add their paths

app_name = "appraisal"
urlpatterns: list = []

"""The app's URLs plus a view that fails, for the error page tests (never in production's URLconf)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from parindex.urls import urlpatterns as app_urlpatterns


@login_not_required
def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail /srv/parindex/evidence/services.py id=4242")


urlpatterns = [path("__hong__/", fails), *app_urlpatterns]

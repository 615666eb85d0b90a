"""The app's URLs plus views that fail or refuse, for the error page tests (never in production's URLconf)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from parindex.urls import urlpatterns as app_urlpatterns


@login_not_required
def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail /srv/parindex/evidence/services.py id=4242")


def refuses_without_reason(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def refuses_with_markup(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied('<script>alert("x")</script> Không được & không nên')


urlpatterns = [
    path("__hong__/", fails),
    path("__cam__/", refuses_without_reason),
    path("__cam-the__/", refuses_with_markup),
    *app_urlpatterns,
]

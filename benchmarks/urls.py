"""The site's URLs plus one trivial page, for benchmarks that compare a page with the cost of any request.

Used only by benchmarks (``override_settings(ROOT_URLCONF="benchmarks.urls")``), never by the site: the
trivial page goes through the whole middleware stack (session, login, CSRF, messages, axes…) and then
returns a few bytes, with no template and no query of its own.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

TRIVIAL_URL = "/__benchmark_trivial__/"


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path(TRIVIAL_URL.strip("/") + "/", trivial),
    path("", include("parindex.urls")),
]

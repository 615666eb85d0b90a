"""A signed-in user's own notices: the list, newest first, and marking them read. Nobody sees another's."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .models import Notice
from .notices import notice_mark_read, notices_mark_all_read
from .roles import acting_user

PER_PAGE = 20


def notice_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(Notice.objects.filter(user=user), PER_PAGE).get_page(request.GET.get("trang"))
    return render(
        request,
        "organisations/notices/list.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


def _back_to_list(request: HttpRequest) -> HttpResponse:
    page = request.POST.get("trang", "")
    url = reverse("notices:list")
    return redirect(f"{url}?trang={page}" if page.isdigit() else url)


@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notice read; with ``mo`` the notice's page opens next (only a path on this site)."""
    user = acting_user(request)
    notice = get_object_or_404(Notice, pk=pk, user=user)
    notice_mark_read(user=user, notice=notice)
    # Notices hold paths on this site; anything else (never written by the app) is not followed.
    if "mo" in request.POST and notice.url.startswith("/") and url_has_allowed_host_and_scheme(notice.url, None):
        return redirect(notice.url)
    return _back_to_list(request)


@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    count = notices_mark_all_read(user=acting_user(request))
    if count:
        messages.success(
            request,
            ngettext("Đã đánh dấu %(n)s thông báo là đã đọc.", "Đã đánh dấu %(n)s thông báo là đã đọc.", count)
            % {"n": count},
        )
    else:
        messages.info(request, _("Không có thông báo nào chưa đọc."))
    return _back_to_list(request)

"""The administrator's assignment page of a period: assign, remove, copy last period's, start appraisal.

Thin views: who may act is ``require_admin``; when is the services' (appraisal.services, .assigning).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments.confirmations import confirmation_page, confirmed
from assessments.models import Period, PeriodState
from organisations.roles import acting_user, require_admin
from parindex.forms import add_service_errors

from .assigning import assignment_overview, assignments_copy_previous, previous_assigned_period
from .forms_assign import AssignForm
from .models import ReviewAssignment
from .services import assignment_remove, assignment_save, period_start_appraisal


def _period(request: HttpRequest, period_pk: int) -> Period:
    require_admin(request.user)
    return get_object_or_404(Period, pk=period_pk)


def _page(request: HttpRequest, period: Period, form: AssignForm | None = None, status: int = 200) -> HttpResponse:
    overview = form.overview if form is not None else assignment_overview(period)
    if form is None:
        # «Giao» links preselect the node (and, from a conflict, the agency) they stand beside.
        initial = {name: request.GET.get(key, "") for name, key in (("node", "muc"), ("for_agency", "don_vi"))}
        form = AssignForm(overview=overview, initial={k: int(v) for k, v in initial.items() if v.isdigit()})
    return render(
        request,
        "appraisal/assign/page.html",
        {
            "period": period,
            "overview": overview,
            "form": form,
            "previous": previous_assigned_period(period),
            "can_start": period.state == PeriodState.OPEN,
            "texts": {"start": start_text(period), "copy": copy_text(overview.assignment_count)},
        },
        status=status,
    )


def _ask(request: HttpRequest, period: Period, *, title: str, message: str, ok_label: str = "") -> HttpResponse:
    """The confirmation step for a browser that did not ask (no JavaScript); nothing is done yet."""
    back = reverse("appraisal:assignments", args=[period.pk])
    return confirmation_page(request, title=title, message=message, ok_label=ok_label or title, cancel_url=back)


def start_text(period: Period) -> str:
    return _(
        "Bắt đầu thẩm định kỳ «%(period)s»?\n"
        "Mọi bản đánh giá chuyển sang thẩm định (bản chưa gửi được thẩm định như hiện có) và đơn vị không sửa "
        "được nữa. Không đưa kỳ về bước tự đánh giá được."
    ) % {"period": period.name}


def copy_text(existing: int) -> str:
    return _(
        "Kỳ này đã có %(n)s phân công. Sao chép từ kỳ trước sẽ xóa toàn bộ và thay bằng phân công của kỳ trước."
    ) % {"n": existing}


def assignments_page(request: HttpRequest, period_pk: int) -> HttpResponse:
    return _page(request, _period(request, period_pk))


@require_POST
def assignment_add(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = _period(request, period_pk)
    form = AssignForm(request.POST, overview=assignment_overview(period))
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = assignment_save(
                period=period,
                node=data["node_obj"],
                reviewer=data["reviewer"],
                team=data["team"],
                for_agency=data["agency_obj"],
                user=acting_user(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã phân công mục %(code)s.") % {"code": data["node_obj"].code})
            return redirect(f"{reverse('appraisal:assignments', args=[period.pk])}#muc-{row.node_id}")
    return _page(request, period, form, status=400)


@require_POST
def assignment_remove_view(request: HttpRequest, period_pk: int, pk: int) -> HttpResponse:
    period = _period(request, period_pk)
    row = get_object_or_404(ReviewAssignment.objects.select_related("node"), pk=pk, period=period)
    back = reverse("appraisal:assignments", args=[period.pk])
    if not confirmed(request):
        return _ask(request, period, title=_("Bỏ phân công"), message=remove_text(row))
    try:
        assignment_remove(assignment=row, user=acting_user(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã bỏ phân công mục %(code)s.") % {"code": row.node.code})
    return redirect(back)


def remove_text(row: ReviewAssignment) -> str:
    return _(
        "Bỏ phân công mục %(code)s? Các tiêu chí của mục này theo phân công của mục cấp trên, nếu có; "
        "nếu không, chúng chưa có người thẩm định."
    ) % {"code": row.node.code}


@require_POST
def assignments_copy(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = _period(request, period_pk)
    back = reverse("appraisal:assignments", args=[period.pk])
    try:
        result = assignments_copy_previous(period=period, user=acting_user(request), replace=confirmed(request))
    except ValidationError as exc:
        if exc.code == "has_assignments":
            return _ask(
                request,
                period,
                title=_("Sao chép phân công từ kỳ trước"),
                message=copy_text(ReviewAssignment.objects.filter(period=period).count()),
                ok_label=_("Thay bằng phân công kỳ trước"),
            )
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    text = ngettext(
        "Đã sao chép %(n)s phân công từ «%(source)s».",
        "Đã sao chép %(n)s phân công từ «%(source)s».",
        result.copied,
    ) % {"n": result.copied, "source": result.source.name}
    if result.skipped:
        text += " " + _(
            "Bỏ qua %(n)s mục không còn dùng được (mã không còn trong bộ chỉ số, đơn vị không tham gia "
            "hoặc người không còn là thành viên tổ thẩm định): %(codes)s."
        ) % {
            "n": len(result.skipped),
            "codes": ", ".join(result.skipped),
        }
    messages.success(request, text)
    return redirect(back)


@require_POST
def start_appraisal(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = _period(request, period_pk)
    back = reverse("appraisal:assignments", args=[period.pk])
    if not confirmed(request):
        return _ask(request, period, title=_("Bắt đầu thẩm định"), message=start_text(period))
    try:
        count = period_start_appraisal(period=period, user=acting_user(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, _("Chưa bắt đầu thẩm định được: %(reason)s") % {"reason": message})
        return redirect(back)
    messages.success(
        request,
        ngettext(
            "Đã bắt đầu thẩm định: %(n)s bản đánh giá chuyển sang thẩm định.",
            "Đã bắt đầu thẩm định: %(n)s bản đánh giá chuyển sang thẩm định.",
            count,
        )
        % {"n": count},
    )
    return redirect(back)

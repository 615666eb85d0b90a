"""Results, the publication checklist and its actions, and the public ranking. Thin: who may see and act is
decided here, when an action may happen by the services in appraisal.publishing."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.confirmations import confirmation_page, confirmed
from assessments.models import Period, PeriodState
from organisations.roles import UserRoles, acting_user, require_admin, roles_of
from parindex.forms import report_service

from .publishing import period_checklist, period_finalise, period_publish, period_set_public_ranking, period_unpublish
from .results import ResultGroup, period_results, publication_in_force, published_results

LIVE_STATES = (PeriodState.APPRAISAL, PeriodState.FINALISED)


def _has_any_role(roles: UserRoles) -> bool:
    return bool(roles.roles)


def _published(period: Period) -> list[ResultGroup] | None:
    publication = publication_in_force(period) if period.state == PeriodState.PUBLISHED else None
    return published_results(publication) if publication is not None else None


def results_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Live results for the administrator during appraisal; once published, the frozen snapshot for everyone
    with a role. Before publication nobody else learns the page exists (404) except province-wide readers,
    who are told why (403)."""
    roles = roles_of(request.user)
    period = get_object_or_404(Period, pk=pk)
    published = _published(period)
    if published is not None:
        if not _has_any_role(roles):
            raise Http404
        groups, live = published, False
    else:
        if not (roles.is_admin or roles.sees_all_submitted) or period.state not in LIVE_STATES:
            raise Http404
        if not roles.is_admin:
            raise PermissionDenied(_("Kết quả chỉ xem được sau khi Sở Nội vụ công bố."))
        groups, live = period_results(period), True
    return render(
        request,
        "appraisal/results/results.html",
        {"period": period, "groups": groups, "live": live, "is_admin": roles.is_admin},
    )


def publication_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    period = get_object_or_404(Period.objects.exclude(state__in=(PeriodState.SETUP, PeriodState.OPEN)), pk=pk)
    return render(
        request,
        "appraisal/results/publication.html",
        {
            "period": period,
            "checklist": period_checklist(period) if period.state == PeriodState.APPRAISAL else None,
            "publication": publication_in_force(period),
            "history": period.publications.select_related("published_by", "unpublished_by"),
            "finalise_text": finalise_text(period),
            "publish_text": publish_text(period),
        },
    )


def _period_for_action(request: HttpRequest, pk: int) -> Period:
    require_admin(request.user)
    return get_object_or_404(Period, pk=pk)


def _act(request: HttpRequest, period: Period, action: Callable[[], object], success: str) -> HttpResponse:
    report_service(request, action, success)
    return redirect("appraisal:publication", pk=period.pk)


@require_POST
def finalise_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period_for_action(request, pk)
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Chốt kết quả thẩm định"),
            message=finalise_text(period),
            ok_label=_("Chốt kết quả"),
            cancel_url=reverse("appraisal:publication", args=[pk]),
        )
    user = acting_user(request)
    return _act(
        request,
        period,
        lambda: period_finalise(period=period, user=user),
        _("Đã chốt kết quả kỳ «%(period)s».") % {"period": period.name},
    )


@require_POST
def publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period_for_action(request, pk)
    decision = request.POST.get("decision", "")
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Công bố kết quả"),
            message=publish_text(period),
            ok_label=_("Công bố"),
            cancel_url=reverse("appraisal:publication", args=[pk]),
            fields={"decision": decision},
        )
    user = acting_user(request)
    return _act(
        request,
        period,
        lambda: period_publish(period=period, user=user, decision=decision),
        _("Đã công bố kết quả kỳ «%(period)s».") % {"period": period.name},
    )


@require_POST
def unpublish_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period_for_action(request, pk)
    user = acting_user(request)
    reason = request.POST.get("reason", "")
    # The reason is typed on the checklist page; without it the service refuses, so no confirmation first.
    if reason.strip() and not confirmed(request):
        return confirmation_page(
            request,
            title=_("Hủy công bố kết quả"),
            message=unpublish_text(period, reason),
            ok_label=_("Hủy công bố"),
            cancel_url=reverse("appraisal:publication", args=[pk]),
            fields={"reason": reason},
        )
    return _act(
        request,
        period,
        lambda: period_unpublish(period=period, user=user, reason=reason),
        _("Đã hủy công bố kết quả kỳ «%(period)s».") % {"period": period.name},
    )


@require_POST
def public_ranking_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period_for_action(request, pk)
    public = request.POST.get("public") == "1"
    return _act(
        request,
        period,
        lambda: period_set_public_ranking(period=period, public=public),
        _("Bảng xếp hạng đã công bố được công khai, không cần đăng nhập.")
        if public
        else _("Bảng xếp hạng không còn công khai."),
    )


@login_not_required
def public_ranking(request: HttpRequest, period_pk: int) -> HttpResponse:
    """The published ranking and nothing else, when the period is published and its ranking public."""
    period = get_object_or_404(Period, pk=period_pk, state=PeriodState.PUBLISHED, public_ranking=True)
    groups = _published(period)
    if groups is None:
        raise Http404
    return render(request, "appraisal/results/public.html", {"period": period, "groups": groups})


# ---- what each irreversible action does, said before it is done ------------------------------------------


def finalise_text(period: Period) -> str:
    return _(
        "Chốt kết quả kỳ «%(period)s»?\n"
        "Mọi bản đánh giá chuyển sang «Đã thẩm định»; từ đó không ai thay đổi được điểm thẩm định, "
        "điểm điều tra xã hội học, điểm thưởng hay điểm trừ của kỳ."
    ) % {"period": period.name}


def publish_text(period: Period) -> str:
    return _(
        "Công bố kết quả kỳ «%(period)s»?\n"
        "Kết quả và thứ hạng được lưu cố định tại thời điểm công bố; mọi đơn vị và lãnh đạo tỉnh xem được."
    ) % {"period": period.name}


def unpublish_text(period: Period, reason: str) -> str:
    return _(
        "Hủy công bố kết quả kỳ «%(period)s»?\nCác đơn vị sẽ không còn xem được kết quả. Lý do được ghi lại: %(reason)s"
    ) % {"period": period.name, "reason": reason.strip()}

"""The administrator's page of a period's ranking groups. Thin: ``require_admin`` decides who, the services in
appraisal.groups decide when and what, under the period's lock."""

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.confirmations import confirmation_page, confirmed
from assessments.models import Period
from organisations.models import AgencyKind
from organisations.roles import require_admin
from parindex.forms import report_service
from parindex.numbers import parse_decimal

from .groups import group_delete, group_move, group_rows, group_save, groups_from_kinds, groups_refusal, groups_reset
from .models import RankingGroup

BAND_FIELDS = ("band_good_min", "band_fair_min", "band_average_min")


def _period(request: HttpRequest, pk: int) -> Period:
    require_admin(request.user)
    return get_object_or_404(Period, pk=pk)


def _group(period: Period, group_pk: int) -> RankingGroup:
    return get_object_or_404(RankingGroup, pk=group_pk, period=period)


def groups_page(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    rows = group_rows(period)
    explicit = [group for group, _members in rows if group.pk]
    kinds = Counter(kind for _group, members in rows for _pk, _name, kind in members)
    return render(
        request,
        "appraisal/groups/page.html",
        {
            "period": period,
            "rows": rows,
            "explicit": explicit,
            # Without groups, what ranks today: one group per agency kind, with the period's bands.
            "defaults": [(label, kinds[kind]) for kind, label in AgencyKind.choices if kinds[kind]],
            "refusal": groups_refusal(period),
        },
    )


def _act[T](
    request: HttpRequest, period: Period, action: Callable[[], T], success: str | Callable[[T], str]
) -> HttpResponse:
    report_service(request, action, success)
    return redirect("appraisal:groups", pk=period.pk)


def _bands(request: HttpRequest) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    values: list[Decimal | None] = []
    for name in BAND_FIELDS:
        raw = request.POST.get(name, "").strip()
        if not raw:
            values.append(None)
            continue
        try:
            values.append(parse_decimal(raw))
        except ValueError:
            raise ValidationError(_("Ngưỡng xếp loại phải là số, ví dụ 82,5.")) from None
    return values[0], values[1], values[2]


@require_POST
def groups_start(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    return _act(request, period, lambda: groups_from_kinds(period), _("Đã tạo khối xếp hạng theo loại đơn vị."))


@require_POST
def group_add(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    name = request.POST.get("name", "")
    return _act(
        request,
        period,
        lambda: group_save(period, name=name, bands=_bands(request)),
        _("Đã thêm khối «%(name)s».") % {"name": " ".join(name.split())},
    )


@require_POST
def group_edit(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    period = _period(request, pk)
    group = _group(period, group_pk)
    name = request.POST.get("name", "")
    return _act(
        request,
        period,
        lambda: group_save(period, name=name, bands=_bands(request), group=group),
        _("Đã lưu khối «%(name)s».") % {"name": " ".join(name.split())},
    )


@require_POST
def group_remove(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    period = _period(request, pk)
    group = _group(period, group_pk)
    return _act(request, period, lambda: group_delete(group), _("Đã xóa khối «%(name)s».") % {"name": group.name})


@require_POST
def group_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    try:
        target = int(request.POST.get("group", ""))
        ids = [int(v) for v in request.POST.getlist("sheet")]
    except ValueError:
        messages.error(request, _("Chọn khối đích và các đơn vị cần chuyển."))
        return redirect("appraisal:groups", pk=period.pk)
    group = _group(period, target)
    return _act(
        request,
        period,
        lambda: group_move(period, assessment_ids=ids, group=group),
        lambda moved: _("Đã chuyển %(n)s đơn vị sang khối «%(name)s».") % {"n": moved, "name": group.name},
    )


@require_POST
def groups_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Bỏ chia khối"),
            message=_("Xóa mọi khối xếp hạng của kỳ «%(period)s»: mỗi loại đơn vị lại là một khối, dùng ngưỡng của kỳ.")
            % {"period": period.name},
            ok_label=_("Bỏ chia khối"),
            cancel_url=reverse("appraisal:groups", args=[period.pk]),
        )
    return _act(request, period, lambda: groups_reset(period), _("Đã bỏ chia khối: xếp hạng theo loại đơn vị."))

"""Sở Nội vụ's pages for survey points (by hand, by Excel) and bonus/penalty. Administrators only.

Views stay thin: ``require_admin`` decides who, the services (surveys, survey_excel, adjustments) decide
when and what, under their locks.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.confirmations import confirmed
from assessments.models import Assessment, Period
from organisations.roles import acting_user, require_admin
from parindex.forms import add_service_errors
from parindex.xlsx import ImportInvalid, RowError, xlsx_response

from .adjustments import adjustment_add, adjustment_rows, adjustment_withdraw
from .models import Adjustment, SurveyScore
from .rules import council_refusal
from .survey_excel import build_template, import_survey
from .survey_forms import AdjustmentForm, SurveyAgencyForm, SurveyImportForm, WithdrawForm
from .surveys import StaleSurvey, survey_history, survey_parts, survey_set, survey_tables


def _period(request: HttpRequest, pk: int) -> Period:
    require_admin(request.user)
    return get_object_or_404(Period, pk=pk)


def _survey_page(
    request: HttpRequest, period: Period, form: SurveyImportForm, errors: list[RowError], status: int = 200
) -> HttpResponse:
    return render(
        request,
        "appraisal/survey/page.html",
        {
            "period": period,
            "tables": survey_tables(period),
            "form": form,
            "errors": errors,
            "refusal": council_refusal(period),
        },
        status=status,
    )


def survey_page(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    return _survey_page(request, period, SurveyImportForm(), [])


def survey_template(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    return xlsx_response(build_template(period), f"mau-dieu-tra-{period.year}-{period.pk}.xlsx")


@require_POST
def survey_import(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    form = SurveyImportForm(request.POST, request.FILES)
    errors: list[RowError] = []
    if form.is_valid():
        try:
            result = import_survey(period=period, data=form.cleaned_data["file"].read(), user=acting_user(request))
        except ImportInvalid as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("Đã nhập điểm điều tra: %(changed)s giá trị mới hoặc thay đổi, %(unchanged)s giá trị giữ nguyên.")
                % {"changed": result.changed, "unchanged": result.unchanged},
            )
            return redirect("appraisal:survey", pk=pk)
    return _survey_page(request, period, form, errors, status=400)


def survey_agency(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """One agency's survey points: the form (a change of a stored value needs a reason) and the history."""
    period = _period(request, pk)
    assessment = get_object_or_404(
        Assessment.objects.select_related("agency", "index_set", "period"), pk=assessment_pk, period=period
    )
    parts = survey_parts(assessment.index_set_id)
    if not parts:
        raise Http404(_("Bộ chỉ số của đơn vị này không có phần điều tra xã hội học."))
    stored = {s.node_id: s for s in SurveyScore.objects.filter(assessment=assessment)}
    form = SurveyAgencyForm(request.POST or None, parts=parts, stored=stored)
    if request.method == "POST" and form.is_valid():
        try:
            changed = _save_agency(form, assessment, request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if changed:
                message = _("Đã lưu điểm điều tra của %(agency)s.") % {"agency": assessment.agency.name}
                messages.success(request, message)
            else:
                messages.info(request, _("Không có điểm nào thay đổi."))
            return redirect("appraisal:survey_agency", pk=pk, assessment_pk=assessment.pk)
    return render(
        request,
        "appraisal/survey/agency.html",
        {
            "period": period,
            "assessment": assessment,
            "form": form,
            "history": survey_history(assessment),
            "refusal": council_refusal(period),
        },
        status=400 if form.errors else 200,
    )


@transaction.atomic
def _save_agency(form: SurveyAgencyForm, assessment: Assessment, request: HttpRequest) -> int:
    """Every typed part in one transaction: one refusal keeps all of them unsaved."""
    changed = 0
    reason = form.cleaned_data["reason"]
    for node, points, version in form.typed():
        if points is None:
            continue
        try:
            saved = survey_set(
                assessment=assessment,
                node=node,
                points=points,
                user=acting_user(request),
                reason=reason,
                version=version,
            )
        except StaleSurvey:
            raise
        except ValidationError as exc:
            raise ValidationError({f"points_{node.pk}": exc.messages}) from None
        changed += saved is not None
    return changed


# ---- bonus and penalty ----------------------------------------------------------------------------------


def adjustments_page(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    rows = adjustment_rows(period)
    agencies = [(row.assessment.pk, row.assessment.agency.name) for row in rows]
    form = AdjustmentForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assessment = next(row.assessment for row in rows if row.assessment.pk == data["assessment"])
        try:
            adjustment_add(
                assessment=assessment,
                kind=data["kind"],
                points=data["points"],
                reason=data["reason"],
                document=data["document"],
                user=acting_user(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm cho %(agency)s.") % {"agency": assessment.agency.name})
            return redirect("appraisal:adjustments", pk=pk)
    return render(
        request,
        "appraisal/survey/adjustments.html",
        {"period": period, "rows": rows, "form": form, "refusal": council_refusal(period)},
        status=400 if form.errors else 200,
    )


@require_POST
def adjustment_withdraw_view(request: HttpRequest, pk: int, adjustment_pk: int) -> HttpResponse:
    period = _period(request, pk)
    adjustment = get_object_or_404(
        Adjustment.objects.select_related("assessment__agency"), pk=adjustment_pk, assessment__period=period
    )
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi lý do hủy."))
        return redirect("appraisal:adjustments", pk=pk)
    if not confirmed(request):
        # The confirmation step without JavaScript carries the reason typed on the page.
        return render(
            request,
            "appraisal/survey/withdraw_confirm.html",
            {"period": period, "adjustment": adjustment, "reason": form.cleaned_data["reason"]},
        )
    try:
        adjustment_withdraw(adjustment=adjustment, reason=form.cleaned_data["reason"], user=acting_user(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã hủy mục của %(agency)s.") % {"agency": adjustment.assessment.agency.name})
    return redirect("appraisal:adjustments", pk=pk)

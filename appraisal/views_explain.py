"""Pages of the explanation round: the administrator's list per period with the return action, the agency's
answer page (text and new evidence on the leaves asked about, then the head sends), and one leaf's history.

Thin: who may reach a page is decided here (404 when the sheet is not visible, 403 with the reason), when
a write may happen by the services in appraisal.explaining, under the sheet's lock.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments.confirmations import confirmation_page, confirmed
from assessments.models import Assessment, Period, PeriodState, Score
from assessments.permissions import Action, get_assessment_for_user
from evidence.forms import DocumentForm, UploadForm
from evidence.services import evidence_add_document, evidence_upload
from organisations.roles import acting_user, require_admin, roles_of

from .explaining import (
    answering_refusal,
    explanation_answer,
    explanation_evidence_lock,
    explanation_send,
    explanation_sheet,
    leaf_history,
    member_refusal,
    period_explanations,
    return_for_explanation,
    return_refusal,
    sees_round_one,
)
from .models import ExplanationRequest


def return_text(period: Period) -> str:
    return _(
        "Trả lại để giải trình?\n"
        "Mọi bản đang thẩm định có yêu cầu giải trình của kỳ «%(period)s» chuyển sang «Yêu cầu giải trình»: "
        "đơn vị thấy điểm và ý kiến thẩm định vòng 1, giải trình các tiêu chí được yêu cầu đến hết hạn giải trình. "
        "Không đưa về được trạng thái đang thẩm định."
    ) % {"period": period.name}


def send_text(assessment: Assessment) -> str:
    return _(
        "Gửi giải trình của %(agency)s?\n"
        "Sau khi gửi, giải trình và tài liệu bổ sung không sửa được nữa; tổ thẩm định thẩm định vòng 2."
    ) % {"agency": assessment.agency.name}


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# ---- the administrator ------------------------------------------------------------------------------------


def period_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    period = get_object_or_404(Period.objects.exclude(state=PeriodState.SETUP), pk=pk)
    rows = period_explanations(period)
    return render(
        request,
        "appraisal/explain/period.html",
        {
            "period": period,
            "rows": rows,
            "refusal": return_refusal(period),
            "returnable": sum(1 for r in rows if r.requests and r.assessment.state == "under_appraisal"),
            "return_text": return_text(period),
        },
    )


def _confirmed(request: HttpRequest, *, title: str, message: str, back: str, act: Callable[[], str]) -> HttpResponse:
    """An irreversible action: asked first (confirm=1, see assessments.confirmations), then done by ``act``,
    which returns the success message; a refusal is shown on the page it came from."""
    if not confirmed(request):
        return confirmation_page(request, title=title, message=message, ok_label=title, cancel_url=back)
    try:
        messages.success(request, act())
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(back)


@require_POST
def return_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    period = get_object_or_404(Period, pk=pk)

    def act() -> str:
        count = return_for_explanation(period=period, user=acting_user(request))
        return ngettext(
            "Đã trả lại %(n)s bản đánh giá để giải trình.", "Đã trả lại %(n)s bản đánh giá để giải trình.", count
        ) % {"n": count}

    return _confirmed(
        request,
        title=_("Trả lại để giải trình"),
        message=return_text(period),
        back=reverse("appraisal:explanations", args=[pk]),
        act=act,
    )


# ---- the agency -------------------------------------------------------------------------------------------


def _readable(request: HttpRequest, pk: int) -> Assessment:
    """The sheet, if this person may read its round 1 now (404 / 403 with the reason)."""
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    if not sees_round_one(assessment, roles_of(request.user)):
        raise PermissionDenied(_("Bản đánh giá chưa được trả lại để giải trình."))
    return assessment


def _writable(request: HttpRequest, pk: int, *, send: bool = False) -> Assessment:
    assessment = _readable(request, pk)
    reason = member_refusal(assessment, roles_of(request.user), send=send)
    if reason is not None:
        raise PermissionDenied(reason)
    return assessment


def answer_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _readable(request, pk)
    roles = roles_of(request.user)
    member = member_refusal(assessment, roles) is None
    refusal = answering_refusal(assessment)
    return render(
        request,
        "appraisal/explain/answer.html",
        {
            "assessment": assessment,
            "sheet": explanation_sheet(assessment),
            "is_member": member,
            "editable": member and refusal is None,
            "refusal": refusal,
            "can_send": member_refusal(assessment, roles, send=True) is None and refusal is None,
            "send_text": send_text(assessment),
        },
    )


def _back(pk: int, score_id: int) -> HttpResponse:
    return redirect(f"{reverse('appraisal:answer', args=[pk])}#leaf-{score_id}")


@require_POST
def answer_save(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    assessment = _writable(request, pk)
    asked = get_object_or_404(ExplanationRequest, pk=request_pk, assessment=assessment)
    try:
        explanation_answer(request=asked, text=request.POST.get("text", ""), user=acting_user(request))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã lưu giải trình tiêu chí %(code)s.") % {"code": asked.score.node.code})
    return _back(pk, asked.score_id)


def _asked_leaf(request: HttpRequest, pk: int, score_pk: int) -> tuple[Assessment, Score]:
    assessment = _writable(request, pk)
    return assessment, get_object_or_404(Score.objects.select_related("node"), pk=score_pk, assessment=assessment)


@require_POST
def answer_upload(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment, score = _asked_leaf(request, pk, score_pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn một tệp để tải lên."))
        return _back(pk, score.pk)
    try:
        evidence = evidence_upload(
            assessment=assessment,
            score=score,
            upload=form.cleaned_data["file"],
            user=acting_user(request),
            lock=explanation_evidence_lock,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã tải lên «%(name)s».") % {"name": evidence.original_name})
    return _back(pk, score.pk)


@require_POST
def answer_document(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment, score = _asked_leaf(request, pk, score_pk)
    form = DocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(pk, score.pk)
    try:
        evidence_add_document(
            assessment=assessment,
            score=score,
            user=acting_user(request),
            lock=explanation_evidence_lock,
            **form.cleaned_data,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã thêm văn bản kiểm chứng."))
    return _back(pk, score.pk)


@require_POST
def answer_send(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _writable(request, pk, send=True)

    def act() -> str:
        explanation_send(assessment=assessment, user=acting_user(request))
        return _("Đã gửi giải trình tới tổ thẩm định.")

    return _confirmed(
        request,
        title=_("Gửi giải trình"),
        message=send_text(assessment),
        back=reverse("appraisal:answer", args=[pk]),
        act=act,
    )


# ---- one leaf ---------------------------------------------------------------------------------------------


def leaf_history_view(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    score = get_object_or_404(Score.objects.select_related("node"), pk=score_pk, assessment=assessment)
    with_round_one = sees_round_one(assessment, roles_of(request.user))
    return render(
        request,
        "appraisal/explain/leaf_history.html",
        {
            "assessment": assessment,
            "score": score,
            "events": leaf_history(score, with_round_one=with_round_one),
            "with_round_one": with_round_one,
        },
    )

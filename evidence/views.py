"""Evidence panel of a leaf (htmx) and the permission-checked download. Thin: rules live in
assessments.permissions, writes in evidence.services."""

import json
import logging

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from assessments.models import Assessment, Evidence, EvidenceKind, Score
from assessments.permissions import Action, can, get_assessment_for_user
from organisations.roles import acting_user

from .forms import DocumentForm, UploadForm
from .services import evidence_add_document, evidence_link, evidence_unlink, evidence_upload

logger = logging.getLogger(__name__)


def _panel(
    request: HttpRequest, assessment: Assessment, score: Score, *, changed: bool = False, **extra: object
) -> HttpResponse:
    # uses: every leaf the evidence serves (annotated before the filter, so it counts them all)
    linked = list(
        Evidence.objects.annotate(uses=Count("links")).filter(links__score=score).order_by("uploaded_at", "pk")
    )
    editable = can(request.user, assessment, Action.EDIT)
    if editable:
        for evidence in linked:
            evidence.unlink_text = unlink_text(evidence, score)  # type: ignore[attr-defined]
    others = (
        list(Evidence.objects.filter(assessment=assessment).exclude(pk__in=[e.pk for e in linked]).order_by("-pk"))
        if editable
        else []
    )
    context = {
        "assessment": assessment,
        "score": score,
        "linked": linked,
        "others": others,
        "editable": editable,
        "document_form": extra.pop("document_form", None) or DocumentForm(),
        **extra,
    }
    response = render(request, "evidence/panel.html", context)
    if changed:
        # The sheet refreshes this leaf's row and the totals when it hears this event.
        response["HX-Trigger"] = json.dumps({"evidenceChanged": {"scoreId": score.pk}})
    return response


def _editable_leaf(request: HttpRequest, pk: int, score_pk: int) -> tuple[Assessment, Score]:
    assessment = get_assessment_for_user(request.user, pk, Action.EDIT)
    return assessment, get_object_or_404(Score.objects.select_related("node"), pk=score_pk, assessment=assessment)


def panel(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    score = get_object_or_404(Score.objects.select_related("node"), pk=score_pk, assessment=assessment)
    return _panel(request, assessment, score)


@require_POST
def upload(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment, score = _editable_leaf(request, pk, score_pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _panel(request, assessment, score, upload_error=_("Hãy chọn một tệp để tải lên."))
    try:
        evidence = evidence_upload(
            assessment=assessment, score=score, upload=form.cleaned_data["file"], user=acting_user(request)
        )
    except ValidationError as exc:
        return _panel(request, assessment, score, upload_error=" ".join(exc.messages))
    return _panel(
        request, assessment, score, changed=True, notice=_("Đã tải lên «%(name)s».") % {"name": evidence.original_name}
    )


@require_POST
def document(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment, score = _editable_leaf(request, pk, score_pk)
    form = DocumentForm(request.POST)
    if not form.is_valid():
        return _panel(request, assessment, score, document_form=form)
    try:
        evidence_add_document(assessment=assessment, score=score, user=acting_user(request), **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _panel(request, assessment, score, document_form=form)
    return _panel(request, assessment, score, changed=True, notice=_("Đã thêm văn bản kiểm chứng."))


@require_POST
def link(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment, score = _editable_leaf(request, pk, score_pk)
    chosen = request.POST.get("evidence", "")
    if not chosen.isdigit():
        raise Http404(_("Không có tài liệu này."))
    evidence = get_object_or_404(Evidence, pk=chosen, assessment=assessment)
    evidence_link(evidence=evidence, score=score, user=acting_user(request))
    return _panel(
        request,
        assessment,
        score,
        changed=True,
        notice=_("Đã dùng lại «%(name)s» cho tiêu chí này.") % {"name": evidence},
    )


def unlink_text(evidence: Evidence, score: Score) -> str:
    """What removing ``evidence`` from the leaf does; ``evidence.uses`` counts the leaves it serves."""
    name = evidence.original_name if evidence.kind == EvidenceKind.FILE else str(evidence)
    others = evidence.uses - 1  # type: ignore[attr-defined]
    if others > 0:
        return ngettext(
            "Gỡ «%(name)s» khỏi tiêu chí %(code)s?\nTài liệu vẫn được giữ cho %(n)s tiêu chí khác đang dùng nó.",
            "Gỡ «%(name)s» khỏi tiêu chí %(code)s?\nTài liệu vẫn được giữ cho %(n)s tiêu chí khác đang dùng nó.",
            others,
        ) % {"name": name, "code": score.node.code, "n": others}
    if evidence.kind == EvidenceKind.FILE:
        text = _(
            "Gỡ «%(name)s» khỏi tiêu chí %(code)s?\nKhông tiêu chí nào khác dùng tệp này nên nó sẽ bị xóa hẳn;"
            " muốn dùng lại phải tải lên lại."
        )
    else:
        text = _(
            "Gỡ «%(name)s» khỏi tiêu chí %(code)s?\nKhông tiêu chí nào khác dùng văn bản này nên nó sẽ bị xóa hẳn;"
            " muốn dùng lại phải ghi lại."
        )
    return text % {"name": name, "code": score.node.code}


@require_POST
def unlink(request: HttpRequest, pk: int, score_pk: int, evidence_pk: int) -> HttpResponse:
    assessment, score = _editable_leaf(request, pk, score_pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, assessment=assessment, links__score=score)
    if request.POST.get("confirm") != "1":
        # The browser did not ask (no JavaScript, or a stray request): ask in the panel; nothing is removed.
        return _panel(request, assessment, score, confirm_unlink=evidence.pk)
    evidence_unlink(evidence=evidence, score=score, user=acting_user(request))
    return _panel(request, assessment, score, changed=True, notice=_("Đã gỡ tài liệu khỏi tiêu chí."))


# Types a browser shows by itself inside the page (the reviewer's sheet opens them in a frame or an image);
# every other file is only downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _readable_file(request: HttpRequest, evidence_pk: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.only("assessment_id", "kind", "file", "original_name", "content_type"), pk=evidence_pk
    )
    # The evidence's assessment must be visible to this user (404 otherwise, like the sheet itself).
    get_assessment_for_user(request.user, evidence.assessment_id, Action.VIEW)
    if evidence.kind != EvidenceKind.FILE or not evidence.file:
        raise Http404(_("Tài liệu này là văn bản tham chiếu, không có tệp."))
    return evidence


def download(request: HttpRequest, evidence_pk: int) -> FileResponse:
    return _file_response(_readable_file(request, evidence_pk), inline=False)


@xframe_options_sameorigin
@csp_override({"default-src": [CSP.NONE], "img-src": [CSP.SELF], "frame-ancestors": [CSP.SELF]})
def inline(request: HttpRequest, evidence_pk: int) -> FileResponse:
    """The file shown inside one of our own pages (PDF, PNG, JPEG only): same checks as the download."""
    evidence = _readable_file(request, evidence_pk)
    if evidence.content_type not in INLINE_TYPES:
        raise Http404(_("Tệp này không xem trực tiếp được; hãy tải về."))
    return _file_response(evidence, inline=True)


def _file_response(evidence: Evidence, *, inline: bool) -> FileResponse:
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        logger.error("Evidence %s: stored file %s is missing", evidence.pk, evidence.file.name)
        raise Http404(_("Không tìm thấy tệp đã lưu; hãy báo quản trị hệ thống.")) from None
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

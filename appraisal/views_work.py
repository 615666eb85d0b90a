"""The reviewer's work: the queue, one sheet by agency, one leaf across agencies, and the row saves.

Thin: who may look is decided here (a reviewer works on their assigned leaves; the administrator and
leadership read everything; nobody else), which leaf is whose by appraisal.assignments, and every write by
appraisal.services, which checks the assignment and the round again under a lock.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments.models import Assessment, Period, PeriodState, Score
from assessments.permissions import Action, get_assessment_for_user, visible_assessments
from assessments.services import StaleScore
from assessments.workflow import WorkflowError
from criteria.models import Node
from organisations.roles import acting_user, roles_of

from .assignments import AssignmentMap
from .forms_work import appraisal_edit_from_post, typed_differs, typed_row, versions_from_post
from .models import RequestKind
from .selectors_work import IN_APPRAISAL, INLINE_TYPES, Viewer, WorkRow, criterion_rows, period_work, sheet_rows
from .services import AppraisalEdit, appraisal_save, explanation_request

ROW = "appraisal/work/row.html"
MODES = ("sheet", "criterion")


def _viewer(request: HttpRequest) -> Viewer:
    user = acting_user(request)  # LoginRequiredMiddleware sends anonymous visitors to the login page first
    roles = roles_of(user)
    if roles.is_reviewer:
        return Viewer(user.pk, roles, writes=True)
    if roles.is_admin or roles.is_leadership:
        return Viewer(user.pk, roles, writes=False)
    raise PermissionDenied(_("Chỉ tổ thẩm định, Sở Nội vụ và lãnh đạo tỉnh xem được trang thẩm định."))


def _writer(request: HttpRequest) -> Viewer:
    viewer = _viewer(request)
    if not viewer.writes:
        raise PermissionDenied(_("Chỉ người thẩm định được phân công mới lưu kết quả thẩm định."))
    return viewer


def _sheet(request: HttpRequest, viewer: Viewer, pk: int) -> Assessment:
    """The sheet in appraisal, or 404; 403 for a reviewer on their own agency's sheet."""
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    if assessment.state not in IN_APPRAISAL:
        raise Http404(_("Bản đánh giá này chưa vào thẩm định."))
    if viewer.writes and assessment.agency_id in viewer.roles.own_agency_ids:
        raise PermissionDenied(_("Người thẩm định không thẩm định bản đánh giá của chính đơn vị mình."))
    return assessment


def _context(viewer: Viewer, mode: str) -> dict[str, object]:
    return {"mode": mode, "kinds": RequestKind.choices, "writes": viewer.writes, "inline_types": INLINE_TYPES}


def queue(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    works = [
        period_work(period, viewer, AssignmentMap.for_period(period))
        for period in Period.objects.filter(state=PeriodState.APPRAISAL).order_by("-year", "name")
    ]
    return render(request, "appraisal/work/queue.html", {"works": works, "writes": viewer.writes})


def sheet_view(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    assessment = _sheet(request, viewer, pk)
    rows = sheet_rows(assessment, viewer, AssignmentMap.for_period(assessment.period_id))
    return render(
        request,
        "appraisal/work/sheet.html",
        {
            "assessment": assessment,
            "rows": rows,
            "left": sum(row.pending for row in rows),
            "editable": any(row.editable for row in rows),
            **_context(viewer, "sheet"),
        },
    )


def criterion_view(request: HttpRequest, period_pk: int, node_pk: int) -> HttpResponse:
    viewer = _viewer(request)
    period = get_object_or_404(Period.objects.exclude(state__in=(PeriodState.SETUP, PeriodState.OPEN)), pk=period_pk)
    node = get_object_or_404(
        Node.objects.filter(is_leaf=True, is_survey=False, index_set__in=period.index_sets.values("index_set")),
        pk=node_pk,
    )
    amap = AssignmentMap.for_period(period)
    rows = criterion_rows(period, node, viewer, amap)
    # The picker: the leaves this viewer works on in the period, with what is left of each.
    leaves = period_work(period, viewer, amap).leaves
    position = next((i for i, count in enumerate(leaves) if count.node and count.node.pk == node.pk), None)
    return render(
        request,
        "appraisal/work/criterion.html",
        {
            "period": period,
            "node": node,
            "rows": rows,
            "left": sum(row.pending for row in rows),
            "editable": any(row.editable for row in rows),
            "leaves": leaves,
            "previous": leaves[position - 1].node if position else None,
            "next": leaves[position + 1].node if position is not None and position + 1 < len(leaves) else None,
            **_context(viewer, "criterion"),
        },
    )


# ---- writes ---------------------------------------------------------------------------------------------


def _row(request: HttpRequest, viewer: Viewer, assessment: Assessment, score_pk: int) -> WorkRow:
    """The row to write on: 404 when the leaf is not on the sheet, 403 when it is not this reviewer's."""
    if not Score.objects.filter(pk=score_pk, assessment=assessment, node__is_survey=False).exists():
        raise Http404(_("Không có tiêu chí này trong bản đánh giá."))
    rows = sheet_rows(assessment, viewer, AssignmentMap.for_period(assessment.period_id), only_score=score_pk)
    if not rows:
        raise PermissionDenied(_("Tiêu chí này không được phân công cho bạn thẩm định."))
    return rows[0]


def _render_row(request: HttpRequest, viewer: Viewer, row: WorkRow, **extra: object) -> HttpResponse:
    mode = request.POST.get("mode", "")
    return render(request, ROW, {"row": row, **_context(viewer, mode if mode in MODES else "sheet"), **extra})


@require_POST
def save(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    viewer = _writer(request)
    assessment = _sheet(request, viewer, pk)
    row = _row(request, viewer, assessment, score_pk)
    typed = typed_row(request.POST)
    try:
        edit, version = appraisal_edit_from_post(request.POST)
        appraisal_save(score=row.score, edit=edit, version=version, user=acting_user(request))
    except StaleScore:
        # Someone saved first: the row comes back on the fresh version with what is stored now beside what
        # this reviewer typed, which stays in the inputs; saving again keeps theirs.
        fresh = _row(request, viewer, assessment, score_pk)
        return _render_row(request, viewer, fresh, typed=typed, stale=True)
    except (ValidationError, WorkflowError) as exc:
        return _render_row(request, viewer, row, typed=typed, error=" ".join(exc.messages))
    fresh = _row(request, viewer, assessment, score_pk)
    return _render_row(request, viewer, fresh, saved=True)


@require_POST
def request_view(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    """Ask the agency to explain or add evidence on one leaf (round 1); the row comes back with the request."""
    viewer = _writer(request)
    assessment = _sheet(request, viewer, pk)
    row = _row(request, viewer, assessment, score_pk)
    text = request.POST.get("text", "")
    # The request form also sends the row's points, comment and version as they stand (hx-include): the row is
    # drawn again after the request, and points typed but not yet saved must come back in the inputs, still
    # marked. The row comes back on the version stored now, so when someone saved the leaf since this reviewer
    # read it, the row says so as a stale save does (what they typed beside what is stored): otherwise their
    # next Lưu would overwrite the other's points unawares.
    typed = typed_row(request.POST) if "points" in request.POST else None
    read_at = request.POST.get("version", "")
    try:
        explanation_request(score=row.score, kind=request.POST.get("kind", ""), text=text, user=acting_user(request))
    except (ValidationError, WorkflowError) as exc:
        stale = typed is not None and read_at != str(row.score.version)
        return _render_row(
            request, viewer, row, typed=typed, stale=stale, request_error=" ".join(exc.messages), request_text=text
        )
    fresh = _row(request, viewer, assessment, score_pk)
    stored_comment = fresh.last.comment if fresh.last else ""
    if typed is not None and typed_differs(typed, fresh.score.appraised_points, stored_comment):
        stale = read_at != str(fresh.score.version)
        return _render_row(request, viewer, fresh, requested=True, typed=typed, unsaved=True, stale=stale)
    return _render_row(request, viewer, fresh, requested=True)


@require_POST
def accept_many(request: HttpRequest) -> HttpResponse:
    """«Giữ điểm tự chấm» for the chosen rows, each through the service (its own lock, assignment, round and
    version checks); a row refused says why and the others are still saved."""
    _writer(request)
    chosen = versions_from_post(request.POST, request.POST.getlist("score"))
    scores = Score.objects.filter(pk__in=chosen, assessment__in=visible_assessments(request.user)).select_related(
        "node", "assessment__agency"
    )
    saved, refused = 0, []
    user = acting_user(request)
    # One assignment map per period for the whole selection (4 queries) instead of one per row; the service
    # checks each row against it under the row's lock. An assignment changed while the loop runs counts as
    # changed just after it, as for a single save that started a moment earlier.
    maps: dict[int, AssignmentMap] = {}
    for score in scores.order_by("assessment__agency__name", "node__position"):
        where = f"{score.assessment.agency.name} – {score.node.code}"
        period_id = score.assessment.period_id
        if period_id not in maps:
            maps[period_id] = AssignmentMap.for_period(period_id)
        try:
            appraisal_save(
                score=score,
                edit=AppraisalEdit(points=None, accept_self=True),
                version=chosen[score.pk],
                user=user,
                assignments=maps[period_id],
            )
        except StaleScore:
            refused.append(_("%(where)s: có người vừa lưu trước; xem lại dòng này.") % {"where": where})
        except PermissionDenied as exc:
            refused.append(f"{where}: {exc}")
        except (ValidationError, WorkflowError) as exc:
            refused.append(f"{where}: {' '.join(exc.messages)}")
        else:
            saved += 1
    if saved:
        messages.success(
            request,
            ngettext("Đã giữ điểm tự chấm cho %(n)s tiêu chí.", "Đã giữ điểm tự chấm cho %(n)s tiêu chí.", saved)
            % {"n": saved},
        )
    for message in refused:
        messages.error(request, _("Không lưu: %(reason)s") % {"reason": message})
    if not chosen:
        messages.warning(request, _("Chưa chọn tiêu chí nào."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(reverse("appraisal:queue"))

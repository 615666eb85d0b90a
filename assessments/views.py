"""Thin views: permission via assessments.permissions, reads via selectors, writes via services."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from organisations.roles import acting_user, require_admin, roles_of
from parindex.forms import add_service_errors
from parindex.xlsx import normalize, xlsx_response

from .confirmations import confirmation_page, confirmed, period_open_text, submit_text
from .excel import progress_workbook
from .forms import ExtendForm, PeriodForm, score_edit_from_post
from .leaf_html import LeafRenderer, preview_result, saved_result
from .models import Assessment, AssessmentState, Period, PeriodState, Score
from .permissions import Action, can, follows_progress, get_assessment_for_user, visible_assessments
from .scoring import ScoreInputError
from .selectors import (
    ProgressRow,
    SheetLeaf,
    assessment_totals,
    history_page,
    progress_rows,
    sheet,
    sheet_leaves,
    submission_check,
)
from .services import (
    StaleScore,
    assessment_extend,
    assessment_mark_ready,
    assessment_recall,
    assessment_submit,
    period_open,
    period_save,
    score_save,
    submission_problems,
)
from .workflow import RETURNED_OR_LATER, WorkflowError, is_locked


def _leaf_or_404(assessment: Assessment, score_pk: int) -> SheetLeaf:
    leaves = sheet_leaves(assessment, only_score=score_pk)
    if not leaves:
        raise Http404(_("Không có tiêu chí này trong bản tự đánh giá."))
    return leaves[0]


def _row(request: HttpRequest, assessment: Assessment, leaf: SheetLeaf, **extra: object) -> HttpResponse:
    renderer = LeafRenderer(assessment, editable=can(request.user, assessment, Action.EDIT))
    return HttpResponse(renderer.render(leaf, **extra))


def my_assessments(request: HttpRequest) -> HttpResponse:
    """The agency's own sheets; a province-wide role without an agency gets the periods it follows instead,
    and a user without any role is told whom to ask, rather than that «their agency» has no period."""
    roles = roles_of(request.user)
    assessments = (
        visible_assessments(request.user)
        .filter(agency_id__in=roles.agency_ids)
        .select_related("period", "agency")
        .order_by("-period__year", "agency__name")
    )
    periods = []
    if follows_progress(roles):
        periods = list(Period.objects.filter(state=PeriodState.OPEN).order_by("-year", "name"))
    return render(
        request,
        "assessments/mine.html",
        {"assessments": assessments, "roles": roles, "periods": periods},
    )


def sheet_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    roles = roles_of(request.user)
    data = sheet(assessment)
    editable = can(request.user, assessment, Action.EDIT)
    renderer = LeafRenderer(assessment, editable=editable)
    for leaf in data.leaves:
        leaf.html = renderer.render(leaf)
    return render(
        request,
        "assessments/sheet.html",
        {
            "assessment": assessment,
            "sheet": data,
            "totals": data.totals,
            "editable": editable,
            "locked": is_locked(assessment),
            "is_member": assessment.agency_id in roles.agency_ids,
            "can_submit": can(request.user, assessment, Action.SUBMIT),
            "can_recall": can(request.user, assessment, Action.RECALL),
            # Round 1 of the appraisal is on the explanation page, linked only once the sheet is returned.
            "explanation_link": assessment.state in RETURNED_OR_LATER,
        },
    )


def leaf_row(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    return _row(request, assessment, _leaf_or_404(assessment, score_pk))


@require_POST
def leaf_save(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.EDIT)
    leaf = _leaf_or_404(assessment, score_pk)
    typed = {key: request.POST.get(key, "") for key in leaf.display_values()}
    before = leaf.score.self_points
    try:
        edit, version = score_edit_from_post(leaf.node, request.POST)
        score_save(score=leaf.score, edit=edit, version=version, user=acting_user(request))
    except ScoreInputError as exc:
        # The row comes back with what the user typed, so nothing is lost while they correct it.
        return _row(request, assessment, leaf, error=exc.message, error_field=exc.field, values=typed)
    except StaleScore as stale:
        # Someone saved first. The inputs keep what this user typed, on the fresh version, beside what is
        # stored now field by field: saving again keeps theirs over the other person's, or they take the
        # stored row.
        fresh = _leaf_or_404(assessment, score_pk)
        return _row(request, assessment, fresh, stale=stale.current, mine=edit, values=typed)
    except WorkflowError as exc:
        # Submitted or locked since the page was loaded: say so, keeping what was typed on screen.
        return _row(request, assessment, leaf, error=" ".join(exc.messages), values=typed)
    leaf = _leaf_or_404(assessment, score_pk)
    response = _row(request, assessment, leaf, saved=saved_result(before=before, edit=edit, after=leaf.score))
    totals = render(
        request,
        "assessments/sheet.html#totals",
        {"assessment": assessment, "totals": assessment_totals(assessment), "oob": True},
    )
    response.content += totals.content
    return response


@require_POST
def leaf_preview(request: HttpRequest, pk: int, score_pk: int) -> HttpResponse:
    """What saving the typed row would store, by the save's own rules; reads only, writes nothing."""
    assessment = get_assessment_for_user(request.user, pk, Action.EDIT)
    score = get_object_or_404(
        Score.objects.select_related("node").prefetch_related("node__tiers"), pk=score_pk, assessment=assessment
    )
    try:
        edit, _version = score_edit_from_post(score.node, request.POST)
    except ScoreInputError as exc:
        result = preview_result(score, None, exc.message)
    else:
        result = preview_result(score, edit)
    return HttpResponse(LeafRenderer(assessment, editable=True).result(score, result))


def totals_panel(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    return render(
        request, "assessments/sheet.html#totals", {"assessment": assessment, "totals": assessment_totals(assessment)}
    )


@require_POST
def mark_ready(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.MARK_READY)
    ready = request.POST.get("ready") != "0"
    try:
        assessment_mark_ready(assessment=assessment, user=acting_user(request), ready=ready)
    except WorkflowError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:sheet", pk=pk)
    messages.success(
        request,
        _("Đã báo lãnh đạo đơn vị: bản tự đánh giá sẵn sàng để trình.") if ready else _("Đã hủy báo sẵn sàng."),
    )
    return redirect("assessments:sheet", pk=pk)


def submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        assessment = get_assessment_for_user(request.user, pk, Action.SUBMIT)
        if not confirmed(request):
            return confirmation_page(
                request,
                title=_("Gửi bản tự đánh giá tới Sở Nội vụ"),
                message=submit_text(assessment),
                ok_label=_("Gửi bản tự đánh giá"),
                cancel_url=reverse("assessments:submit", args=[pk]),
            )
        try:
            assessment_submit(assessment=assessment, user=acting_user(request))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("assessments:submit", pk=pk)
        messages.success(request, _("Đã gửi bản tự đánh giá tới Sở Nội vụ. Bản này giờ chỉ xem được."))
        return redirect("assessments:sheet", pk=pk)
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    data = sheet(assessment)
    # The lists are the ones assessment_submit checks, so the page never names a leaf it would not refuse.
    check = submission_check(assessment, data.leaves)
    return render(
        request,
        "assessments/submit.html",
        {
            "assessment": assessment,
            "totals": data.totals,
            "unscored": check.unscored,
            "unexplained": check.unexplained,
            "not_applicable": [leaf for leaf in data.leaves if leaf.score.not_applicable and not leaf.node.is_survey],
            "problems": submission_problems(assessment) if assessment.state == AssessmentState.DRAFT else [],
            "can_submit": can(request.user, assessment, Action.SUBMIT),
        },
    )


@require_POST
def recall_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.RECALL)
    try:
        assessment_recall(assessment=assessment, user=acting_user(request), note=request.POST.get("note", ""))
    except WorkflowError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:sheet", pk=pk)
    messages.success(request, _("Đã rút lại bản tự đánh giá; đơn vị có thể sửa tiếp trước hạn."))
    return redirect("assessments:sheet", pk=pk)


@require_POST
def extend_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk, Action.EXTEND)
    form = ExtendForm(request.POST)
    if form.is_valid():
        until = form.cleaned_data["until"]
        try:
            assessment_extend(
                assessment=assessment, user=acting_user(request), until=until, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error("until", exc)
        else:
            messages.success(
                request,
                _("Đã gia hạn cho %(agency)s đến %(until)s.")
                % {"agency": assessment.agency.name, "until": f"{timezone.localtime(until):%d/%m/%Y %H:%M}"},
            )
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, _("Không gia hạn được: %(error)s") % {"error": error})
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("assessments:sheet", pk=pk)


def history_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change of the sheet (points, notes, evidence) and every workflow move, newest first, paged."""
    assessment = get_assessment_for_user(request.user, pk, Action.VIEW)
    history = history_page(assessment, request.GET.get("trang"))
    page = history.page
    return render(
        request,
        "assessments/history.html",
        {
            "assessment": assessment,
            "page": page,
            "entries": history.entries,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


# ---- periods and progress (Sở Nội vụ, leadership) ----------------------------------------------------------


def _require_follow_up(request: HttpRequest) -> None:
    if not follows_progress(roles_of(request.user)):
        raise PermissionDenied(_("Chỉ Sở Nội vụ, tổ thẩm định và lãnh đạo tỉnh theo dõi tiến độ của các đơn vị."))


def period_list(request: HttpRequest) -> HttpResponse:
    _require_follow_up(request)
    periods = Period.objects.prefetch_related("index_sets__index_set").order_by("-year", "name")
    return render(
        request, "assessments/periods.html", {"periods": periods, "can_manage": roles_of(request.user).is_admin}
    )


def period_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a period, or change one (only deadlines, bands and caps once it is open)."""
    require_admin(request.user)
    period = get_object_or_404(Period.objects.prefetch_related("index_sets"), pk=pk) if pk is not None else None
    form = PeriodForm(request.POST or None, period=period)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = period_save(
                period=period,
                index_sets=data["index_sets"],
                agencies=data["agencies"],
                **{name: data[name] for name in PeriodForm.SETTINGS},
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu kỳ «%(period)s».") % {"period": saved.name})
            return redirect("assessments:periods")
    return render(request, "assessments/period_form.html", {"form": form, "period": period})


@require_POST
def period_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    period = get_object_or_404(Period, pk=pk)
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Mở kỳ đánh giá"),
            message=period_open_text(period),
            ok_label=_("Mở kỳ"),
            cancel_url=reverse("assessments:periods"),
        )
    try:
        count = period_open(period=period)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("assessments:periods")
    messages.success(
        request,
        ngettext(
            "Đã mở kỳ «%(period)s»: %(n)s đơn vị bắt đầu tự đánh giá.",
            "Đã mở kỳ «%(period)s»: %(n)s đơn vị bắt đầu tự đánh giá.",
            count,
        )
        % {"period": period.name, "n": count},
    )
    return redirect("assessments:progress", pk=pk)


SORTS = {
    "agency": lambda r: normalize(r.assessment.agency.name),
    "state": lambda r: r.assessment.state,
    "scored": lambda r: r.scored_pct,
    "evidence": lambda r: r.evidence_pct,
    "index": lambda r: r.index if r.index is not None else Decimal(-1),
    "days": lambda r: r.days_left if r.days_left is not None else 10**6,
}
# The same orders for the phone layout, where the table's headers give way to a list.
SORT_CHOICES = [
    ("agency", gettext_lazy("Tên đơn vị (A–Z)")),
    ("-agency", gettext_lazy("Tên đơn vị (Z–A)")),
    ("state", gettext_lazy("Trạng thái")),
    ("-scored", gettext_lazy("Đã chấm nhiều nhất")),
    ("-evidence", gettext_lazy("Có tài liệu nhiều nhất")),
    ("-index", gettext_lazy("Chỉ số tạm tính cao nhất")),
    ("days", gettext_lazy("Sắp hết hạn trước")),
]


def _matches(query: str, row: ProgressRow) -> bool:
    """Accent- and case-insensitive: «so tu phap» finds «Sở Tư pháp», «Khoa hoc» «Sở Khoa học và Công nghệ».

    Done on the rows already loaded: the page lists every agency of the period on one page, so the
    database would return them all anyway, and one Python rule (``normalize``, the one the imports use to
    match headers) behaves the same on SQLite and PostgreSQL without a second, stored spelling of names.
    """
    agency = row.assessment.agency
    return all(word in f"{normalize(agency.name)} {normalize(agency.short_name)}" for word in normalize(query).split())


def _progress(request: HttpRequest, pk: int) -> tuple[Period, list[ProgressRow], dict[str, str]]:
    _require_follow_up(request)
    period = get_object_or_404(Period.objects.exclude(state=PeriodState.SETUP), pk=pk)
    filters = {key: request.GET.get(key, "") for key in ("state", "kind", "q", "sort", "overdue")}
    assessments = period.assessments.all()
    if filters["state"] in AssessmentState.values:
        assessments = assessments.filter(state=filters["state"])
    if filters["kind"]:
        assessments = assessments.filter(agency__kind=filters["kind"])
    rows = progress_rows(period, assessments, readable=visible_assessments(request.user))
    if filters["q"].strip():
        rows = [r for r in rows if _matches(filters["q"], r)]
    if filters["overdue"]:
        rows = [r for r in rows if r.overdue]
    key = filters["sort"].lstrip("-")
    rows.sort(key=SORTS.get(key, SORTS["agency"]), reverse=filters["sort"].startswith("-"))
    return period, rows, filters


def progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    period, rows, filters = _progress(request, pk)
    return render(
        request,
        "assessments/progress.html",
        {
            "period": period,
            "rows": rows,
            "filters": filters,
            "states": AssessmentState.choices,
            "sorts": SORT_CHOICES,
            "can_manage": roles_of(request.user).is_admin,
            "extend_form": ExtendForm(),
        },
    )


def progress_export(request: HttpRequest, pk: int) -> HttpResponse:
    period, rows, _filters = _progress(request, pk)
    return xlsx_response(progress_workbook(period, rows), f"tien-do-{period.year}-{period.pk}.xlsx")


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it works on: its agency's sheets, or the periods to follow."""
    roles = roles_of(request.user)
    own = []
    if roles.agency_ids:
        own = list(
            visible_assessments(request.user)
            .filter(agency_id__in=roles.agency_ids, period__state=PeriodState.OPEN)
            .select_related("agency", "period")
            .order_by("agency__name")
        )
    periods = []
    if follows_progress(roles):
        periods = list(Period.objects.exclude(state=PeriodState.SETUP).order_by("-year")[:3])
    return render(request, "home.html", {"own_assessments": own, "periods": periods})

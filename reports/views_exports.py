"""Exports: start one, follow it, download it, list one's own. Thin: who may see the figures is
reports.access's answer, asked on every step; the job's life is reports.jobs'."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from assessments.models import Period
from organisations.roles import acting_user, roles_of

from .access import ranking_access, readable_periods
from .exports import EXPORTS
from .jobs import download_name, download_refusal, export_start, figures_refusal, job_for
from .models import ExportJob, ExportStatus

RECENT = 30  # exports listed on the user's page


@require_POST
def start(request: HttpRequest, period_pk: int, kind: str) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_pk)
    access = ranking_access(request.user, period)
    if kind not in EXPORTS:
        raise Http404
    job = export_start(user=acting_user(request), period=period, kind=kind, access=access)
    return redirect("reports:export_job", pk=job.pk)


@require_GET
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx polls the status block every second until the job is finished."""
    return _job_page(request, job_for(request.user, pk, is_admin=roles_of(request.user).is_admin))


def _job_page(request: HttpRequest, job: ExportJob, *, status: int = 200) -> HttpResponse:
    context = {
        "job": job,
        "kind": EXPORTS.get(job.kind),
        "refusal": download_refusal(job, request.user) if job.status == ExportStatus.DONE else None,
    }
    polled = request.headers.get("HX-Request") == "true"  # htmx asks for the status block alone
    template = "reports/_export_status.html" if polled else "reports/export_job.html"
    return render(request, template, context, status=status)


@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = job_for(request.user, pk, is_admin=roles_of(request.user).is_admin)
    if job.status == ExportStatus.EXPIRED:
        # Its file was deleted after the keeping time (cleanup_exports): the job's page says so, as «Gone».
        return _job_page(request, job, status=410)
    # Asked again now: a period unpublished (or republished) since the file was made is refused.
    access = ranking_access(request.user, job.period)
    refusal = figures_refusal(job, access)
    if refusal is not None:
        raise PermissionDenied(refusal)
    kind = EXPORTS[job.kind]
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=download_name(job), content_type=kind.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's recent exports, and the periods they may export now."""
    user = acting_user(request)
    jobs = ExportJob.objects.filter(requested_by=user).select_related("period")[:RECENT]
    return render(
        request,
        "reports/exports.html",
        {
            "jobs": jobs,
            "periods": [(period, access.source) for period, access in readable_periods(request.user)],
            "kinds": EXPORTS,
        },
    )

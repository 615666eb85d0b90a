"""The leadership dashboard (issue 9, item 9). Thin: who reads which period is reports/access.py's, the figures
are reports/dashboard.py's."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from assessments.models import Period, PeriodState
from assessments.selectors import submitted_count
from organisations.roles import roles_of

from .access import ranking_access, readable_periods
from .accountability import accountability_warnings
from .charts import SCREEN_FONT
from .dashboard import build_dashboard
from .exports import EXPORTS
from .ranking import ranking_chart
from .views import PHONE_CHART_WIDTH
from .yoy import previous_results


@require_GET
def latest(request: HttpRequest) -> HttpResponse:
    """/bao-cao/: the newest period the user may read, or a page saying there is none yet."""
    if not roles_of(request.user).roles:
        raise Http404  # as ranking_access: without a role the reports do not exist
    readable = readable_periods(request.user)
    if readable:
        return redirect("reports:dashboard", pk=readable[0][0].pk)
    return render(request, "reports/dashboard_none.html")


@require_GET
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    access = ranking_access(request.user, period)
    groups = access.results(period)
    # During self-assessment the figures are the agencies' partial self points: set against last year's or
    # the warning threshold they would mislead, so the dashboard shows how many sheets are in instead.
    self_assessing = period.state == PeriodState.OPEN
    board = build_dashboard(
        groups,
        {} if self_assessing else previous_results(period),
        [] if self_assessing else accountability_warnings(period, groups),
    )
    # Each group with its ranking chart, drawn again at a phone's width so its text keeps its real size.
    sections = [
        (
            summary,
            ranking_chart(summary.group, font_family=SCREEN_FONT),
            ranking_chart(summary.group, width=PHONE_CHART_WIDTH, font_family=SCREEN_FONT),
        )
        for summary in board.groups
    ]
    return render(
        request,
        "reports/dashboard.html",
        {
            "period": period,
            "access": access,
            "publication": access.publication,
            "board": board,
            "sections": sections,
            "periods": readable_periods(request.user),
            "kinds": EXPORTS,
            "self_assessing": self_assessing,
            "submitted": submitted_count(period) if self_assessing else None,
        },
    )

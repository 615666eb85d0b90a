"""The analysis pages of a period (issue 9, item 3): the ranking per group and the agency × domain heat map.

Thin: who sees what is reports/access.py's ``ranking_access`` alone; the figures are the Access's results
(live, or the published snapshot), the charts come from reports/ranking.py.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from assessments.models import Period

from .access import Access, ranking_access
from .charts import SCREEN_FONT
from .exports import EXPORTS
from .ranking import GroupView, group_average, heat_chart, ranking_chart
from .ranking_rows import RankingRows

PHONE_CHART_WIDTH = 360  # drawn for a 390 px screen: names above the bars, text at its real size


def _period_and_access(request: HttpRequest, pk: int) -> tuple[Period, Access]:
    period = get_object_or_404(Period, pk=pk)
    return period, ranking_access(request.user, period)


def _context(period: Period, access: Access) -> dict[str, object]:
    return {"period": period, "access": access, "publication": access.publication}


def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    """Each ranking group: its bar chart (a narrower one for phones) and the full table."""
    period, access = _period_and_access(request, pk)
    rows = RankingRows(period, access)
    groups = [
        GroupView(
            group,
            ranking_chart(group, font_family=SCREEN_FONT),
            ranking_chart(group, width=PHONE_CHART_WIDTH, font_family=SCREEN_FONT),
            group_average(group),
            rows.render(group),
        )
        for group in access.results(period)
    ]
    # The background exports of the period: reports:export_start asks ranking_access, the question this page
    # has just answered, so every reader of the page may start one (tests/test_reports_ranking.py holds them
    # together: each reader's buttons are posted and make a file).
    context = {**_context(period, access), "groups": groups, "kinds": EXPORTS}
    return render(request, "reports/ranking.html", context)


def heatmap(request: HttpRequest, pk: int) -> HttpResponse:
    """Each ranking group: agency × domain, the share of each domain's applicable max."""
    period, access = _period_and_access(request, pk)
    groups = [GroupView(group, heat_chart(group, font_family=SCREEN_FONT)) for group in access.results(period)]
    return render(request, "reports/heatmap.html", {**_context(period, access), "groups": groups})

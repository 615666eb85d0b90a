"""What the ranking and heat map pages draw from a period's result groups: the bar chart of each group
(bars tinted by band, the group's average as a reference line) and the agency × domain heat map.

Only shapes already allowed by reports/access.py come in here (the groups of an Access): nothing in this
module decides who sees what.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from appraisal.results import AgencyResult, ResultGroup

from .charts import PRINT_FONT, Bar, bar_chart, heat_map

CENT = Decimal("0.01")


def group_average(group: ResultGroup) -> Decimal | None:
    """The mean of the published (two-decimal) indexes of the group, two decimals half up; None if none."""
    shown = [row.index for row in group.rows if row.index is not None]
    if not shown:
        return None
    return (sum(shown, Decimal(0)) / len(shown)).quantize(CENT, rounding=ROUND_HALF_UP)


def _bar_label(row: AgencyResult) -> str:
    return f"{row.rank}. {row.agency_name}"


def _ranking_title(group: ResultGroup, part: str = "") -> str:
    title = _("Chỉ số CCHC (%%) – %(group)s") % {"group": group.label}
    return f"{title} {part}" if part else title


def ranking_chart(group: ResultGroup, *, width: int = 720, font_family: str = PRINT_FONT) -> SafeString:
    """The group's agencies best first, each bar the index (%) in its band's colour."""
    return _ranking_chart(group, group.rows, _ranking_title(group), width=width, font_family=font_family)


def _ranking_chart(
    group: ResultGroup, rows: Sequence[AgencyResult], title: str, *, width: int = 720, font_family: str = PRINT_FONT
) -> SafeString:
    """Bars of ``rows`` (the whole group or a printed part of it) against the whole group's average."""
    bars = [Bar(_bar_label(row), row.index if row.index is not None else Decimal(0), tone=row.band) for row in rows]
    return bar_chart(
        bars,
        title=title,
        reference=group_average(group),
        reference_label=_("Trung bình khối"),
        width=width,
        font_family=font_family,
    )


PRINT_CHART_ROWS = 22  # bars per printed chart: more would shrink the names below a readable size on a landscape page


@dataclass(frozen=True)
class PrintedChart:
    svg: SafeString
    title: str  # also the picture's alternative text in the Word file
    bars: int  # how many agencies it shows


def printed_ranking_charts(group: ResultGroup) -> list[PrintedChart]:
    """The group's ranking chart as the decision's annex prints it, in the PDF and in the Word file alike: in
    Vietnamese whatever the reader's language, cut into parts of PRINT_CHART_ROWS bars that each fit a landscape
    page («(1–22/68)» in each part's title). No chart for a group without agencies."""
    rows = group.rows
    charts = []
    with translation.override("vi"):
        for start in range(0, len(rows), PRINT_CHART_ROWS):
            part = rows[start : start + PRINT_CHART_ROWS]
            numbers = f"({start + 1}–{start + len(part)}/{len(rows)})" if len(rows) > PRINT_CHART_ROWS else ""
            title = _ranking_title(group, numbers)
            charts.append(PrintedChart(_ranking_chart(group, part, title), title, len(part)))
    return charts


def domain_share(points: Decimal, maximum: Decimal) -> Decimal | None:
    """Points over the domain's applicable max, in %; None where nothing of the domain applies."""
    return points / maximum * 100 if maximum else None


def heat_chart(group: ResultGroup, *, font_family: str = PRINT_FONT) -> SafeString:
    """Agencies (in rank order) × domains: the share of each domain's applicable max, then the index."""
    columns = [f"{d.code}. {d.title}" for d in group.domain_heads] + [_("Chỉ số")]
    values = [[domain_share(d.points, d.max) for d in row.domains] + [row.index] for row in group.rows]
    return heat_map(
        [_bar_label(row) for row in group.rows],
        columns,
        values,
        title=_("Tỷ lệ điểm đạt theo lĩnh vực (%%) – %(group)s") % {"group": group.label},
        font_family=font_family,
    )


@dataclass(frozen=True)
class GroupView:
    """One ranking group as a page shows it: its rows, its chart (and a narrower one for phones)."""

    group: ResultGroup
    chart: SafeString
    chart_phone: SafeString | None = None
    average: Decimal | None = None
    rows: SafeString | None = None  # the ranking table's rows (reports/ranking_rows.py)

"""What the ranking and heat map pages draw from a period's result groups: the bar chart of each group
(bars tinted by band, the group's average as a reference line) and the agency × domain heat map.

Only shapes already allowed by reports/access.py come in here (the groups of an Access): nothing in this
module decides who sees what.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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


def ranking_chart(group: ResultGroup, *, width: int = 720, font_family: str = PRINT_FONT) -> SafeString:
    """The group's agencies best first, each bar the index (%) in its band's colour."""
    bars = [
        Bar(_bar_label(row), row.index if row.index is not None else Decimal(0), tone=row.band) for row in group.rows
    ]
    return bar_chart(
        bars,
        title=_("Chỉ số CCHC (%%) – %(group)s") % {"group": group.label},
        reference=group_average(group),
        reference_label=_("Trung bình khối"),
        width=width,
        font_family=font_family,
    )


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

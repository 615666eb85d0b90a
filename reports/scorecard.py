"""One agency's scorecard for print: its domains against their maximum, its index and band, its rank only
where the reader may see figures computed across agencies, and the leaves where it lost points.

Before publication an agency reads its own self points only (Source.SELF): the leaves are then measured
against its own points and no reviewer's comment is shown (round 1 stays hidden until a sheet is returned).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import translation

from appraisal.models import AppraisalEntry
from appraisal.results import AgencyResult, ResultGroup
from assessments.models import Period, Score
from parindex.numbers import format_points

from .access import Access, Source

ZERO = Decimal(0)


@dataclass(frozen=True)
class LostLeaf:
    code: str
    title: str
    max: str
    points: str
    lost: str
    comment: str


@dataclass(frozen=True)
class DomainLine:
    code: str
    title: str
    points: str
    max: str
    percent: str
    rank: str  # «3/20», or "" when the reader may not see ranks


@dataclass(frozen=True)
class Scorecard:
    period_name: str
    year: int
    agency_name: str
    group_label: str
    source: Source
    sees_others: bool
    row: AgencyResult
    # Each domain's mean share (%) across the group, None when the reader may not see other agencies.
    domain_averages: tuple[Decimal | None, ...] | None
    figures: tuple[tuple[str, str], ...]  # label, value: the summary table
    domains: tuple[DomainLine, ...]
    lost: tuple[LostLeaf, ...]
    filename_stem: str


SOURCE_NOTES = {
    Source.PUBLISHED: "Kết quả đã công bố.",
    Source.LIVE: "Kết quả tạm tính từ dữ liệu hiện tại, chưa công bố.",
    Source.SELF: "Tính từ điểm tự chấm của đơn vị; chưa có kết quả thẩm định và điều tra xã hội học.",
}


def build_scorecard(period: Period, access: Access, agency_id: int) -> Scorecard:
    """Queries: the results ``access`` allows (one when published, six live) and one for the lost leaves."""
    with translation.override("vi"):  # a printed scorecard reads like the decision it accompanies
        row, group = _row(period, access, agency_id)
        averages = domain_averages(group) if access.sees_others else None
        return _scorecard(period, access, row, group.label, averages, _lost_leaves(row, access))


def _row(period: Period, access: Access, agency_id: int) -> tuple[AgencyResult, ResultGroup]:
    for group in access.results(period):
        for row in group.rows:
            if row.agency_id == agency_id:
                return row, group
    raise Http404


def domain_averages(group: ResultGroup) -> tuple[Decimal | None, ...]:
    """Per domain column, the mean of the agencies' shares of their applicable max (where it applies)."""
    averages: list[Decimal | None] = []
    for column in range(len(group.domain_heads)):
        shares = [r.domains[column].exact for r in group.rows if column < len(r.domains) and r.domains[column].max]
        averages.append(sum(shares, ZERO) / len(shares) if shares else None)
    return tuple(averages)


def _lost_leaves(row: AgencyResult, access: Access) -> list[LostLeaf]:
    counted = (
        Coalesce("self_points", Value(ZERO))
        if access.source == Source.SELF
        else Coalesce("appraised_points", "self_points", Value(ZERO))
    )
    scores = (
        Score.objects.filter(assessment_id=row.assessment_id, not_applicable=False, node__is_survey=False)
        .annotate(counted=counted)
        .filter(counted__lt=F("max_points"))
        .order_by("node__position")
    )
    if access.source == Source.SELF:
        values = scores.annotate(comment=Value("")).values_list(
            "node__code", "node__title", "max_points", "counted", "comment"
        )
    else:
        newest = AppraisalEntry.objects.filter(score=OuterRef("pk")).order_by("-at", "-pk").values("comment")[:1]
        values = scores.annotate(comment=Coalesce(Subquery(newest), Value(""), output_field=TextField())).values_list(
            "node__code", "node__title", "max_points", "counted", "comment"
        )
    return [
        LostLeaf(code, title, format_points(maximum), format_points(points), format_points(maximum - points), comment)
        for code, title, maximum, points, comment in values
    ]


def _scorecard(
    period: Period,
    access: Access,
    row: AgencyResult,
    group_label: str,
    averages: tuple[Decimal | None, ...] | None,
    lost: list[LostLeaf],
) -> Scorecard:
    sees_others = access.sees_others
    own = access.source == Source.SELF  # survey, bonus and penalty are the council's: not known yet
    figures: list[tuple[str, str]] = [
        ("Điểm tự chấm" if own else "Điểm thẩm định", _of(row.points, row.applicable_max)),
        ("Điểm điều tra xã hội học", _of(row.survey_points, row.survey_max) if row.survey_max and not own else "—"),
        ("Điểm thưởng", "—" if own else format_points(row.bonus)),
        ("Điểm trừ", "—" if own else format_points(row.penalty)),
        ("Tổng điểm", format_points(row.total)),
        ("Chỉ số (%)", format_points(row.index, places=2) if row.index is not None else "—"),
        ("Xếp loại", row.band_label),
    ]
    if sees_others:
        figures.append(("Xếp hạng trong khối", f"{row.rank}/{row.rank_of}"))
    domains = tuple(
        DomainLine(
            code=d.code,
            title=d.title,
            points=format_points(d.points),
            max=format_points(d.max),
            percent=format_points(d.exact, places=2) if d.max else "—",
            rank=f"{d.rank}/{row.rank_of}" if sees_others else "",
        )
        for d in row.domains
    )
    return Scorecard(
        period_name=period.name,
        year=period.year,
        agency_name=row.agency_name,
        group_label=group_label,
        source=access.source,
        sees_others=sees_others,
        row=row,
        domain_averages=averages,
        figures=tuple(figures),
        domains=domains,
        lost=tuple(lost),
        filename_stem=f"Phieu-ket-qua-Chi-so-CCHC-{period.year}",
    )


def _of(points: Decimal, maximum: Decimal) -> str:
    return f"{format_points(points)}/{format_points(maximum)}"


def source_note(scorecard: Scorecard) -> str:
    return SOURCE_NOTES[scorecard.source]

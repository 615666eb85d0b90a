"""The index of every agency of a period, live or as published: points, survey, bonus and penalty, the
index, its band and the ranks (DESIGN.md, Scoring and Ranking).

Live results cost six queries whatever the number of agencies: the ranking groups, the sheets, the
domains of the period's sets, one grouped sum of the scores per (sheet, domain) — Score.domain is the
domain's key —, one of the survey points per sheet and one of the active bonus and penalty per (sheet,
kind). The published results are the frozen PublishedResult rows, read back into the same
shape so one template shows both.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from assessments.models import Period, Score
from assessments.scoring import HUNDRED, final_index
from criteria.models import Node
from organisations.models import AgencyKind

from .models import Adjustment, AdjustmentKind, Publication, PublishedResult, SurveyScore

ZERO = Decimal(0)
EXACT_PLACES = Decimal(1).scaleb(-12)  # PublishedResult.index_exact keeps twelve decimals


@dataclass
class DomainResult:
    code: str
    title: str
    points: Decimal = ZERO
    max: Decimal = ZERO
    rank: int = 0

    @property
    def exact(self) -> Decimal:
        return self.points / self.max * HUNDRED if self.max else ZERO


@dataclass
class AgencyResult:
    assessment_id: int
    agency_id: int
    agency_name: str
    group: str  # the ranking group's key (groups.py): an agency kind, "g<pk>", or UNGROUPED
    points: Decimal = ZERO  # appraised, or self points where a leaf was never appraised
    applicable_max: Decimal = ZERO
    survey_points: Decimal = ZERO
    survey_max: Decimal = ZERO
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    index_exact: Decimal = ZERO  # what ranks
    index: Decimal | None = None  # two decimals, half up: what is shown and published
    band: str = ""  # a Band key
    rank: int = 0
    rank_of: int = 0
    unappraised: int = 0  # applicable leaves never appraised: their self points count
    domains: list[DomainResult] = field(default_factory=list)
    group_label: str = ""
    group_position: int = 0
    agency_kind: str = ""

    @property
    def total(self) -> Decimal:
        return self.points + self.survey_points + self.bonus - self.penalty

    @property
    def band_label(self) -> str:
        return str(Band(self.band).label) if self.band in Band.values else self.band

    @property
    def band_class(self) -> str:
        """Bootstrap's badge colour for the band."""
        return BAND_CLASSES.get(self.band, "text-bg-secondary")


@dataclass
class ResultGroup:
    """One ranking group (khối xếp hạng): its agencies best first, with the domain columns of their set."""

    group: str
    label: str
    rows: list[AgencyResult]

    @property
    def domain_heads(self) -> list[DomainResult]:
        return self.rows[0].domains if self.rows else []


class Band(models.TextChoices):
    GOOD = "good", _("Tốt")
    FAIR = "fair", _("Khá")
    AVERAGE = "average", _("Trung bình")
    WEAK = "weak", _("Yếu")


BAND_CLASSES: dict[str, str] = {
    Band.GOOD: "text-bg-success",
    Band.FAIR: "text-bg-primary",
    Band.AVERAGE: "text-bg-warning",
    Band.WEAK: "text-bg-danger",
}


def band_of(bands: "GroupSpec | Period", index: Decimal | None) -> str:
    """The classification of the published (two-decimal) figure, by the group's (or period's) thresholds; a key
    of Band, so a snapshot reads in whichever language it is shown."""
    if index is None:
        return ""
    if index >= bands.band_good_min:
        return Band.GOOD
    if index >= bands.band_fair_min:
        return Band.FAIR
    if index >= bands.band_average_min:
        return Band.AVERAGE
    return Band.WEAK


UNGROUPED = "none"


@dataclass(frozen=True)
class GroupSpec:
    """A ranking group as results use it: its key, name, place and bands (its own or the period's)."""

    key: str
    label: str
    position: int
    band_good_min: Decimal
    band_fair_min: Decimal
    band_average_min: Decimal


def group_specs(period: Period) -> dict[str, GroupSpec]:
    """The period's ranking groups, in order: the ones the administrator set, or one per agency kind. One query.

    Where groups are set, a sheet in none of them (a participant added later) ranks in a group of its own,
    «Chưa xếp khối», which the publication checklist reports as open.
    """
    specs: dict[str, GroupSpec] = {}
    for group in period.ranking_groups.all():
        own = group.band_good_min is not None
        specs[f"g{group.pk}"] = GroupSpec(
            f"g{group.pk}",
            group.name,
            group.position,
            group.band_good_min if own else period.band_good_min,  # type: ignore[arg-type]
            group.band_fair_min if own else period.band_fair_min,  # type: ignore[arg-type]
            group.band_average_min if own else period.band_average_min,  # type: ignore[arg-type]
        )
    bands = (period.band_good_min, period.band_fair_min, period.band_average_min)
    if specs:
        specs[UNGROUPED] = GroupSpec(UNGROUPED, str(_("Chưa xếp khối")), 9999, *bands)
    else:
        for position, (kind, label) in enumerate(AgencyKind.choices):
            specs[kind] = GroupSpec(kind, str(label), position, *bands)
    return specs


def group_key(specs: dict[str, GroupSpec], kind: str, group_id: int | None) -> str:
    """The group a sheet ranks in: its member group where groups are set, else its agency kind's."""
    if UNGROUPED not in specs:
        return kind
    return f"g{group_id}" if group_id is not None else UNGROUPED


def competition_ranks[T](items: list[T], key: Callable[[T], Decimal], assign: Callable[[T, int], None]) -> None:
    """Rank by ``key``, highest first; exactly equal values share a rank and the next one skips (1, 2, 2, 4)."""
    ordered = sorted(items, key=key, reverse=True)
    previous: Decimal | None = None
    rank = 0
    for position, item in enumerate(ordered, start=1):
        value = key(item)
        if value != previous:
            rank, previous = position, value
        assign(item, rank)


def _set_rank(row: AgencyResult, rank: int) -> None:
    row.rank = rank


def rank_rows(rows: Iterable[AgencyResult]) -> list[ResultGroup]:
    """Group by ranking group and rank by the exact index (overall) and the exact domain share (per domain)."""
    groups: dict[str, list[AgencyResult]] = defaultdict(list)
    for row in rows:
        groups[row.group].append(row)
    result = []
    for group, members in sorted(groups.items(), key=lambda item: (item[1][0].group_position, item[0])):
        competition_ranks(members, lambda r: r.index_exact, _set_rank)
        for row in members:
            row.rank_of = len(members)
        width = max((len(r.domains) for r in members), default=0)
        for i in range(width):
            column = [r.domains[i] for r in members if i < len(r.domains)]
            competition_ranks(column, lambda d: d.exact, lambda d, rank: setattr(d, "rank", rank))
        members.sort(key=lambda r: (r.rank, r.agency_name))
        result.append(ResultGroup(group, members[0].group_label, members))
    return result


def period_results(period: Period, *, self_only: bool = False) -> list[ResultGroup]:
    """Live results of every sheet of the period, ranked within each ranking group. Six queries.

    ``self_only`` counts the self points alone, as the agencies gave them: what an agency may be shown of
    itself before publication (round 1 stays hidden until its sheet is returned).
    """
    # 1. The ranking groups.
    specs = group_specs(period)
    # 2. The sheets, with the group each belongs to.
    sheets = list(
        period.assessments.order_by("agency__name").values_list(
            "pk", "agency_id", "agency__name", "agency__kind", "index_set_id", "ranking_member__group_id"
        )
    )
    # 3. The domains of the period's sets, in tree order; survey domains give the survey max.
    domains_by_set: dict[int, list[Node]] = defaultdict(list)
    survey_max: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for node in Node.objects.filter(index_set__in=period.index_sets.values("index_set"), depth=1).order_by(
        "index_set", "position"
    ):
        if node.is_survey:
            survey_max[node.index_set_id] += node.max_points
        else:
            domains_by_set[node.index_set_id].append(node)
    # 4. Points per (sheet, domain): a not-applicable leaf leaves both the points and the max.
    counted = Sum("self_points") if self_only else Sum(Coalesce("appraised_points", "self_points"))
    sums: dict[tuple[int, int], tuple[Decimal, Decimal, int]] = {}
    for assessment_id, domain_id, points, maximum, unappraised in (
        Score.objects.filter(assessment__period=period, not_applicable=False, node__is_survey=False)
        .values("assessment_id", "domain_id")
        .annotate(
            points=Coalesce(counted, ZERO),
            maximum=Sum("max_points"),
            unappraised=Count("pk", filter=Q(appraised_points__isnull=True)),
        )
        .values_list("assessment_id", "domain_id", "points", "maximum", "unappraised")
    ):
        sums[(assessment_id, domain_id)] = (points, maximum, unappraised)
    # 5. Survey points per sheet (the council's: none in self_only).
    survey: dict[int, Decimal] = (
        {}
        if self_only
        else dict(
            SurveyScore.objects.filter(assessment__period=period)
            .values("assessment_id")
            .annotate(total=Sum("points"))
            .values_list("assessment_id", "total")
        )
    )
    # 6. Active bonus and penalty per sheet (none in self_only).
    adjustments: dict[tuple[int, str], Decimal] = (
        {}
        if self_only
        else {
            (assessment_id, kind): total
            for assessment_id, kind, total in Adjustment.objects.filter(
                assessment__period=period, withdrawn_at__isnull=True
            )
            .values("assessment_id", "kind")
            .annotate(total=Sum("points"))
            .values_list("assessment_id", "kind", "total")
        }
    )
    rows = []
    for pk, agency_id, name, kind, set_id, group_id in sheets:
        spec = specs[group_key(specs, kind, group_id)]
        row = AgencyResult(
            assessment_id=pk,
            agency_id=agency_id,
            agency_name=name,
            group=spec.key,
            group_label=spec.label,
            group_position=spec.position,
            agency_kind=kind,
            survey_points=survey.get(pk) or ZERO,
            survey_max=survey_max[set_id],
            bonus=adjustments.get((pk, AdjustmentKind.BONUS), ZERO),
            penalty=adjustments.get((pk, AdjustmentKind.PENALTY), ZERO),
        )
        for domain in domains_by_set[set_id]:
            points, maximum, unappraised = sums.get((pk, domain.pk), (ZERO, ZERO, 0))
            row.domains.append(DomainResult(domain.code, domain.title, points, maximum))
            row.points += points
            row.applicable_max += maximum
            row.unappraised += unappraised
        denominator = row.applicable_max + row.survey_max
        row.index_exact = row.total / denominator * HUNDRED if denominator else ZERO
        row.index = final_index(
            appraised=row.points + row.bonus - row.penalty,
            applicable_max=row.applicable_max,
            survey=row.survey_points,
            survey_max=row.survey_max,
        )
        row.band = band_of(spec, row.index)
        rows.append(row)
    return rank_rows(rows)


def publication_in_force(period: Period) -> Publication | None:
    return period.publications.filter(unpublished_at__isnull=True).first()


def published_results(publication: Publication) -> list[ResultGroup]:
    """The frozen snapshot, in the live results' shape, ranks as they were published. One query."""
    groups: dict[str, list[AgencyResult]] = defaultdict(list)
    for saved in PublishedResult.objects.filter(publication=publication).order_by("rank", "agency_name"):
        groups[saved.group].append(_from_snapshot(saved))
    return [
        ResultGroup(group, rows[0].group_label, rows)
        for group, rows in sorted(groups.items(), key=lambda item: (item[1][0].group_position, item[0]))
    ]


def _from_snapshot(saved: PublishedResult) -> AgencyResult:
    return AgencyResult(
        assessment_id=saved.assessment_id,
        agency_id=saved.agency_id,
        agency_name=saved.agency_name,
        group=saved.group,
        group_label=saved.group_label or _kind_label(saved.group),
        group_position=saved.group_position,
        points=saved.points,
        applicable_max=saved.applicable_max,
        survey_points=saved.survey_points,
        survey_max=saved.survey_max,
        bonus=saved.bonus,
        penalty=saved.penalty,
        index_exact=saved.index_exact,
        index=saved.index,
        band=saved.band,
        rank=saved.rank,
        rank_of=saved.rank_of,
        domains=[
            DomainResult(d["code"], d["title"], Decimal(d["points"]), Decimal(d["max"]), d["rank"])
            for d in saved.domains
        ],
    )


def _kind_label(key: str) -> str:
    return str(AgencyKind(key).label) if key in AgencyKind.values else key


def _points_text(value: Decimal) -> str:
    # Two places always: a sum comes back as 1 from SQLite and 1.00 from PostgreSQL; the snapshot must not differ.
    return str(value.quantize(Decimal("0.01")))


def snapshot_domains(row: AgencyResult) -> list[dict[str, object]]:
    return [
        {"code": d.code, "title": d.title, "points": _points_text(d.points), "max": _points_text(d.max), "rank": d.rank}
        for d in row.domains
    ]

"""One agency's scorecard (issue 9, item 3): its domains against their max, beside its group's average and its
previous published year, and the leaves where it lost points with the appraisal of each round.

What is shown depends on the access (reports/access.py), decided once by the view:
- LIVE and PUBLISHED: the council's figures, the group average and rank, round 1 and 2 with the reviewers'
  comments;
- SELF (an agency's own view before publication): its self points and notes only — nothing computed from
  other agencies and nothing of the appraisal, which it is not shown before its sheet is returned.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from appraisal.models import AppraisalEntry
from appraisal.results import AgencyResult, ResultGroup
from assessments.models import Period, Score
from assessments.scoring import HUNDRED

from .access import Access, Source
from .accountability import is_below
from .charts import SCREEN_FONT, Series, grouped_bar_chart
from .yoy import Previous, previous_results

ZERO = Decimal(0)


@dataclass(frozen=True)
class DomainLine:
    code: str
    title: str
    points: Decimal
    max: Decimal
    share: Decimal  # points over max, in %
    rank: int  # within the group (0: not shown)
    group_average: Decimal | None  # the group's mean share, in % (None: not shown)
    previous: Decimal | None  # last published year's share, in %
    below_warning: bool  # a warning domain of the period below its threshold (seed 001)

    @property
    def change(self) -> Decimal | None:
        return self.share - self.previous if self.previous is not None else None


@dataclass(frozen=True)
class RoundEntry:
    round: int
    points: Decimal
    comment: str
    reviewer: object  # the User, shown with |person


@dataclass
class LostLeaf:
    score_id: int
    code: str
    title: str
    domain_code: str
    max: Decimal
    self_points: Decimal | None
    final: Decimal
    note: str
    rounds: dict[int, RoundEntry] = field(default_factory=dict)

    @property
    def lost(self) -> Decimal:
        return self.max - self.final

    @property
    def entries(self) -> list[RoundEntry]:
        """The newest entry of each round, round 1 first."""
        return [self.rounds[number] for number in sorted(self.rounds)]

    @property
    def comments(self) -> list[RoundEntry]:
        """The rounds' newest entries that carry a comment, round 1 first."""
        return [entry for entry in self.entries if entry.comment]

    @property
    def round1(self) -> RoundEntry | None:
        return self.rounds.get(1)

    @property
    def round2(self) -> RoundEntry | None:
        return self.rounds.get(2)


@dataclass
class Scorecard:
    period: Period
    access: Access
    row: AgencyResult
    group: ResultGroup
    domains: list[DomainLine]
    lost: list[LostLeaf]
    previous: Previous | None

    @property
    def is_self(self) -> bool:
        return self.access.source == Source.SELF

    @property
    def self_share(self) -> Decimal | None:
        """The agency's self points over its applicable max (SELF: no survey yet, so no index)."""
        return self.row.points / self.row.applicable_max * HUNDRED if self.row.applicable_max else None


def scorecard_chart(card: "Scorecard", *, width: int, font_family: str = SCREEN_FONT) -> SafeString:
    """Each domain's share beside the group's average (when it may be shown) and last published year's."""
    series = [Series(card.row.agency_name, [d.share if d.max else None for d in card.domains], "primary")]
    if card.access.sees_others:
        series.append(Series(_("Bình quân khối"), [d.group_average for d in card.domains], "secondary"))
    if card.previous is not None:
        series.append(
            Series(_("Năm %(year)s") % {"year": card.previous.year}, [d.previous for d in card.domains], "accent")
        )
    return grouped_bar_chart(
        [f"{d.code}. {d.title}" for d in card.domains],
        series,
        title=str(_("Tỷ lệ điểm đạt theo lĩnh vực (%)")),
        width=width,
        font_family=font_family,
    )


def group_averages(group: ResultGroup) -> dict[str, Decimal]:
    """Per domain code, the mean share (%) over the group's agencies that have the domain with a max."""
    shares: dict[str, list[Decimal]] = defaultdict(list)
    for row in group.rows:
        for domain in row.domains:
            if domain.max:
                shares[domain.code].append(domain.exact)
    return {code: sum(values, ZERO) / len(values) for code, values in shares.items()}


def below_warning(period: Period, code: str, points: Decimal, maximum: Decimal) -> bool:
    """Seed 001: a warning domain whose points are below the threshold share of its max (75,00 % is not)."""
    return code in period.warning_domain_codes and is_below(points, maximum, period.warning_threshold)


def find_row(groups: list[ResultGroup], agency_id: int) -> tuple[AgencyResult, ResultGroup] | None:
    for group in groups:
        for row in group.rows:
            if row.agency_id == agency_id:
                return row, group
    return None


def lost_leaves(assessment_id: int, *, self_only: bool) -> list[LostLeaf]:
    """The applicable leaves whose final points (self points in SELF) are below their max, in tree order,
    with the newest entry of each appraisal round (not in SELF). Two queries (one in SELF)."""
    final = (
        Coalesce("self_points", Value(ZERO)) if self_only else Coalesce("appraised_points", "self_points", Value(ZERO))
    )
    scores = (
        Score.objects.filter(assessment_id=assessment_id, not_applicable=False, node__is_survey=False)
        .annotate(final=final)
        .filter(final__lt=F("max_points"))
        .order_by("node__position")
        .values_list("pk", "node__code", "node__title", "domain__code", "max_points", "self_points", "final", "note")
    )
    leaves = [LostLeaf(*values) for values in scores]
    if self_only or not leaves:
        return leaves
    by_score = {leaf.score_id: leaf for leaf in leaves}
    # Oldest first, so the newest entry of each round is the one kept.
    for entry in (
        AppraisalEntry.objects.filter(assessment_id=assessment_id, score_id__in=list(by_score))
        .select_related("reviewer")
        .order_by("at", "pk")
    ):
        by_score[entry.score_id].rounds[entry.round] = RoundEntry(
            entry.round, entry.points, entry.comment, entry.reviewer
        )
    return leaves


def build_scorecard(period: Period, agency_id: int, access: Access) -> Scorecard | None:
    """The scorecard, or None when the agency has no sheet in the period."""
    found = find_row(access.results(period), agency_id)
    if found is None:
        return None
    row, group = found
    if not access.sees_others:
        # Nothing computed across agencies leaves here: no rank among them, no other row in the group.
        row.rank = row.rank_of = 0
        group = ResultGroup(group.group, group.label, [row])
    averages = group_averages(group) if access.sees_others else {}
    previous = previous_results(period).get(agency_id)
    domains = [
        DomainLine(
            code=d.code,
            title=d.title,
            points=d.points,
            max=d.max,
            share=d.exact,
            rank=d.rank if access.sees_others else 0,
            group_average=averages.get(d.code),
            previous=previous.share(d.code) if previous is not None else None,
            below_warning=below_warning(period, d.code, d.points, d.max),
        )
        for d in row.domains
    ]
    return Scorecard(
        period=period,
        access=access,
        row=row,
        group=group,
        domains=domains,
        lost=lost_leaves(row.assessment_id, self_only=access.source == Source.SELF),
        previous=previous,
    )

"""The leadership dashboard (issue 9, item 9): a period's key figures in one screen a leader reads on a phone.

Per ranking group: how many agencies fall in each band, the group's average index and its change on last year,
the best and the worst, and who rose or fell most; across the period: participants, agencies rated Tốt and the
agencies that must send an accountability report (seed 001).

Built only from result groups that reports/access.py already allowed and from last year's published figures
(reports/yoy.py), so nothing here decides who sees what and nothing here queries the database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from appraisal.results import BAND_CLASSES, AgencyResult, Band, ResultGroup

from .accountability import AccountabilityWarning
from .ranking import CENT, group_average
from .yoy import Previous

PODIUM = 3  # best, worst, risers and fallers shown per group


@dataclass(frozen=True)
class BandCount:
    band: str  # a Band key
    label: str
    css: str  # Bootstrap's colour class of the band (the badges' and the bar's)
    count: int
    share: Decimal  # of the group's agencies, in %, for the width of the bar's segment

    @property
    def bg(self) -> str:
        """The background class alone («bg-success») for the stacked bar's segment."""
        return self.css.replace("text-bg-", "bg-")


@dataclass(frozen=True)
class Move:
    """One agency's index this year against last year's published one (or its predecessors' mean)."""

    row: AgencyResult
    previous: Previous
    before: Decimal  # last year's index as shown: two places, half up (a merged agency's mean is not yet)
    change: Decimal  # this year's shown index minus ``before``: the figures on the line add up


@dataclass(frozen=True)
class GroupSummary:
    group: ResultGroup
    average: Decimal | None
    bands: list[BandCount]
    best: list[AgencyResult]
    worst: list[AgencyResult]  # the lowest first, never one already among the best
    compared: int  # agencies with both this year's index and last year's figure
    change: Decimal | None  # the mean change of those agencies, in percentage points
    risers: list[Move]
    fallers: list[Move]


@dataclass(frozen=True)
class Dashboard:
    groups: list[GroupSummary]
    agencies: int
    bands: list[BandCount]  # across every group (each group bands by its own thresholds)
    warned_agencies: int  # agencies with at least one warning domain below the threshold
    previous_year: int | None  # the year last year's figures come from, if any

    @property
    def good(self) -> int:
        return next(b.count for b in self.bands if b.band == Band.GOOD)


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def band_counts(rows: Sequence[AgencyResult]) -> list[BandCount]:
    """Every band, best first, with its count among ``rows`` (zero counts kept: «0 Yếu» is news too)."""
    total = len(rows)
    counts = []
    for band in Band:
        count = sum(1 for row in rows if row.band == band)
        share = Decimal(count) / total * 100 if total else Decimal(0)
        counts.append(BandCount(band.value, str(band.label), BAND_CLASSES[band], count, share))
    return counts


def _moves(group: ResultGroup, previous: dict[int, Previous]) -> list[Move]:
    moves = []
    for row in group.rows:
        before = previous.get(row.agency_id)
        if row.index is None or before is None or before.index is None:
            continue
        shown = _two_places(before.index)
        moves.append(Move(row, before, shown, row.index - shown))
    return moves


def summarise_group(group: ResultGroup, previous: dict[int, Previous]) -> GroupSummary:
    ranked = [row for row in group.rows if row.index is not None]  # best first; an index needs a max to exist
    best = ranked[:PODIUM]
    # The lowest, never one tied with the last of the best: four agencies sharing the first place are all best,
    # none of them «lowest».
    worst = [row for row in reversed(ranked) if not best or row.rank > best[-1].rank][:PODIUM]
    moves = _moves(group, previous)
    change = None
    if moves:
        # The mean of each agency's change: last year's figures of exactly the agencies compared this year.
        change = _two_places(sum((m.change for m in moves), Decimal(0)) / len(moves))
    by_change = sorted(moves, key=lambda m: (-m.change, m.row.rank, m.row.agency_name))
    return GroupSummary(
        group=group,
        average=group_average(group),
        bands=band_counts(group.rows),
        best=best,
        worst=worst,
        compared=len(moves),
        change=change,
        risers=[m for m in by_change if m.change > 0][:PODIUM],
        fallers=[m for m in reversed(by_change) if m.change < 0][:PODIUM],
    )


def build_dashboard(
    groups: list[ResultGroup], previous: dict[int, Previous], warnings: list[AccountabilityWarning]
) -> Dashboard:
    every_row = [row for group in groups for row in group.rows]
    years = {p.year for p in previous.values()}
    return Dashboard(
        groups=[summarise_group(group, previous) for group in groups],
        agencies=len(every_row),
        bands=band_counts(every_row),
        warned_agencies=len({w.agency_id for w in warnings}),
        previous_year=max(years) if years else None,
    )

"""Year over year: each agency's index and domain shares in the latest earlier published period (issue 9).

Only a published year counts: its frozen snapshot is what the province announced, so last year's figure on a
scorecard is the one in last year's decision, and it may be shown to anyone with a role. An agency that did
not exist last year — a commune formed in 2025 by merging old ones (Agency.merged_into) — is compared with
the mean of its predecessors' published figures, and the scorecard says which agencies they were.

Three queries whatever the number of agencies: the current period's agencies, every merger, and the previous
year's snapshot (the year found by a subquery).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from appraisal.models import PublishedResult
from assessments.models import Period, PeriodState
from assessments.scoring import HUNDRED
from organisations.models import Agency


@dataclass(frozen=True)
class Previous:
    """An agency's figures in an earlier published year: its own, or the mean of the agencies merged into it."""

    year: int
    period_name: str
    index: Decimal | None  # the published two-decimal index, or the mean of the predecessors'
    domains: dict[str, Decimal]  # domain code → points over max in %, or the predecessors' mean
    sources: tuple[str, ...]  # the agency names (as published) the figures come from
    merged: bool = False  # True: the mean of agencies merged into this one, not its own row
    rank: int = 0  # its own published rank (0 when merged: a mean has no rank)
    rank_of: int = 0
    domain_ranks: dict[str, int] = field(default_factory=dict)

    def share(self, code: str) -> Decimal | None:
        return self.domains.get(code)


@dataclass(frozen=True)
class _Row:
    agency_id: int
    name: str
    year: int
    period_name: str
    index: Decimal
    rank: int
    rank_of: int
    shares: dict[str, Decimal]
    ranks: dict[str, int]


def _share(points: str, maximum: str) -> Decimal | None:
    top = Decimal(maximum)
    return Decimal(points) / top * HUNDRED if top else None


def _previous_rows(period: Period) -> dict[int, _Row]:
    """The snapshot rows of every period published in force in the latest earlier year that has one."""
    in_force = PublishedResult.objects.filter(
        publication__unpublished_at__isnull=True, publication__period__state=PeriodState.PUBLISHED
    )
    # The latest earlier year with a publication in force, as a subquery of the one query below.
    year = (
        in_force.filter(publication__period__year__lt=period.year)
        .order_by("-publication__period__year")
        .values("publication__period__year")[:1]
    )
    rows: dict[int, _Row] = {}
    for agency_id, name, year_, period_name, index, rank, rank_of, domains in (
        in_force.filter(publication__period__year=year)
        .order_by("publication__period_id", "pk")
        .values_list(
            "agency_id",
            "agency_name",
            "publication__period__year",
            "publication__period__name",
            "index",
            "rank",
            "rank_of",
            "domains",
        )
    ):
        shares = {}
        for domain in domains:
            share = _share(domain["points"], domain["max"])
            if share is not None:
                shares[domain["code"]] = share
        # Two periods of one year (say, one per kind) cannot both hold an agency; the first wins if they do.
        rows.setdefault(
            agency_id,
            _Row(
                agency_id,
                name,
                year_,
                period_name,
                index,
                rank,
                rank_of,
                shares,
                {d["code"]: d["rank"] for d in domains},
            ),
        )
    return rows


def _successors() -> dict[int, int]:
    """Each merged agency → the agency it ended up in, following chains (A into B, B later into C)."""
    merged_into = dict(Agency.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id"))
    final: dict[int, int] = {}
    for start in merged_into:
        seen = {start}
        target = merged_into[start]
        while target in merged_into and target not in seen:  # a cycle cannot be saved, but never loop on one
            seen.add(target)
            target = merged_into[target]
        final[start] = target
    return final


def _mean(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    return sum(values, Decimal(0)) / len(values) if values else None


def previous_results(period: Period) -> dict[int, Previous]:
    """Last published year's figures for each agency of ``period``, keyed by the current agency's id.

    An agency's own row when it was ranked itself; otherwise, when agencies were merged into it, the mean of
    their indices and of their domain shares (a domain only over the predecessors that had it). Agencies with
    neither are left out. Three queries.
    """
    current = list(period.assessments.values_list("agency_id", flat=True))
    rows = _previous_rows(period)
    predecessors: dict[int, list[_Row]] = defaultdict(list)
    for old, new in _successors().items():
        if old in rows:
            predecessors[new].append(rows[old])
    result: dict[int, Previous] = {}
    for agency_id in current:
        own = rows.get(agency_id)
        if own is not None:
            result[agency_id] = Previous(
                own.year,
                own.period_name,
                own.index,
                own.shares,
                (own.name,),
                rank=own.rank,
                rank_of=own.rank_of,
                domain_ranks=own.ranks,
            )
            continue
        before = sorted(predecessors.get(agency_id, []), key=lambda r: r.name)
        if not before:
            continue
        codes = sorted({code for row in before for code in row.shares})
        domains = {code: _mean(row.shares[code] for row in before if code in row.shares) for code in codes}
        result[agency_id] = Previous(
            before[0].year,
            before[0].period_name,
            _mean(row.index for row in before),
            {code: share for code, share in domains.items() if share is not None},
            tuple(row.name for row in before),
            merged=True,
        )
    return result

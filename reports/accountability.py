"""The accountability warning list (seed 001): an agency whose TTHC or e-government domain — the period's
warning domains — is below the period's threshold (75 % by default) of its max must send a báo cáo kiểm điểm
to the provincial People's Committee through Sở Nội vụ.

Computed from the results the viewer may see (live, or the published snapshot), so it costs no query of its
own. "Below" is strict and exact: points × 100 < threshold × max, so 75,00 % is not below, and a share that
would round up to 75,00 is.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from appraisal.results import ResultGroup
from assessments.models import Period
from assessments.scoring import HUNDRED, TWO_PLACES


@dataclass(frozen=True)
class AccountabilityWarning:
    agency_id: int
    agency_name: str
    group_label: str
    code: str
    title: str
    points: Decimal
    max: Decimal
    threshold: Decimal

    @property
    def share(self) -> Decimal:
        return self.points / self.max * HUNDRED

    @property
    def share_shown(self) -> Decimal:
        """Two places, half up as everywhere, except that a share below the threshold is never shown as the
        threshold itself (74,996 % reads 74,99, not 75,00)."""
        shown = self.share.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        return shown if shown < self.threshold else self.share.quantize(TWO_PLACES, rounding=ROUND_DOWN)


def is_below(points: Decimal, maximum: Decimal, threshold: Decimal) -> bool:
    return bool(maximum) and points * HUNDRED < threshold * maximum


def accountability_warnings(period: Period, groups: list[ResultGroup]) -> list[AccountabilityWarning]:
    """Every (agency, warning domain) below the threshold, by group then agency name then domain order."""
    codes = set(period.warning_domain_codes)
    found = []
    for group in groups:
        for row in sorted(group.rows, key=lambda r: r.agency_name):
            for domain in row.domains:
                if domain.code in codes and is_below(domain.points, domain.max, period.warning_threshold):
                    found.append(
                        AccountabilityWarning(
                            row.agency_id,
                            row.agency_name,
                            group.label,
                            domain.code,
                            domain.title,
                            domain.points,
                            domain.max,
                            period.warning_threshold,
                        )
                    )
    return found

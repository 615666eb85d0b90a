"""Points of a leaf from the inputs of its scoring method, and the totals and index of a sheet.

Pure functions (no queries): the sheet, the save and the progress page all call these, so a number
is computed one way only.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from criteria.models import Node, RatioTier, ScoringMethod
from parindex.numbers import number_text

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


class ScoreInputError(ValueError):
    """An input the method does not accept; ``field`` names the form field for the message."""

    def __init__(self, message: str, field: str = "self_points"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class LeafInput:
    self_points: Decimal | None = None
    answer_yes: bool | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    event_count: int | None = None


def ratio_percent(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator / denominator * HUNDRED).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def tier_points(tiers: Sequence[RatioTier], percent: Decimal) -> Decimal:
    """Tiers are [lower, upper); the last one also holds 100 %. Validation guarantees they cover 0–100."""
    for tier in tiers:
        if tier.lower_pct <= percent < tier.upper_pct or (percent == tier.upper_pct == HUNDRED):
            return tier.points
    raise ScoreInputError(
        _("Không có bậc tỷ lệ nào cho %(percent)s %%.") % {"percent": number_text(percent)}, "numerator"
    )


def leaf_points(node: Node, tiers: Sequence[RatioTier], value: LeafInput) -> Decimal | None:
    """The points the inputs give, or None when nothing has been entered yet. Raises ScoreInputError."""
    method = node.method
    if method == ScoringMethod.MANUAL:
        points = value.self_points
        if points is None:
            return None
        if points < 0 or points > node.max_points:
            raise ScoreInputError(_("Điểm phải từ 0 đến %(max)s.") % {"max": number_text(node.max_points)})
        step = node.effective_step
        if (points / step) % 1 != 0:
            raise ScoreInputError(
                _("Điểm phải là bội số của %(step)s (ví dụ 0; %(step)s; %(double)s…).")
                % {"step": number_text(step), "double": number_text(step * 2)}
            )
        return points
    if method == ScoringMethod.YES_NO:
        if value.answer_yes is None:
            return None
        return node.max_points if value.answer_yes else Decimal(0)
    if method == ScoringMethod.RATIO:
        if value.numerator is None and value.denominator is None:
            return None
        if value.numerator is None or value.denominator is None:
            raise ScoreInputError(
                _("Nhập cả tử số và mẫu số."), "numerator" if value.numerator is None else "denominator"
            )
        if value.numerator < 0:
            raise ScoreInputError(_("Tử số phải là số không âm."), "numerator")
        if value.denominator <= 0:
            raise ScoreInputError(_("Mẫu số phải lớn hơn 0."), "denominator")
        if value.numerator > value.denominator:
            raise ScoreInputError(_("Tử số không được lớn hơn mẫu số."), "numerator")
        return tier_points(tiers, ratio_percent(value.numerator, value.denominator))
    if method == ScoringMethod.DEDUCTION:
        if value.event_count is None:
            return None
        if value.event_count < 0:
            raise ScoreInputError(_("Số lần bị trừ phải là số nguyên không âm."), "event_count")
        per_event = node.deduction_per_event or Decimal(0)
        return max(Decimal(0), node.max_points - per_event * value.event_count)
    raise ScoreInputError(_("Phương pháp chấm «%(method)s» không có.") % {"method": method})


def index_percent(points: Decimal, max_points: Decimal) -> Decimal | None:
    """(points / max) × 100 with two decimals, half up, as the province publishes it ("82,91")."""
    if max_points <= 0:
        return None
    return (points / max_points * HUNDRED).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def final_index(
    *, appraised: Decimal, applicable_max: Decimal, survey: Decimal = Decimal(0), survey_max: Decimal = Decimal(0)
) -> Decimal | None:
    """Index (%) = (appraised + survey) / (applicable max + survey max) × 100 (DESIGN.md, Scoring)."""
    return index_percent(appraised + survey, applicable_max + survey_max)


@dataclass(frozen=True)
class LeafState:
    """What the totals need of one leaf's score."""

    domain_code: str
    max_points: Decimal
    points: Decimal | None
    not_applicable: bool
    is_survey: bool
    has_evidence: bool


class ProgressFigures:
    """Percentages shared by a sheet's totals and a progress row (both carry these five fields)."""

    points: Decimal
    max_points: Decimal
    leaves: int
    scored: int
    with_evidence: int

    @property
    def index(self) -> Decimal | None:
        return index_percent(self.points, self.max_points)

    @property
    def scored_pct(self) -> int:
        return round(self.scored * 100 / self.leaves) if self.leaves else 0

    @property
    def evidence_pct(self) -> int:
        return round(self.with_evidence * 100 / self.leaves) if self.leaves else 0


@dataclass
class Bucket(ProgressFigures):
    code: str = ""
    title: str = ""
    max_points: Decimal = Decimal(0)  # applicable max: not-applicable leaves leave it
    points: Decimal = Decimal(0)
    leaves: int = 0
    scored: int = 0  # scored or marked not applicable
    with_evidence: int = 0


@dataclass
class Totals:
    overall: Bucket = field(default_factory=Bucket)
    domains: dict[str, Bucket] = field(default_factory=dict)


def compute_totals(leaves: Iterable[LeafState], domain_titles: dict[str, str] | None = None) -> Totals:
    """Self-assessment totals: survey leaves are entered by Sở Nội vụ and stay out of the agency's totals."""
    totals = Totals()
    for code, title in (domain_titles or {}).items():
        totals.domains[code] = Bucket(code=code, title=title)
    for leaf in leaves:
        if leaf.is_survey:
            continue
        bucket = totals.domains.setdefault(leaf.domain_code, Bucket(code=leaf.domain_code))
        for target in (bucket, totals.overall):
            target.leaves += 1
            if leaf.not_applicable:
                target.scored += 1
                target.with_evidence += 1  # nothing to prove for a leaf that does not apply
                continue
            target.max_points += leaf.max_points
            if leaf.points is not None:
                target.scored += 1
                target.points += leaf.points
            if leaf.has_evidence:
                target.with_evidence += 1
    totals.domains = {k: v for k, v in totals.domains.items() if v.leaves}
    return totals


def domain_of(code: str) -> str:
    return code.split(".", 1)[0]

"""Where agencies lose points (issue 9, item 3): per leaf criterion, across the agencies of one ranking group,
how many lost points on it, the share of its points they obtained, and the points lost in all — the leaves
where most agencies lose points first.

One grouped query over the scores (no loop over score rows), plus one for the groups' sizes. The points are
the council's (appraised, else self points), as the ranking counts them; after publication the scores are
locked, so they are the points the published ranking was computed from.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from appraisal.results import UNGROUPED, GroupSpec, group_key, group_specs
from assessments.models import Period, Score
from assessments.scoring import HUNDRED

from .charts import SCREEN_FONT, Bar, bar_chart

ZERO = Decimal(0)


@dataclass(frozen=True)
class GroupChoice:
    spec: GroupSpec
    sheets: int


@dataclass(frozen=True)
class CriterionLoss:
    node_id: int
    code: str
    title: str
    domain_code: str
    domain_title: str
    max_points: Decimal  # one agency's max of the leaf
    agencies: int  # agencies for which the leaf applies
    lost_by: int  # of them, how many got less than the max
    obtained: Decimal  # points obtained, all agencies together
    maximum: Decimal  # their max, all agencies together

    @property
    def points_lost(self) -> Decimal:
        return self.maximum - self.obtained

    @property
    def share(self) -> Decimal | None:
        """The average share of the leaf's points obtained, in % (the max is the same for every agency)."""
        return self.obtained / self.maximum * HUNDRED if self.maximum else None


def group_choices(period: Period) -> tuple[list[GroupChoice], bool]:
    """The period's ranking groups that have sheets, in order, with their number of sheets, and whether the
    administrator set the groups (else one per agency kind). Two queries."""
    specs = group_specs(period)
    sizes: dict[str, int] = {}
    for kind, group_id, count in (
        period.assessments.values("agency__kind", "ranking_member__group_id")
        .annotate(n=Count("pk"))
        .values_list("agency__kind", "ranking_member__group_id", "n")
    ):
        key = group_key(specs, kind, group_id)
        sizes[key] = sizes.get(key, 0) + count
    return [GroupChoice(spec, sizes[key]) for key, spec in specs.items() if sizes.get(key)], UNGROUPED in specs


def _in_group(spec: GroupSpec, grouped: bool) -> Q:
    """The scores of the sheets in this group: by membership where groups are set, else by agency kind."""
    if not grouped:
        return Q(assessment__agency__kind=spec.key)
    if spec.key == UNGROUPED:
        return Q(assessment__ranking_member__isnull=True)
    return Q(assessment__ranking_member__group_id=int(spec.key.removeprefix("g")))


# The leaf's own columns, in CriterionLoss's order: grouped on, then read back.
LEAF_COLUMNS = ("node_id", "node__code", "node__title", "node__domain__code", "node__domain__title", "node__max_points")


def criterion_losses(period: Period, spec: GroupSpec, *, grouped: bool) -> list[CriterionLoss]:
    """Every applicable scored leaf of the group's sheets, where most agencies lose points first. One query."""
    scores: QuerySet[Score] = Score.objects.filter(
        _in_group(spec, grouped), assessment__period=period, not_applicable=False, node__is_survey=False
    )
    final = Coalesce("appraised_points", "self_points", Value(ZERO))
    rows = (
        scores.alias(final=final)
        # Every column is the leaf's own, so the grouping is one row per leaf.
        .values(*LEAF_COLUMNS, "node__position")
        .annotate(
            agencies=Count("pk"),
            lost_by=Count("pk", filter=Q(final__lt=F("max_points"))),
            obtained=Sum("final"),
            maximum=Sum("max_points"),
            points_lost=ExpressionWrapper(Sum("max_points") - Sum("final"), output_field=DecimalField()),
        )
        .order_by("-lost_by", "-points_lost", "node__position")
        .values_list(*LEAF_COLUMNS, "agencies", "lost_by", "obtained", "maximum")
    )
    return [CriterionLoss(*values) for values in rows]


@dataclass(frozen=True)
class LossFilter:
    """Which leaves the criterion analysis lists: those of one domain (its code) or all, and those where at least
    ``min_lost_share`` % of the agencies lost points (0: at least one agency) or every leaf (None)."""

    domain: str | None = None
    min_lost_share: int | None = None

    def keeps(self, loss: CriterionLoss) -> bool:
        if self.domain is not None and loss.domain_code != self.domain:
            return False
        if self.min_lost_share is None:
            return True
        # In whole numbers, so «at least 50 %» keeps exactly 1 agency of 2.
        return loss.lost_by > 0 and loss.lost_by * 100 >= self.min_lost_share * loss.agencies


def loss_domains(losses: list[CriterionLoss]) -> list[tuple[str, str]]:
    """(code, title) of the domains of these leaves, in code order. A group whose sets word a domain differently
    (a group of two agency kinds) gets the titles joined under the one code, the code being what is compared."""
    titles: dict[str, list[str]] = {}
    for loss in losses:
        names = titles.setdefault(loss.domain_code, [])
        if loss.domain_title not in names:
            names.append(loss.domain_title)
    return [(code, f"{code}. {' / '.join(titles[code])}") for code in sorted(titles, key=_code_order)]


def _code_order(code: str) -> list[tuple[int, int, str]]:
    """«2» before «10»: numbered parts by their number, any other part after them by its text."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split(".")]


def losses_chart(
    losses: list[CriterionLoss], *, width: int, top: int = 10, font_family: str = SCREEN_FONT
) -> SafeString:
    """The leaves where most agencies lose points: the share of the group's agencies that lost on each."""
    bars = [
        Bar(f"{c.code}. {c.title}", Decimal(c.lost_by) / c.agencies * HUNDRED, tone="accent")
        for c in losses[:top]
        if c.lost_by
    ]
    return bar_chart(
        bars,
        title=str(_("Tỷ lệ đơn vị bị mất điểm ở tiêu chí (%)")),
        width=width,
        font_family=font_family,
    )

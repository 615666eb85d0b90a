"""Survey points (điều tra xã hội học, SIPAS): the survey parts of a set, the one write, and the pages' reads.

A survey part is a child of the set's survey domain (8.1 ĐTXHH, 8.2 SIPAS), or the survey domain itself
when it has no children; ``survey_parts_by_set`` is the one place that decides it. Points are entered by
Sở Nội vụ while the period is in appraisal (``council_refusal``); once a value exists, changing it by hand
needs a reason, and every value ever stored is a SurveyChange row.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import REASON_MAX_LENGTH, Assessment, Period
from assessments.workflow import WorkflowError, lock_assessment
from criteria.models import Node
from parindex.numbers import decimal_places, number_text

from .models import SurveyChange, SurveyScore, SurveySource
from .rules import council_refusal

# ---- survey parts -----------------------------------------------------------------------------------------


def survey_parts_by_set(set_ids: Iterable[int] | QuerySet[Any, int]) -> dict[int, list[Node]]:
    """{index set id: its survey parts in tree order}, in one query (a queryset of ids stays a subquery);
    a set without a survey has none."""
    nodes = list(
        Node.objects.filter(
            index_set_id__in=set_ids if isinstance(set_ids, QuerySet) else list(set_ids), is_survey=True, depth__lte=2
        ).order_by("index_set_id", "position")
    )
    survey_domains = {n.pk for n in nodes if n.depth == 1}
    children: dict[int, list[Node]] = {}
    for node in nodes:
        if node.depth == 2 and node.parent_id in survey_domains:
            children.setdefault(node.parent_id, []).append(node)
    result: dict[int, list[Node]] = {}
    for node in nodes:
        if node.depth == 1:
            result.setdefault(node.index_set_id, []).extend(children.get(node.pk, [node]))
    return result


def survey_parts(index_set_id: int) -> list[Node]:
    return survey_parts_by_set([index_set_id]).get(index_set_id, [])


# ---- the write --------------------------------------------------------------------------------------------


class StaleSurvey(ValidationError):
    """The value was changed by someone else since the form was loaded."""


def points_refusal(points: Decimal, node: Node) -> str | None:
    """Why ``points`` cannot be the survey points of ``node`` (None: they can). Shared with the import."""
    if points < 0:
        return _("Điểm điều tra không được âm.")
    if points > node.max_points:
        return _("Điểm điều tra của %(part)s tối đa là %(max)s.") % {
            "part": node.code,
            "max": number_text(node.max_points),
        }
    if decimal_places(points) > 2:
        return _("Điểm điều tra có tối đa 2 chữ số thập phân.")
    return None


@transaction.atomic
def survey_set(
    *,
    assessment: Assessment,
    node: Node,
    points: Decimal,
    user: User,
    source: str = SurveySource.MANUAL,
    reason: str = "",
    version: int | None = None,
) -> SurveyScore | None:
    """Store ``points`` as the agency's survey points for ``node``; returns the row, or None when the value
    is what is stored already (nothing recorded).

    Refused (WorkflowError) unless the period is in appraisal; ValidationError for a node that is not a
    survey part of the agency's set, points outside 0..max, or a manual change of an existing value without
    a reason; StaleSurvey when ``version`` is given and the value has changed since it was read.
    """
    assessment = lock_assessment(assessment.pk)
    refusal = council_refusal(assessment.period)
    if refusal is not None:
        raise WorkflowError(refusal, code="workflow")
    if node.pk not in {part.pk for part in survey_parts(assessment.index_set_id)}:
        raise ValidationError(_("Mục này không phải là phần điều tra xã hội học của bộ chỉ số của đơn vị."))
    problem = points_refusal(points, node)
    if problem is not None:
        raise ValidationError(problem)
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(_("Lý do tối đa %(max)s ký tự.") % {"max": number_text(REASON_MAX_LENGTH)})
    if source not in SurveySource.values:
        raise ValidationError(_("Nguồn điểm không hợp lệ."))
    now = timezone.now()
    row = SurveyScore.objects.filter(assessment=assessment, node=node).first()
    if row is not None and version is not None and row.version != version:
        raise StaleSurvey(
            _("Điểm %(part)s vừa được thay đổi thành %(points)s; xem lại rồi lưu lần nữa.")
            % {"part": node.code, "points": number_text(row.points)}
        )
    if row is not None and row.points == points:
        return None
    if row is not None and source == SurveySource.MANUAL and not reason:
        raise ValidationError(_("Điểm đã có; ghi lý do điều chỉnh để lưu lại trong lịch sử."))
    old = row.points if row is not None else None
    if row is None:
        row = SurveyScore(assessment=assessment, node=node, max_points=node.max_points, version=1)
    else:
        row.version += 1
    row.points, row.updated_at, row.updated_by = points, now, user
    row.full_clean()
    row.save()
    SurveyChange.objects.create(
        survey_score=row, old_points=old, new_points=points, source=source, reason=reason, by=user, at=now
    )
    return row


# ---- reads ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyCell:
    part: Node
    score: SurveyScore | None  # None: no points entered yet


@dataclass
class SurveyRow:
    assessment: Assessment
    cells: list[SurveyCell]  # one per part of the table's set, in order

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if c.score is None)

    @property
    def total(self) -> Decimal:
        return sum((c.score.points for c in self.cells if c.score is not None), Decimal(0))


@dataclass
class SurveyTable:
    """The participants using one index set, with that set's survey parts as columns."""

    index_set_name: str
    parts: list[Node]
    rows: list[SurveyRow] = field(default_factory=list)

    @property
    def max_points(self) -> Decimal:
        return sum((p.max_points for p in self.parts), Decimal(0))

    @property
    def missing_agencies(self) -> int:
        return sum(1 for r in self.rows if r.missing)


def participants(period: Period) -> QuerySet[Assessment]:
    return period.assessments.select_related("agency", "index_set").order_by("agency__name", "pk")


def survey_tables(period: Period) -> list[SurveyTable]:
    """One table per index set of the period, in three queries (sheets, parts, survey rows)."""
    assessments = list(participants(period))
    parts = survey_parts_by_set({a.index_set_id for a in assessments})
    stored = {(s.assessment_id, s.node_id): s for s in SurveyScore.objects.filter(assessment__period=period).order_by()}
    tables: dict[int, SurveyTable] = {}
    for assessment in assessments:
        set_id = assessment.index_set_id
        if set_id not in tables:
            tables[set_id] = SurveyTable(assessment.index_set.name, parts.get(set_id, []))
        table = tables[set_id]
        table.rows.append(
            SurveyRow(assessment, [SurveyCell(p, stored.get((assessment.pk, p.pk))) for p in table.parts])
        )
    return list(tables.values())


def survey_history(assessment: Assessment) -> QuerySet[SurveyChange]:
    return (
        SurveyChange.objects.filter(survey_score__assessment=assessment)
        .select_related("survey_score__node", "by")
        .order_by("-at", "-pk")
    )

"""Closing a period: what is still open, finalisation (everything locks), publication of a frozen snapshot,
unpublication with a reason, and whether the published ranking is public.

Each service locks the period row first and checks its state there, so two administrators pressing
«Công bố» at once publish once.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    REASON_MAX_LENGTH,
    AssessmentState,
    Period,
    PeriodState,
    Score,
    TransitionAction,
)
from assessments.services import assessment_transition
from parindex.numbers import number_text

from .models import ExplanationRequest, Publication, PublishedResult, SurveyScore
from .results import EXACT_PLACES, period_results, publication_in_force, snapshot_domains
from .rules import explanation_deadline_passed
from .surveys import survey_parts_by_set


@dataclass(frozen=True)
class OpenItem:
    assessment_id: int
    agency_name: str
    count: int


@dataclass
class Checklist:
    """What stands between the period and its finalisation, per agency (name order)."""

    unappraised: list[OpenItem] = field(default_factory=list)  # applicable leaves never appraised
    unanswered: list[OpenItem] = field(default_factory=list)  # requests the agency still has time to answer
    without_survey: list[OpenItem] = field(default_factory=list)  # count: survey parts without points
    ungrouped: list[OpenItem] = field(default_factory=list)  # where groups are set: sheets in none of them
    sheets: int = 0

    @property
    def is_clear(self) -> bool:
        return not (self.unappraised or self.unanswered or self.without_survey or self.ungrouped)

    def messages(self) -> list[str]:
        out = []
        if self.unappraised:
            out.append(
                _("Còn %(n)s tiêu chí chưa thẩm định ở %(agencies)s đơn vị.")
                % {
                    "n": number_text(sum(i.count for i in self.unappraised)),
                    "agencies": number_text(len(self.unappraised)),
                }
            )
        if self.unanswered:
            out.append(
                _("%(agencies)s đơn vị còn hạn giải trình và chưa trả lời %(n)s yêu cầu.")
                % {
                    "n": number_text(sum(i.count for i in self.unanswered)),
                    "agencies": number_text(len(self.unanswered)),
                }
            )
        if self.without_survey:
            out.append(
                _("%(agencies)s đơn vị chưa có điểm điều tra xã hội học.")
                % {"agencies": number_text(len(self.without_survey))}
            )
        if self.ungrouped:
            out.append(
                _("%(agencies)s đơn vị chưa thuộc khối xếp hạng nào.") % {"agencies": number_text(len(self.ungrouped))}
            )
        return out


def period_checklist(period: Period) -> Checklist:
    """The open items of the period. Six queries, whatever the number of agencies."""
    # 1. The sheets, with their ranking group.
    sheets = {
        pk: (name, set_id, group_id)
        for pk, name, set_id, group_id in period.assessments.order_by("agency__name").values_list(
            "pk", "agency__name", "index_set_id", "ranking_member__group_id"
        )
    }
    # 6. Whether the administrator has set ranking groups (without, one per kind: nobody can be left out).
    grouped = period.ranking_groups.exists()
    checklist = Checklist(sheets=len(sheets))
    # 2. Applicable, non-survey leaves without an appraisal.
    unappraised = dict(
        Score.objects.filter(
            assessment__period=period, not_applicable=False, node__is_survey=False, appraised_points__isnull=True
        )
        .values("assessment_id")
        .annotate(n=Count("pk"))
        .values_list("assessment_id", "n")
    )
    # 3. Requests without an answer on sheets still returned while the agency may answer.
    unanswered: dict[int, int] = {}
    if not explanation_deadline_passed(period):
        unanswered = dict(
            ExplanationRequest.objects.filter(
                assessment__period=period, assessment__state=AssessmentState.RETURNED, answers__isnull=True
            )
            .values("assessment_id")
            .annotate(n=Count("pk"))
            .values_list("assessment_id", "n")
        )
    # 4. Survey parts of each set.
    parts: dict[int, set[int]] = {
        set_id: {node.pk for node in nodes}
        for set_id, nodes in survey_parts_by_set(period.index_sets.values_list("index_set_id", flat=True)).items()
    }
    # 5. Survey points entered.
    entered: dict[int, set[int]] = defaultdict(set)
    for assessment_id, node_id in SurveyScore.objects.filter(assessment__period=period).values_list(
        "assessment_id", "node_id"
    ):
        entered[assessment_id].add(node_id)
    for pk, (name, set_id, group_id) in sheets.items():
        if grouped and group_id is None:
            checklist.ungrouped.append(OpenItem(pk, name, 1))
        if unappraised.get(pk):
            checklist.unappraised.append(OpenItem(pk, name, unappraised[pk]))
        if unanswered.get(pk):
            checklist.unanswered.append(OpenItem(pk, name, unanswered[pk]))
        missing = parts.get(set_id, set()) - entered[pk]
        if missing:
            checklist.without_survey.append(OpenItem(pk, name, len(missing)))
    return checklist


def _lock(period: Period) -> Period:
    return Period.objects.select_for_update().get(pk=period.pk)


def _move_every_sheet(period: Period, action: TransitionAction, user: User, note: str = "") -> int:
    assessments = list(period.assessments.order_by("pk"))
    for assessment in assessments:
        assessment_transition(assessment, action, user, note)
    return len(assessments)


@transaction.atomic
def period_finalise(*, period: Period, user: User) -> int:
    """Lock the results: every sheet becomes appraised and no council write is accepted any more.

    Refused outside appraisal, and while anything on the checklist is open (the items are named).
    """
    period = _lock(period)
    if period.state != PeriodState.APPRAISAL:
        raise ValidationError(_("Chỉ chốt kết quả được khi kỳ đang thẩm định."))
    checklist = period_checklist(period)
    if not checklist.is_clear:
        raise ValidationError([_("Chưa chốt được kết quả:"), *checklist.messages()])
    count = _move_every_sheet(period, TransitionAction.FINALISE, user)
    period.state = PeriodState.FINALISED
    period.finalised_at = timezone.now()
    period.save(update_fields=["state", "finalised_at"])
    return count


@transaction.atomic
def period_publish(*, period: Period, user: User, decision: str = "") -> Publication:
    """Publish the finalised results: a snapshot that later changes cannot move, visible to every agency."""
    period = _lock(period)
    if period.state != PeriodState.FINALISED:
        raise ValidationError(_("Chỉ công bố được kết quả đã chốt."))
    decision = decision.strip()
    if len(decision) > 255:
        raise ValidationError(_("Số, ký hiệu quyết định tối đa 255 ký tự."))
    publication = Publication.objects.create(
        period=period, published_at=timezone.now(), published_by=user, decision=decision
    )
    PublishedResult.objects.bulk_create(
        PublishedResult(
            publication=publication,
            assessment_id=row.assessment_id,
            agency_id=row.agency_id,
            agency_name=row.agency_name,
            group=row.group,
            group_label=row.group_label,
            group_position=row.group_position,
            points=row.points,
            applicable_max=row.applicable_max,
            survey_points=row.survey_points,
            survey_max=row.survey_max,
            bonus=row.bonus,
            penalty=row.penalty,
            total=row.total,
            index_exact=row.index_exact.quantize(EXACT_PLACES),
            index=row.index if row.index is not None else 0,
            band=row.band,
            rank=row.rank,
            rank_of=row.rank_of,
            domains=snapshot_domains(row),
        )
        for group in period_results(period)
        for row in group.rows
    )
    _move_every_sheet(period, TransitionAction.PUBLISH, user)
    period.state = PeriodState.PUBLISHED
    period.save(update_fields=["state"])
    return publication


@transaction.atomic
def period_unpublish(*, period: Period, user: User, reason: str) -> Publication:
    """Withdraw the publication in force, with the reason recorded; the period is finalised again."""
    period = _lock(period)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Ghi lý do hủy công bố."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(_("Lý do tối đa %(max)s ký tự.") % {"max": number_text(REASON_MAX_LENGTH)})
    publication = publication_in_force(period)
    if period.state != PeriodState.PUBLISHED or publication is None:
        raise ValidationError(_("Kỳ chưa công bố nên không có gì để hủy."))
    publication.unpublished_at = timezone.now()
    publication.unpublished_by = user
    publication.unpublish_reason = reason
    publication.save(update_fields=["unpublished_at", "unpublished_by", "unpublish_reason"])
    _move_every_sheet(period, TransitionAction.UNPUBLISH, user, reason)
    period.state = PeriodState.FINALISED
    period.save(update_fields=["state"])
    return publication


@transaction.atomic
def period_set_public_ranking(*, period: Period, public: bool) -> Period:
    """Whether the published ranking (and only it) may be seen without signing in."""
    period = _lock(period)
    period.public_ranking = public
    period.save(update_fields=["public_ranking"])
    return period

"""Rounds and explanations: the administrator returns the sheets with round-1 requests, the agency answers
the leaves asked about (text and new evidence) until the explanation deadline and its head sends the
explanation; then round 2 (appraisal.rules.current_round). Also what each person may read of it: nothing
of round 1 reaches the agency before its sheet is returned (:func:`sees_round_one`).

Services lock what they depend on and check the state there; the ``*_refusal`` functions are the one
place each rule lives, called by the services under the lock and by the pages to show or hide a control.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import (
    NOTE_MAX_LENGTH,
    Assessment,
    AssessmentState,
    Evidence,
    EvidenceLink,
    Period,
    Score,
    ScoreChange,
    TransitionAction,
)
from assessments.selectors import FieldChange, HistoryEntry
from assessments.services import assessment_transition
from assessments.workflow import RETURNED_OR_LATER, WorkflowError, lock_assessment
from criteria.models import Node
from organisations.roles import UserRoles, roles_of
from parindex.numbers import number_text

from .models import AppraisalEntry, ExplanationAnswer, ExplanationRequest
from .notify import notify_explained, notify_returned
from .rules import council_refusal, explanation_deadline_passed

S = AssessmentState


def sees_round_one(assessment: Assessment, roles: UserRoles) -> bool:
    """Whether this person reads round 1 of the sheet (entries, comments, requests) now.

    Administrators and leadership always; reviewers on the sheets of agencies they do not belong to (a
    reviewer from the agency itself would carry round 1 home before the return); everyone who may read
    the sheet once it is returned. Assumes the sheet is visible to the person.
    """
    if assessment.state in RETURNED_OR_LATER or roles.is_admin or roles.is_leadership:
        return True
    return roles.is_reviewer and assessment.agency_id not in roles.own_agency_ids


# ---- rules ------------------------------------------------------------------------------------------------


def return_refusal(period: Period, now: datetime.datetime | None = None) -> str | None:
    """Why the administrator cannot return the period's sheets for explanation now."""
    reason = council_refusal(period)
    if reason is not None:
        return reason
    if period.explanation_deadline is None:
        return _("Kỳ chưa có hạn giải trình; đặt hạn giải trình trong thông tin kỳ trước khi trả lại.")
    if explanation_deadline_passed(period, now):
        return _("Hạn giải trình (%(deadline)s) đã qua; gia hạn trong thông tin kỳ trước khi trả lại.") % {
            "deadline": f"{timezone.localtime(period.explanation_deadline):%d/%m/%Y %H:%M}"
        }
    return None


def answering_refusal(assessment: Assessment, now: datetime.datetime | None = None) -> str | None:
    """Why the agency cannot answer, add evidence or send its explanation now (says nothing of who)."""
    reason = council_refusal(assessment.period)
    if reason is not None:
        return reason
    if assessment.state != S.RETURNED:
        if assessment.state == S.EXPLAINED:
            return _("Đơn vị đã gửi giải trình nên không sửa được nữa.")
        return _("Bản đánh giá không ở trạng thái «Yêu cầu giải trình» nên không giải trình được.")
    if explanation_deadline_passed(assessment.period, now):
        return _("Đã quá hạn giải trình nên không giải trình hay bổ sung tài liệu được nữa.")
    return None


def member_refusal(assessment: Assessment, roles: UserRoles, *, send: bool = False) -> str | None:
    """Who answers: the agency's officers and head; only the head sends the explanation."""
    if assessment.agency_id not in roles.agency_ids:
        return _("Chỉ cán bộ của đơn vị được giải trình.")
    if send and assessment.agency_id not in roles.head_of:
        return _("Chỉ lãnh đạo đơn vị được gửi giải trình.")
    return None


def _asked(score_id: int) -> bool:
    return ExplanationRequest.objects.filter(score_id=score_id, round=1).exists()


def evidence_refusal(assessment: Assessment, score_id: int, now: datetime.datetime | None = None) -> str | None:
    """The one rule for evidence added after submission: on a leaf the reviewers asked about, while the
    sheet is returned for explanation and the explanation deadline has not passed."""
    reason = answering_refusal(assessment, now)
    if reason is not None:
        return reason
    if not _asked(score_id):
        return _("Tiêu chí này không có yêu cầu giải trình nên không bổ sung tài liệu được.")
    return None


def explanation_evidence_lock(score: Score) -> Assessment:
    """The lock evidence.services takes for evidence given with an explanation (see evidence_refusal)."""
    assessment = lock_assessment(score.assessment_id)
    reason = evidence_refusal(assessment, score.pk)
    if reason is not None:
        raise WorkflowError(reason, code="workflow")
    return assessment


def _check(reason: str | None, error: type[Exception] = WorkflowError) -> None:
    if reason is not None:
        raise (WorkflowError(reason, code="workflow") if error is WorkflowError else error(reason))


# ---- services ---------------------------------------------------------------------------------------------


@transaction.atomic
def return_for_explanation(*, period: Period, user: User, note: str = "") -> int:
    """Return every sheet under appraisal that has a round-1 request; how many were returned.

    Refused when the period has no explanation deadline or it has passed, or when no sheet has a request.
    Sheets without a request stay in round 1: their reviewers appraise them to the end.
    """
    period = Period.objects.select_for_update().get(pk=period.pk)
    _check(return_refusal(period), ValidationError)
    asked = ExplanationRequest.objects.filter(round=1, assessment__period=period).values("assessment_id")
    sheets = list(
        period.assessments.filter(state=S.UNDER_APPRAISAL, pk__in=asked)
        .select_related("period", "agency")
        .order_by("pk")
    )
    if not sheets:
        raise ValidationError(_("Không có bản đánh giá nào đang thẩm định có yêu cầu giải trình để trả lại."))
    note = note.strip() or _("Trả lại để giải trình, hạn %(deadline)s.") % {
        "deadline": f"{timezone.localtime(period.explanation_deadline):%d/%m/%Y %H:%M}"
    }
    for assessment in sheets:
        assessment_transition(assessment, TransitionAction.RETURN, user, note)
        notify_returned(assessment)
    return len(sheets)


def _clean_text(text: str, empty: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError(empty)
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Nội dung dài %(n)s ký tự; tối đa %(max)s ký tự.")
            % {"n": number_text(len(text)), "max": number_text(NOTE_MAX_LENGTH)}
        )
    return text


@transaction.atomic
def explanation_answer(*, request: ExplanationRequest, text: str, user: User) -> ExplanationAnswer:
    """Append the agency's answer to one request (answering again replaces it as the newest)."""
    assessment = lock_assessment(request.assessment_id)
    _check(member_refusal(assessment, roles_of(user)), PermissionDenied)
    _check(answering_refusal(assessment))
    if request.round != 1:
        raise ValidationError(_("Chỉ giải trình các yêu cầu của vòng thẩm định 1."))
    text = _clean_text(text, _("Ghi nội dung giải trình."))
    return ExplanationAnswer.objects.create(
        request=request, assessment=assessment, text=text, answered_by=user, answered_at=timezone.now()
    )


@transaction.atomic
def explanation_send(*, assessment: Assessment, user: User) -> None:
    """The head sends the explanation (returned → explained): every request must have an answer."""
    locked = lock_assessment(assessment.pk)
    _check(member_refusal(locked, roles_of(user), send=True), PermissionDenied)
    _check(answering_refusal(locked))
    unanswered = list(
        ExplanationRequest.objects.filter(assessment=locked, round=1, answers__isnull=True)
        .order_by("score__node__position")
        .values_list("score__node__code", flat=True)
        .distinct()
    )
    if unanswered:
        raise WorkflowError(
            ngettext(
                "Còn %(n)s tiêu chí chưa giải trình: %(codes)s.",
                "Còn %(n)s tiêu chí chưa giải trình: %(codes)s.",
                len(unanswered),
            )
            % {"n": len(unanswered), "codes": ", ".join(unanswered)},
            code="workflow",
        )
    assessment_transition(assessment, TransitionAction.EXPLAIN, user)
    notify_explained(assessment)


# ---- selectors --------------------------------------------------------------------------------------------


@dataclass
class AskedRequest:
    request: ExplanationRequest
    answers: list[ExplanationAnswer] = field(default_factory=list)

    @property
    def answer(self) -> ExplanationAnswer | None:
        return self.answers[-1] if self.answers else None


@dataclass
class ExplanationLeaf:
    score: Score
    node: Node
    entry: AppraisalEntry | None  # the round-1 appraisal in force (newest of round 1)
    requests: list[AskedRequest] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return all(r.answer is not None for r in self.requests)


@dataclass
class ExplanationSheet:
    leaves: list[ExplanationLeaf]

    @property
    def asked(self) -> list[ExplanationLeaf]:
        return [leaf for leaf in self.leaves if leaf.requests]

    @property
    def unanswered(self) -> int:
        return sum(1 for leaf in self.asked for r in leaf.requests if r.answer is None)


def explanation_sheet(assessment: Assessment) -> ExplanationSheet:
    """Round 1 of a sheet as the agency answers it: 5 queries (leaves, round-1 entries, requests, answers,
    evidence of the asked leaves), whatever the size of the sheet."""
    scores = list(
        Score.objects.filter(assessment=assessment, node__is_survey=False)
        .select_related("node")
        .order_by("node__position")
    )
    entries: dict[int, AppraisalEntry] = {}
    for entry in AppraisalEntry.objects.filter(assessment=assessment, round=1).order_by("at", "pk"):
        entries[entry.score_id] = entry  # the newest wins
    requests: dict[int, list[AskedRequest]] = defaultdict(list)
    by_pk: dict[int, AskedRequest] = {}
    for request in ExplanationRequest.objects.filter(assessment=assessment, round=1).order_by("requested_at", "pk"):
        asked = AskedRequest(request)
        requests[request.score_id].append(asked)
        by_pk[request.pk] = asked
    for answer in ExplanationAnswer.objects.filter(assessment=assessment).select_related("answered_by"):
        if answer.request_id in by_pk:
            by_pk[answer.request_id].answers.append(answer)
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    if requests:
        for link in (
            EvidenceLink.objects.filter(score_id__in=list(requests))
            .select_related("evidence")
            .order_by("evidence__uploaded_at", "evidence_id")
        ):
            evidence[link.score_id].append(link.evidence)
    return ExplanationSheet(
        [ExplanationLeaf(s, s.node, entries.get(s.pk), requests.get(s.pk, []), evidence.get(s.pk, [])) for s in scores]
    )


# ---- the period -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodExplanationRow:
    assessment: Assessment
    requests: int
    answered: int


def period_explanations(period: Period) -> list[PeriodExplanationRow]:
    """Per agency of the period: round-1 requests and how many have an answer. Two queries: the sheets
    with their agencies, and both counts grouped by sheet."""
    counts: dict[int, tuple[int, int]] = {
        sheet_id: (n, answered)
        for sheet_id, n, answered in ExplanationRequest.objects.filter(assessment__period=period, round=1)
        .values("assessment_id")
        .annotate(n=Count("pk", distinct=True), answered=Count("pk", filter=Q(answers__isnull=False), distinct=True))
        .values_list("assessment_id", "n", "answered")
        .order_by()
    }
    rows = []
    for assessment in period.assessments.select_related("agency").order_by("agency__name"):
        n, answered = counts.get(assessment.pk, (0, 0))
        rows.append(PeriodExplanationRow(assessment, n, answered))
    return rows


# ---- the history of one leaf ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeafEvent:
    at: datetime.datetime
    kind: str  # self | appraisal | request | answer
    who: User | None
    text: str = ""
    points: Decimal | None = None
    round: int | None = None
    label: str = ""
    fields: list[FieldChange] = field(default_factory=list)


def leaf_history(score: Score, *, with_round_one: bool) -> list[LeafEvent]:
    """Every step of one leaf in time order: the agency's changes, appraisal entries of both rounds,
    requests and answers. Without ``with_round_one`` (the agency before its return) the council's part is
    left out. 4 queries: changes, entries, requests, answers (each with its author)."""
    events = [
        LeafEvent(c.changed_at, "self", c.changed_by, fields=HistoryEntry(c.changed_at, change=c).fields)
        for c in ScoreChange.objects.filter(score=score).select_related("changed_by").order_by("changed_at", "pk")
    ]
    if with_round_one:
        events += [
            LeafEvent(e.at, "appraisal", e.reviewer, e.comment, e.points, e.round)
            for e in AppraisalEntry.objects.filter(score=score).select_related("reviewer")
        ]
        events += [
            LeafEvent(r.requested_at, "request", r.requested_by, r.text, round=r.round, label=r.get_kind_display())
            for r in ExplanationRequest.objects.filter(score=score).select_related("requested_by")
        ]
        events += [
            LeafEvent(a.answered_at, "answer", a.answered_by, a.text)
            for a in ExplanationAnswer.objects.filter(request__score=score).select_related("answered_by")
        ]
    events.sort(key=lambda e: e.at)
    return events

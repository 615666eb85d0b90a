"""When an assessment may move: the one transition table of the workflow in DESIGN.md, and the state and
deadline rules for writing on a sheet.

Permissions (``assessments.permissions``) decide *who* may act and call :func:`state_refusal` only to
show or hide a button early. The services decide *when*: they lock the assessment row, call the same
function on what is stored at that moment, and only then write, so two requests at once never both
pass a check that only one may pass.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Assessment, AssessmentState, PeriodState, TransitionAction

S = AssessmentState


class WorkflowError(ValidationError):
    """A transition or a write that the assessment's state or deadline does not allow now."""


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str | None  # None: the state stays as it is (mark ready, extension)
    # The period must be taking self-assessments (open) and the agency's deadline not passed.
    within_self_assessment: bool = False


def _step(sources: set[str], target: str | None, *, within_self_assessment: bool = False) -> Step:
    return Step(frozenset(sources), target, within_self_assessment)


# draft → submitted → under appraisal → returned → explained → appraised → published, plus mark-ready,
# recall and extension. Appraisal's steps are listed now so that its services (a later app) move
# assessments only through this table.
TRANSITIONS: dict[str, Step] = {
    TransitionAction.MARK_READY: _step({S.DRAFT}, None, within_self_assessment=True),
    TransitionAction.UNMARK_READY: _step({S.DRAFT}, None, within_self_assessment=True),
    TransitionAction.SUBMIT: _step({S.DRAFT}, S.SUBMITTED, within_self_assessment=True),
    TransitionAction.RECALL: _step({S.SUBMITTED}, S.DRAFT, within_self_assessment=True),
    TransitionAction.EXTEND: _step({S.DRAFT, S.SUBMITTED}, None),
    # A sheet never submitted is appraised as it stands once the period moves on (locked since its deadline).
    TransitionAction.START_APPRAISAL: _step({S.DRAFT, S.SUBMITTED}, S.UNDER_APPRAISAL),
    TransitionAction.RETURN: _step({S.UNDER_APPRAISAL}, S.RETURNED),
    TransitionAction.EXPLAIN: _step({S.RETURNED}, S.EXPLAINED),
    # RETURNED too: an agency that lets the explanation deadline pass without answering is finalised as is.
    TransitionAction.FINALISE: _step({S.UNDER_APPRAISAL, S.RETURNED, S.EXPLAINED}, S.APPRAISED),
    TransitionAction.PUBLISH: _step({S.APPRAISED}, S.PUBLISHED),
    TransitionAction.UNPUBLISH: _step({S.PUBLISHED}, S.APPRAISED),
}

# Scores, notes and evidence are written under the same rule as marking ready: a draft, in time.
EDIT = TransitionAction.MARK_READY

# From its return for explanation on, the agency reads round 1 of its appraisal (points, comments,
# requests); before, nothing of it (appraisal.explaining.sees_round_one).
RETURNED_OR_LATER = frozenset({S.RETURNED, S.EXPLAINED, S.APPRAISED, S.PUBLISHED})


def is_past_deadline(assessment: Assessment, now: datetime.datetime | None = None) -> bool:
    deadline = assessment.self_assessment_deadline
    return deadline is not None and (now or timezone.now()) > deadline


def is_locked(assessment: Assessment, now: datetime.datetime | None = None) -> bool:
    """Past its (possibly extended) self-assessment deadline, or the period is not taking self-assessments."""
    return assessment.period.state != PeriodState.OPEN or is_past_deadline(assessment, now)


def state_refusal(assessment: Assessment, action: str, now: datetime.datetime | None = None) -> str | None:
    """Why ``action`` cannot happen to the assessment as it is now (None: it can). Says nothing of who acts."""
    step = TRANSITIONS[action]
    if action == TransitionAction.EXTEND:
        if assessment.period.state != PeriodState.OPEN:
            return _("Chỉ gia hạn được khi kỳ đánh giá đang tự đánh giá.")
        if assessment.state not in step.sources:
            return _("Bản tự đánh giá đã vào thẩm định nên không còn gia hạn tự đánh giá.")
        return None
    if action == TransitionAction.RECALL:
        if assessment.state not in step.sources:
            return _("Chỉ rút lại được bản đã gửi và chưa được thẩm định.")
        if is_locked(assessment, now):
            return _("Đã quá hạn tự đánh giá nên không thể rút lại; liên hệ Sở Nội vụ.")
        return None
    if step.within_self_assessment:
        if assessment.state != AssessmentState.DRAFT:
            return _("Bản tự đánh giá đã gửi nên chỉ xem được; lãnh đạo đơn vị có thể rút lại trước hạn.")
        if is_locked(assessment, now):
            return _("Đã quá hạn tự đánh giá nên bản tự đánh giá bị khóa; liên hệ Sở Nội vụ để được gia hạn.")
        return None
    if assessment.state not in step.sources:
        return _("Không thể «%(action)s» khi bản đánh giá đang ở trạng thái «%(state)s».") % {
            "action": TransitionAction(action).label,
            "state": AssessmentState(assessment.state).label,
        }
    return None


def lock_assessment(pk: int) -> Assessment:
    """The assessment row, locked until the surrounding transaction ends, with its period and agency.

    PostgreSQL holds the row (``FOR UPDATE OF`` the assessment only, so readers of the period are not
    blocked); SQLite takes the database's write lock when the transaction begins (settings open every
    transaction IMMEDIATE), so what is read here cannot change before the write commits on either.
    """
    locked: QuerySet[Assessment] = Assessment.objects.select_for_update(of=("self",)).select_related("period", "agency")
    return locked.get(pk=pk)


def check(assessment: Assessment, action: str) -> None:
    """Raise WorkflowError with the reason when ``action`` cannot happen now."""
    reason = state_refusal(assessment, action)
    if reason is not None:
        raise WorkflowError(reason, code="workflow")

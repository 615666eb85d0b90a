"""Who may see and do what with an assessment: the one place these rules live.

Not visible → 404 (an agency does not learn that another agency's sheet exists); visible but the
action is not allowed → 403 with the reason.

Who reads what: administrators and leadership read every sheet of every period, drafts included (the
progress page links them all); reviewers read what has been submitted; agency staff their own agency's.
Reading never grants acting: only the agency's own staff write on a sheet, only the administrator extends.
"""

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from organisations.roles import UserRoles, roles_of

from .models import Assessment, AssessmentState, TransitionAction
from .workflow import EDIT, state_refusal


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # scores, notes, evidence
    MARK_READY = "mark_ready"
    SUBMIT = "submit"
    RECALL = "recall"
    EXTEND = "extend"


def reads_every_sheet(roles: UserRoles) -> bool:
    """Administrators (Sở Nội vụ) and provincial leadership read any sheet, drafts included, read-only for
    leadership: following the self-assessment means opening the sheets still being filled in."""
    return roles.is_admin or roles.is_leadership


def follows_progress(roles: UserRoles) -> bool:
    """Province-wide roles see the periods and every agency's progress (each row opens only what they read)."""
    return roles.sees_all_submitted


def visible_assessments(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assessment]:
    """Assessments the user may read: their agency's always; any for administrators and leadership; every
    submitted one for reviewers."""
    roles = roles_of(user)
    qs = Assessment.objects.all()
    if reads_every_sheet(roles):
        return qs
    if roles.sees_all_submitted:
        return qs.filter(Q(agency_id__in=roles.agency_ids) | ~Q(state=AssessmentState.DRAFT))
    return qs.filter(agency_id__in=roles.agency_ids)


# The workflow step each action is checked against (the state and deadline part lives in workflow.py).
_STEP = {
    Action.EDIT: EDIT,
    Action.MARK_READY: TransitionAction.MARK_READY,
    Action.SUBMIT: TransitionAction.SUBMIT,
    Action.RECALL: TransitionAction.RECALL,
    Action.EXTEND: TransitionAction.EXTEND,
}


def refusal(assessment: Assessment, roles: UserRoles, action: Action) -> str | None:
    """Why ``action`` is refused, or None when it is allowed. Assumes the assessment is visible.

    Who may act is decided here; whether the assessment's state and deadline allow it now comes from
    the workflow, which the services check again under a lock when they write.
    """
    if action == Action.VIEW:
        return None
    if action == Action.EXTEND:
        if not roles.is_admin:
            return _("Chỉ quản trị (Sở Nội vụ) được gia hạn.")
    elif assessment.agency_id not in roles.agency_ids:
        return _("Chỉ cán bộ của đơn vị được thao tác trên bản tự đánh giá này.")
    elif action == Action.RECALL and assessment.agency_id not in roles.head_of:
        return _("Chỉ lãnh đạo đơn vị được rút lại bản đã gửi.")
    when = state_refusal(assessment, _STEP[action])
    if when is not None:
        return when
    if action == Action.SUBMIT and assessment.agency_id not in roles.head_of:
        return _("Chỉ lãnh đạo đơn vị được gửi bản tự đánh giá.")
    return None


def get_assessment_for_user(user: AbstractBaseUser | AnonymousUser, pk: int, action: Action) -> Assessment:
    """The assessment with its period, agency and set, or 404 (not visible) / 403 (action refused)."""
    try:
        assessment = visible_assessments(user).select_related("period", "agency", "index_set").get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404(_("Không tìm thấy bản tự đánh giá.")) from None
    reason = refusal(assessment, roles_of(user), action)
    if reason is not None:
        raise PermissionDenied(reason)
    return assessment


def can(user: AbstractBaseUser | AnonymousUser, assessment: Assessment, action: Action) -> bool:
    return refusal(assessment, roles_of(user), action) is None

"""Who may see and do what with an assessment: the one place these rules live.

Not visible → 404 (an agency does not learn that another agency's sheet exists); visible but the
action is not allowed → 403 with the reason.
"""

import datetime
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.roles import UserRoles, roles_of

from .models import Assessment, AssessmentState, PeriodState


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # scores, notes, evidence
    MARK_READY = "mark_ready"
    SUBMIT = "submit"
    RECALL = "recall"
    EXTEND = "extend"


def visible_assessments(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Assessment]:
    """Assessments the user may read: their agency's always; every submitted one for province-wide roles."""
    roles = roles_of(user)
    qs = Assessment.objects.all()
    if roles.is_admin:
        return qs
    if roles.sees_all_submitted:
        return qs.filter(Q(agency_id__in=roles.agency_ids) | ~Q(state=AssessmentState.DRAFT))
    return qs.filter(agency_id__in=roles.agency_ids)


def is_locked(assessment: Assessment, now: datetime.datetime | None = None) -> bool:
    """Past its (possibly extended) self-assessment deadline, or the period is not taking self-assessments."""
    if assessment.period.state != PeriodState.OPEN:
        return True
    deadline = assessment.self_assessment_deadline
    return deadline is not None and (now or timezone.now()) > deadline


def refusal(assessment: Assessment, roles: UserRoles, action: Action) -> str | None:
    """Why ``action`` is refused, or None when it is allowed. Assumes the assessment is visible."""
    member = assessment.agency_id in roles.agency_ids
    head = assessment.agency_id in roles.head_of
    if action == Action.VIEW:
        return None
    if action == Action.EXTEND:
        return None if roles.is_admin else _("Chỉ quản trị (Sở Nội vụ) được gia hạn.")
    if not member:
        return _("Chỉ cán bộ của đơn vị được thao tác trên bản tự đánh giá này.")
    if action == Action.RECALL:
        if not head:
            return _("Chỉ lãnh đạo đơn vị được rút lại bản đã gửi.")
        if assessment.state != AssessmentState.SUBMITTED:
            return _("Chỉ rút lại được bản đã gửi và chưa được thẩm định.")
        if is_locked(assessment):
            return _("Đã quá hạn tự đánh giá nên không thể rút lại; liên hệ Sở Nội vụ.")
        return None
    if assessment.state != AssessmentState.DRAFT:
        return _("Bản tự đánh giá đã gửi nên chỉ xem được; lãnh đạo đơn vị có thể rút lại trước hạn.")
    if is_locked(assessment):
        return _("Đã quá hạn tự đánh giá nên bản tự đánh giá bị khóa; liên hệ Sở Nội vụ để được gia hạn.")
    if action == Action.SUBMIT and not head:
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

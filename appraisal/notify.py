"""Notices of the explanation round: the agency is told its sheet was returned, the council that it answered.

The services that return a sheet and send an explanation call these after their transition, inside their
transaction (the e-mails leave only if it commits). Each notice is keyed by that transition, so a retry
tells nobody twice while a later return of the same sheet (after an unpublication, say) tells them again.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Assessment, Transition, TransitionAction
from organisations.models import Role
from organisations.notices import administrators, agency_people, notify

from .models import ExplanationRequest, ReviewAssignment


def _transition_key(assessment: Assessment, action: TransitionAction) -> str:
    last = (
        Transition.objects.filter(assessment_id=assessment.pk, action=action)
        .order_by("-at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return f"{action.value}:{assessment.pk}:{last or ''}"


def _when(value: object) -> str:
    return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if value else _("(chưa đặt)")  # type: ignore[arg-type]


def notify_returned(assessment: Assessment) -> int:
    """The agency's officers and head: their sheet is back with the council's requests, and until when."""
    requests = ExplanationRequest.objects.filter(assessment_id=assessment.pk).count()
    with translation.override(settings.LANGUAGE_CODE):
        return notify(
            users=agency_people(assessment.agency_id),
            key=_transition_key(assessment, TransitionAction.RETURN),
            subject=_("Yêu cầu giải trình: %(period)s") % {"period": assessment.period.name},
            body=_(
                "Tổ thẩm định đã trả bản đánh giá của %(agency)s kèm %(count)s yêu cầu giải trình, bổ sung "
                "tài liệu. Hạn giải trình: %(deadline)s."
            )
            % {
                "agency": assessment.agency.name,
                "count": requests,
                "deadline": _when(assessment.period.explanation_deadline),
            },
            url=reverse("appraisal:answer", args=[assessment.pk]),
        )


def period_reviewers(assessment: Assessment) -> QuerySet:
    """The reviewers assigned in the sheet's period, in person or through their lead agency's team, less any
    who belong to the sheet's own agency (they never appraise it)."""
    rows = ReviewAssignment.objects.filter(period_id=assessment.period_id)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(pk__in=rows.filter(reviewer__isnull=False).values("reviewer"))
            | Q(
                role_assignments__role=Role.REVIEWER,
                role_assignments__agency__in=rows.filter(team__isnull=False).values("team"),
            )
        )
        .exclude(role_assignments__agency_id=assessment.agency_id)
        .distinct()
    )


def notify_explained(assessment: Assessment) -> int:
    """Sở Nội vụ's administrators and the period's reviewers: the agency has answered, round 2 can start."""
    users = {user.pk: user for user in administrators()}
    users.update({user.pk: user for user in period_reviewers(assessment)})
    with translation.override(settings.LANGUAGE_CODE):
        return notify(
            users=users.values(),
            key=_transition_key(assessment, TransitionAction.EXPLAIN),
            subject=_("%(agency)s đã gửi giải trình") % {"agency": assessment.agency.name},
            body=_("%(agency)s đã gửi giải trình cho «%(period)s»; có thể thẩm định vòng 2.")
            % {"agency": assessment.agency.name, "period": assessment.period.name},
            url=reverse("assessments:sheet", args=[assessment.pk]),
        )

"""Deadline reminders, sent by the daily ``send_reminders`` command.

A sheet still in draft while its period is open reminds its agency's officers and head 7, 3 and 1 days
before its own self-assessment deadline (an extension counts); a sheet returned for explanation reminds
them 3 and 1 days before the period's explanation deadline.

"N days before" means the deadline falls within (now + N − 1 days, now + N days]: one daily run finds each
deadline in at most one window, a second run the same day finds the same notices already there (their
key holds the deadline's date and N), and a missed day only loses that day's reminder, the next smaller
one still comes. A moved deadline has another date in its keys, so its reminders come again.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.models import Assessment, AssessmentState, PeriodState
from organisations.models import AGENCY_ROLES, RoleAssignment
from organisations.notices import notify

SELF_ASSESSMENT_DAYS = (7, 3, 1)
EXPLANATION_DAYS = (3, 1)
DAY = datetime.timedelta(days=1)


def days_before(deadline: datetime.datetime | None, now: datetime.datetime, days: Sequence[int]) -> int | None:
    """The N of ``days`` whose window (now + N − 1 days, now + N days] holds the deadline, if any."""
    if deadline is None:
        return None
    for n in days:
        if now + (n - 1) * DAY < deadline <= now + n * DAY:
            return n
    return None


@dataclass(frozen=True)
class Due:
    assessment: Assessment
    kind: str  # "deadline" (self-assessment) or "explanation"
    deadline: datetime.datetime
    days: int


def due_reminders(now: datetime.datetime) -> list[Due]:
    """Every reminder due at ``now``: two queries (drafts of open periods, returned sheets in appraisal)."""
    due = []
    drafts = Assessment.objects.filter(period__state=PeriodState.OPEN, state=AssessmentState.DRAFT)
    for assessment in drafts.select_related("period", "agency").order_by("pk"):
        deadline = assessment.self_assessment_deadline
        n = days_before(deadline, now, SELF_ASSESSMENT_DAYS)
        if n is not None and deadline is not None:
            due.append(Due(assessment, "deadline", deadline, n))
    returned = Assessment.objects.filter(period__state=PeriodState.APPRAISAL, state=AssessmentState.RETURNED)
    for assessment in returned.select_related("period", "agency").order_by("pk"):
        deadline = assessment.period.explanation_deadline
        n = days_before(deadline, now, EXPLANATION_DAYS)
        if n is not None and deadline is not None:
            due.append(Due(assessment, "explanation", deadline, n))
    return due


def _people_by_agency(agency_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active officers and heads of these agencies, in one query."""
    people: dict[int, dict[int, User]] = {}
    for role in RoleAssignment.objects.filter(
        agency_id__in=set(agency_ids), role__in=AGENCY_ROLES, user__is_active=True
    ).select_related("user"):
        assert role.agency_id is not None  # officers and heads always name their agency
        people.setdefault(role.agency_id, {})[role.user_id] = role.user
    return {agency: list(users.values()) for agency, users in people.items()}


def _texts(item: Due) -> tuple[str, str]:
    a, n = item.assessment, item.days
    values = {
        "agency": a.agency.name,
        "period": a.period.name,
        "deadline": f"{timezone.localtime(item.deadline):%d/%m/%Y %H:%M}",
        "n": n,
    }
    if item.kind == "deadline":
        subject = ngettext("Còn %(n)s ngày đến hạn tự đánh giá", "Còn %(n)s ngày đến hạn tự đánh giá", n) % values
        body = (
            _(
                "Hạn tự đánh giá của %(agency)s trong «%(period)s» là %(deadline)s. Bản tự đánh giá chưa được gửi: "
                "hãy hoàn thành và để lãnh đạo đơn vị gửi trước hạn; quá hạn, bản tự đánh giá bị khóa."
            )
            % values
        )
    else:
        subject = ngettext("Còn %(n)s ngày đến hạn giải trình", "Còn %(n)s ngày đến hạn giải trình", n) % values
        body = (
            _(
                "Hạn giải trình của %(agency)s trong «%(period)s» là %(deadline)s. Đơn vị chưa gửi giải trình; "
                "quá hạn, tổ thẩm định chấm vòng 2 theo hồ sơ hiện có."
            )
            % values
        )
    return subject, body


def send_reminders(*, now: datetime.datetime) -> int:
    """Give every reminder due at ``now`` to the agencies' officers and heads; return how many notices are new."""
    due = due_reminders(now)
    people = _people_by_agency(item.assessment.agency_id for item in due)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for item in due:
            subject, body = _texts(item)
            sent += notify(
                users=people.get(item.assessment.agency_id, []),
                key=f"{item.kind}:{item.assessment.pk}:{timezone.localdate(item.deadline).isoformat()}:{item.days}",
                subject=subject,
                body=body,
                url=reverse("assessments:sheet", args=[item.assessment.pk]),
            )
    return sent

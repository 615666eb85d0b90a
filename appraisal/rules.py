"""When the council may write: the period and sheet states each appraisal write depends on.

Services call these on rows they have locked (``lock_assessment``), so the answer cannot change before
their write commits. Pages call them only to show or hide a control early.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, AssessmentState, Period, PeriodState

S = AssessmentState


def explanation_deadline_passed(period: Period, now: datetime.datetime | None = None) -> bool:
    deadline = period.explanation_deadline
    return deadline is not None and (now or timezone.now()) > deadline


def council_refusal(period: Period) -> str | None:
    """Any write of the council (appraisal, survey, bonus and penalty) needs the period in appraisal."""
    if period.state in (PeriodState.FINALISED, PeriodState.PUBLISHED):
        return _("Kết quả của kỳ đã chốt nên không thể thay đổi.")
    if period.state != PeriodState.APPRAISAL:
        return _("Kỳ đánh giá chưa vào giai đoạn thẩm định.")
    return None


def current_round(assessment: Assessment, now: datetime.datetime | None = None) -> int | None:
    """The round an appraisal of this sheet belongs to now, or None when nobody may appraise it.

    Round 1 while the sheet is under appraisal; round 2 once the agency has explained, or once the
    explanation deadline has passed without an answer. While the agency is answering, reviewers wait.
    """
    if council_refusal(assessment.period) is not None:
        return None
    if assessment.state == S.UNDER_APPRAISAL:
        return 1
    if assessment.state == S.EXPLAINED:
        return 2
    if assessment.state == S.RETURNED and explanation_deadline_passed(assessment.period, now):
        return 2
    return None


def round_refusal(assessment: Assessment, now: datetime.datetime | None = None) -> str | None:
    reason = council_refusal(assessment.period)
    if reason is not None:
        return reason
    if current_round(assessment, now) is not None:
        return None
    if assessment.state == S.RETURNED:
        return _("Đơn vị đang giải trình; thẩm định vòng 2 sau khi đơn vị gửi giải trình hoặc hết hạn giải trình.")
    return _("Bản đánh giá đang ở trạng thái «%(state)s» nên không thẩm định được.") % {
        "state": AssessmentState(assessment.state).label
    }

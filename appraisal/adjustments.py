"""Bonus and penalty points (điểm thưởng, điểm trừ) per agency, within the period's caps.

An adjustment is added with its reason and document and withdrawn with a reason; it is never deleted or
changed otherwise. The caps hold the sum of an agency's active bonuses (and, apart, penalties): a cap of
0 allows none. Writes only while the period is in appraisal (``council_refusal``), under the sheet's lock.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from assessments.models import REASON_MAX_LENGTH, Assessment, Period
from assessments.workflow import WorkflowError, lock_assessment
from parindex.numbers import decimal_places, number_text

from .models import Adjustment, AdjustmentKind
from .rules import council_refusal
from .surveys import participants

DOCUMENT_MAX_LENGTH = 255


def cap_text(value: Decimal) -> str:
    """A cap as the refusal names it: «2,00»."""
    return number_format(value, decimal_pos=2, use_l10n=True)


def _check_open(assessment: Assessment) -> None:
    refusal = council_refusal(assessment.period)
    if refusal is not None:
        raise WorkflowError(refusal, code="workflow")


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Ghi lý do.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Lý do tối đa %(max)s ký tự.") % {"max": number_text(REASON_MAX_LENGTH)}})
    return reason


@transaction.atomic
def adjustment_add(
    *, assessment: Assessment, kind: str, points: Decimal, reason: str, user: User, document: str = ""
) -> Adjustment:
    """Add a bonus or penalty; refused when the agency's active ones of that kind would pass the cap."""
    assessment = lock_assessment(assessment.pk)
    _check_open(assessment)
    if kind not in AdjustmentKind.values:
        raise ValidationError({"kind": _("Chọn điểm thưởng hoặc điểm trừ.")})
    if points <= 0:
        raise ValidationError({"points": _("Số điểm phải lớn hơn 0.")})
    if decimal_places(points) > 2:
        raise ValidationError({"points": _("Số điểm có tối đa 2 chữ số thập phân.")})
    reason = _clean_reason(reason)
    document = document.strip()
    if len(document) > DOCUMENT_MAX_LENGTH:
        raise ValidationError({"document": _("Văn bản căn cứ tối đa %(max)s ký tự.") % {"max": DOCUMENT_MAX_LENGTH}})
    period = assessment.period
    is_bonus = kind == AdjustmentKind.BONUS
    cap = period.bonus_cap if is_bonus else period.penalty_cap
    active = Adjustment.objects.filter(assessment=assessment, kind=kind, withdrawn_at__isnull=True).aggregate(
        total=Sum("points")
    )["total"] or Decimal(0)
    if active + points > cap:
        message = (
            _("Không thêm được: vượt mức tối đa %(cap)s điểm thưởng của kỳ (đơn vị đang có %(active)s).")
            if is_bonus
            else _("Không thêm được: vượt mức tối đa %(cap)s điểm trừ của kỳ (đơn vị đang có %(active)s).")
        )
        raise ValidationError({"points": message % {"cap": cap_text(cap), "active": cap_text(active)}})
    row = Adjustment(
        assessment=assessment,
        kind=kind,
        points=points,
        reason=reason,
        document=document,
        created_by=user,
        created_at=timezone.now(),
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def adjustment_withdraw(*, adjustment: Adjustment, reason: str, user: User) -> Adjustment:
    """Withdraw an adjustment with a reason; it stays on record."""
    assessment = lock_assessment(adjustment.assessment_id)
    _check_open(assessment)
    row = Adjustment.objects.get(pk=adjustment.pk)
    if row.withdrawn_at is not None:
        raise ValidationError(_("Mục này đã được hủy trước đó."))
    row.withdrawn_reason = _clean_reason(reason)
    row.withdrawn_at = timezone.now()
    row.withdrawn_by = user
    row.save(update_fields=["withdrawn_reason", "withdrawn_at", "withdrawn_by"])
    return row


# ---- reads ------------------------------------------------------------------------------------------------


@dataclass
class AdjustmentRow:
    assessment: Assessment
    items: list[Adjustment] = field(default_factory=list)

    def _active(self, kind: str) -> Decimal:
        return sum((a.points for a in self.items if a.kind == kind and a.withdrawn_at is None), Decimal(0))

    @property
    def bonus(self) -> Decimal:
        return self._active(AdjustmentKind.BONUS)

    @property
    def penalty(self) -> Decimal:
        return self._active(AdjustmentKind.PENALTY)


def adjustment_rows(period: Period) -> list[AdjustmentRow]:
    """Every participant with its adjustments (withdrawn ones too), in two queries."""
    items = Adjustment.objects.select_related("created_by", "withdrawn_by").order_by("created_at", "pk")
    assessments = participants(period).prefetch_related(Prefetch("adjustments", queryset=items))
    return [AdjustmentRow(a, list(a.adjustments.all())) for a in assessments]

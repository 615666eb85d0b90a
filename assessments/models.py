"""Assessment periods, one assessment per agency and period, one score per leaf, and the evidence rows.

Evidence rows live here because the sheet's rules (what blocks submission, progress) read them; the
`evidence` app above holds the files: validation, private storage, upload and the checked download.
"""

import datetime
import itertools
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from criteria.models import IndexSet, Node
from organisations.models import Agency, AgencyKind
from parindex.appendonly import AppendOnlyModel


class PeriodState(models.TextChoices):
    SETUP = "setup", _("Đang thiết lập")
    OPEN = "open", _("Đang tự đánh giá")
    APPRAISAL = "appraisal", _("Đang thẩm định")
    FINALISED = "finalised", _("Đã chốt kết quả")
    PUBLISHED = "published", _("Đã công bố")


class Period(models.Model):
    """One year's run (kỳ đánh giá): index set per agency kind, participants, deadlines, bands."""

    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    name = models.CharField(_("tên kỳ đánh giá"), max_length=255)
    state = models.CharField(_("trạng thái"), max_length=20, choices=PeriodState.choices, default=PeriodState.SETUP)
    agencies = models.ManyToManyField(Agency, related_name="periods", blank=True, verbose_name=_("đơn vị tham gia"))
    self_assessment_deadline = models.DateTimeField(_("hạn tự đánh giá"), null=True, blank=True)
    explanation_deadline = models.DateTimeField(_("hạn giải trình"), null=True, blank=True)
    appraisal1_deadline = models.DateTimeField(_("hạn thẩm định vòng 1"), null=True, blank=True)
    appraisal2_deadline = models.DateTimeField(_("hạn thẩm định vòng 2"), null=True, blank=True)
    band_good_min = models.DecimalField(_("Tốt từ (%)"), max_digits=5, decimal_places=2, default=Decimal(80))
    band_fair_min = models.DecimalField(_("Khá từ (%)"), max_digits=5, decimal_places=2, default=Decimal(70))
    band_average_min = models.DecimalField(_("Trung bình từ (%)"), max_digits=5, decimal_places=2, default=Decimal(60))
    bonus_cap = models.DecimalField(_("điểm thưởng tối đa"), max_digits=5, decimal_places=2, default=Decimal(0))
    penalty_cap = models.DecimalField(_("điểm trừ tối đa"), max_digits=5, decimal_places=2, default=Decimal(0))
    # Seed 001: an agency whose TTHC or e-government domain is below 75 % of its max sends an accountability
    # report (báo cáo kiểm điểm). The threshold and the domains (codes of the set's first level) vary by year.
    warning_threshold = models.DecimalField(
        _("ngưỡng phải kiểm điểm (%)"), max_digits=5, decimal_places=2, default=Decimal(75)
    )
    warning_domains = models.CharField(
        _("lĩnh vực xét kiểm điểm"),
        max_length=100,
        blank=True,
        default="3, 7",
        help_text=_("Mã lĩnh vực, cách nhau bởi dấu phẩy (mặc định: 3 – thủ tục hành chính, 7 – chính quyền số)."),
    )
    opened_at = models.DateTimeField(_("mở lúc"), null=True, blank=True)
    appraisal_started_at = models.DateTimeField(_("bắt đầu thẩm định lúc"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("chốt kết quả lúc"), null=True, blank=True)
    public_ranking = models.BooleanField(
        _("công khai bảng xếp hạng"),
        default=False,
        help_text=_("Khi đã công bố, bảng xếp hạng của kỳ xem được không cần đăng nhập (chỉ bảng xếp hạng)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"],
                name="period_name_unique_per_year",
                violation_error_message=_("Năm này đã có một kỳ đánh giá cùng tên."),
            ),
            models.CheckConstraint(
                condition=Q(band_good_min__gt=F("band_fair_min"))
                & Q(band_fair_min__gt=F("band_average_min"))
                & Q(band_average_min__gte=0)
                & Q(band_good_min__lte=100),
                name="period_bands_in_order",
                violation_error_message=_("Ngưỡng xếp loại phải giảm dần trong 0–100: Tốt > Khá > Trung bình ≥ 0."),
            ),
            models.CheckConstraint(
                condition=Q(bonus_cap__gte=0) & Q(penalty_cap__gte=0),
                name="period_caps_not_negative",
                violation_error_message=_("Điểm thưởng và điểm trừ tối đa không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(warning_threshold__gte=0) & Q(warning_threshold__lte=100),
                name="period_warning_threshold_percent",
                violation_error_message=_("Ngưỡng phải kiểm điểm phải trong khoảng 0–100 %."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def warning_domain_codes(self) -> list[str]:
        """The domain codes of the accountability warning, as typed ("3, 7" → ["3", "7"])."""
        return domain_codes(self.warning_domains)

    # The workflow's order: self-assessment, appraisal round 1, explanation, round 2.
    DEADLINES = ("self_assessment_deadline", "appraisal1_deadline", "explanation_deadline", "appraisal2_deadline")

    def clean(self) -> None:
        if self.state != PeriodState.SETUP and self.self_assessment_deadline is None:
            # Sheets lock at this deadline; an open period without one would never lock.
            raise ValidationError({"self_assessment_deadline": _("Kỳ đã mở phải có hạn tự đánh giá.")})
        given = [(name, getattr(self, name)) for name in self.DEADLINES if getattr(self, name) is not None]
        for (earlier, first), (later, second) in itertools.pairwise(given):
            if second <= first:
                raise ValidationError(
                    {
                        later: _("%(later)s phải sau %(earlier)s.")
                        % {
                            "later": str(_verbose_name(later)).capitalize(),
                            "earlier": _verbose_name(earlier),
                        }
                    }
                )


def domain_codes(text: str) -> list[str]:
    """Domain codes typed as a list: "3, 7" or "3;7" → ["3", "7"]."""
    return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


def _verbose_name(name: str) -> str:
    field = Period._meta.get_field(name)
    assert isinstance(field, models.Field)  # the deadlines are concrete fields, not relations
    return str(field.verbose_name)


class PeriodIndexSet(models.Model):
    """Which (frozen) index set a period uses for one agency kind."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="index_sets", verbose_name=_("kỳ"))
    agency_kind = models.CharField(_("loại cơ quan"), max_length=20, choices=AgencyKind.choices)
    index_set = models.ForeignKey(IndexSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("bộ chỉ số"))

    class Meta:
        verbose_name = _("bộ chỉ số của kỳ")
        verbose_name_plural = _("bộ chỉ số của kỳ")
        constraints = [models.UniqueConstraint(fields=["period", "agency_kind"], name="period_one_set_per_kind")]

    def __str__(self) -> str:
        return f"{self.period} – {self.get_agency_kind_display()}: {self.index_set}"

    def clean(self) -> None:
        if self.index_set_id and self.index_set.agency_kind != self.agency_kind:
            raise ValidationError(
                {
                    "index_set": _("Bộ chỉ số này dành cho «%(kind)s».")
                    % {"kind": self.index_set.get_agency_kind_display()}
                }
            )


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Đang tự chấm")
    SUBMITTED = "submitted", _("Đã gửi")
    UNDER_APPRAISAL = "under_appraisal", _("Đang thẩm định")
    RETURNED = "returned", _("Yêu cầu giải trình")
    EXPLAINED = "explained", _("Đã giải trình")
    APPRAISED = "appraised", _("Đã thẩm định")
    PUBLISHED = "published", _("Đã công bố")


class Assessment(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("kỳ"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("đơn vị"))
    index_set = models.ForeignKey(IndexSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("bộ chỉ số"))
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    ready_at = models.DateTimeField(_("sẵn sàng trình lúc"), null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo sẵn sàng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    deadline_extended_to = models.DateTimeField(
        _("gia hạn tự đánh giá đến"),
        null=True,
        blank=True,
        help_text=_("Do quản trị đặt riêng cho đơn vị này; thay cho hạn chung của kỳ."),
    )

    class Meta:
        verbose_name = _("bản tự đánh giá")
        verbose_name_plural = _("bản tự đánh giá")
        ordering = ["period", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["period", "agency"], name="assessment_one_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency} – {self.period}"

    @property
    def self_assessment_deadline(self) -> datetime.datetime | None:
        return effective_deadline(self.period.self_assessment_deadline, self.deadline_extended_to)


def effective_deadline(
    common: datetime.datetime | None, extended_to: datetime.datetime | None
) -> datetime.datetime | None:
    """An agency's self-assessment deadline. An extension only ever gives more time: when the period's
    common deadline later moves past it, the common one applies; with no common deadline nobody locks."""
    if common is None or extended_to is None:
        return common
    return max(common, extended_to)


# Longest texts typed on a leaf (characters); the database holds the limit, the save refuses beyond it.
NOTE_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 2_000
SCORE_TEXT_LIMITS = {
    "note": NOTE_MAX_LENGTH,
    "not_applicable_reason": REASON_MAX_LENGTH,
}


def _points_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | (Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": F("max_points")}))


class Score(models.Model):
    """One leaf of one assessment through the whole workflow: self score, two appraisal rounds, explanation.

    ``max_points`` is copied from the (frozen) node so the database itself can hold 0 ≤ points ≤ max.
    ``version`` increases on every save: a save carrying an older version is refused (stale edit).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    # The node's domain (level-1 node), copied when the score is created: per-domain sums group on it.
    domain = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2)
    # Self-assessment: the inputs of the leaf's method, and the points they give.
    self_points = models.DecimalField(_("điểm tự chấm"), max_digits=7, decimal_places=2, null=True, blank=True)
    answer_yes = models.BooleanField(_("đạt"), null=True, blank=True)
    numerator = models.DecimalField(_("tử số"), max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=14, decimal_places=2, null=True, blank=True)
    event_count = models.PositiveIntegerField(_("số lần bị trừ"), null=True, blank=True)
    note = models.TextField(_("thuyết minh"), blank=True, max_length=NOTE_MAX_LENGTH)
    not_applicable = models.BooleanField(_("không áp dụng"), default=False)
    not_applicable_reason = models.TextField(_("lý do không áp dụng"), blank=True, max_length=REASON_MAX_LENGTH)
    # The current appraisal, kept in step with the last AppraisalEntry (appraisal app) by the service that
    # writes the entry, in the same transaction: the entries are the record, these two fields let the
    # ranking sum a domain in one grouped query instead of looking up the newest entry of every leaf.
    appraised_points = models.DecimalField(_("điểm thẩm định"), max_digits=7, decimal_places=2, null=True, blank=True)
    appraisal_round = models.PositiveSmallIntegerField(_("vòng thẩm định"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "node"], name="score_one_per_leaf"),
            models.CheckConstraint(condition=_points_in_range("self_points"), name="score_self_in_range"),
            models.CheckConstraint(condition=_points_in_range("appraised_points"), name="score_appraised_in_range"),
            models.CheckConstraint(
                condition=Q(appraised_points__isnull=True, appraisal_round__isnull=True)
                | Q(appraised_points__isnull=False, appraisal_round__in=(1, 2)),
                name="score_appraisal_round_with_points",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__gte=0), name="score_numerator_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0), name="score_denominator_positive"
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(denominator__isnull=True) | Q(numerator__lte=F("denominator")),
                name="score_ratio_at_most_one",
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | ~Q(not_applicable_reason=""), name="score_na_needs_reason"
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(self_points__isnull=True), name="score_na_has_no_points"
            ),
            *(
                models.CheckConstraint(condition=LessThanOrEqual(Length(name), limit), name=f"score_{name}_length")
                for name, limit in SCORE_TEXT_LIMITS.items()
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.node.code}"

    @property
    def final_points(self) -> Decimal | None:
        """The last appraisal given, else the self score (a leaf never appraised keeps the agency's points)."""
        return self.appraised_points if self.appraised_points is not None else self.self_points


class ScoreChange(AppendOnlyModel):
    """Every change of a score, who and when: ``changes`` maps field → [old, new] as strings.

    History: never changed, and never deleted with its score or its author (PROTECT), so a sheet with
    anything entered cannot be deleted and a person who changed points stays named.
    """

    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="changes")
    # The score's assessment, copied on insert (like Score.max_points from its node) so the history page
    # filters and orders one table by one index instead of joining every score of the sheet.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="+", db_index=False, editable=False
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    changes = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("lịch sử thay đổi điểm")
        verbose_name_plural = _("lịch sử thay đổi điểm")
        # The history page: a sheet's changes newest first.
        indexes = [models.Index(fields=["assessment", "-changed_at", "-id"], name="scorechange_history")]

    def __str__(self) -> str:
        return f"{self.score_id} @ {self.changed_at:%d/%m/%Y %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.assessment_id is None:
            self.assessment_id = self.score.assessment_id  # the score is at hand where a change is recorded
        super().save(*args, **kwargs)


class TransitionAction(models.TextChoices):
    MARK_READY = "mark_ready", _("Chuyên viên báo sẵn sàng trình")
    UNMARK_READY = "unmark_ready", _("Hủy báo sẵn sàng")
    SUBMIT = "submit", _("Lãnh đạo đơn vị gửi")
    RECALL = "recall", _("Lãnh đạo đơn vị rút lại")
    EXTEND = "extend", _("Quản trị gia hạn")
    START_APPRAISAL = "start_appraisal", _("Bắt đầu thẩm định")
    RETURN = "return", _("Trả lại để giải trình")
    EXPLAIN = "explain", _("Đơn vị gửi giải trình")
    FINALISE = "finalise", _("Chốt kết quả thẩm định")
    PUBLISH = "publish", _("Công bố")
    UNPUBLISH = "unpublish", _("Hủy công bố")


class Transition(AppendOnlyModel):
    """Every move of an assessment, who and when; history, like ScoreChange."""

    # No index of its own: ``transition_history`` starts with the assessment and serves its lookups.
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="transitions", db_index=False)
    action = models.CharField(_("thao tác"), max_length=20, choices=TransitionAction.choices)
    from_state = models.CharField(_("từ trạng thái"), max_length=20, choices=AssessmentState.choices)
    to_state = models.CharField(_("sang trạng thái"), max_length=20, choices=AssessmentState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"))
    note = models.TextField(_("ghi chú"), blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), REASON_MAX_LENGTH), name="transition_note_length"
            )
        ]
        # The history page: an assessment's transitions newest first.
        indexes = [models.Index(fields=["assessment", "-at", "-id"], name="transition_history")]
        verbose_name = _("lượt chuyển trạng thái")
        verbose_name_plural = _("lượt chuyển trạng thái")

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {self.at:%d/%m/%Y %H:%M}"


# ---- evidence (tài liệu kiểm chứng) ----------------------------------------------------------------------
# Files are stored under generated names in the default storage (private: no public URL is configured)
# and are served only by the permission-checked download view of the evidence app.


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # The user's file name is kept only in ``original_name``; on disk the name is generated, so no
    # path-like or hostile name ever reaches the file system.
    return f"evidence/{instance.assessment.period_id}/{instance.assessment_id}/{uuid.uuid4().hex}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("Tệp đính kèm")
    DOCUMENT = "document", _("Văn bản (số/ký hiệu)")


class Evidence(models.Model):
    # PROTECT: deleting an assessment must not drop the rows of files that stay on disk.
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("loại"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(_("tệp"), upload_to=evidence_upload_to, blank=True, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    doc_number = models.CharField(_("số/ký hiệu"), max_length=100, blank=True)
    doc_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    doc_issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    doc_summary = models.TextField(_("trích yếu"), blank=True, max_length=REASON_MAX_LENGTH)
    url = models.URLField(_("đường dẫn"), blank=True, max_length=500)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)
    scores = models.ManyToManyField(Score, through="EvidenceLink", related_name="evidence")

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(file="") & ~Q(sha256=""))
                | (Q(kind="document") & Q(file="") & (~Q(doc_number="") | ~Q(doc_summary=""))),
                name="evidence_file_or_document",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("doc_summary"), REASON_MAX_LENGTH), name="evidence_summary_length"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == EvidenceKind.FILE:
            return self.original_name
        return " – ".join(part for part in (self.doc_number, self.doc_summary[:80]) if part)


class EvidenceLink(models.Model):
    """One piece of evidence may serve several leaves of the same assessment."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence_links")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evidence", "score"], name="evidence_link_unique")]

    def __str__(self) -> str:
        return f"{self.evidence_id} → {self.score_id}"

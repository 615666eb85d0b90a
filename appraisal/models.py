"""The council's work on a period: who appraises what, the appraisal entries of each round, the
explanation requests and answers, survey points, bonus and penalty, and the results frozen at publication.

Everything that records a judgement is a row that is never changed (append-only): the current value is
the newest row. Where a sum over many rows must be one grouped query, the service that appends the row
also keeps a current value on the row it judges (Score.appraised_points, SurveyScore.points), in the
same transaction.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from assessments.models import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, Assessment, Period, Score
from criteria.models import Node
from organisations.models import Agency
from parindex.appendonly import AppendOnlyModel


def _bounded(field: str, limit: int, prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=f"{prefix}_{field}_length")


# ---- assignments ----------------------------------------------------------------------------------------


class ReviewAssignment(models.Model):
    """Who appraises a part of the tree in one period: a domain, a criterion or a single leaf.

    The deepest assignment above a leaf decides who appraises it, so an exception is simply a deeper row
    (seed 003: Văn phòng UBND takes domain 3 and 7 but 7.3.3 goes to Sở KH&CN). A row with ``for_agency``
    applies only to that agency's sheet and wins over a general row on the same node: it is how a
    reviewer's own agency gets another reviewer. The assignee is a person or a lead agency's team (every
    reviewer whose reviewer role names that agency).
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="review_assignments")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("lĩnh vực / tiêu chí"))
    for_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chỉ cho đơn vị"),
        help_text=_("Để trống: áp dụng cho mọi đơn vị."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_assignments",
        verbose_name=_("người thẩm định"),
    )
    team = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_teams",
        verbose_name=_("tổ thẩm định của cơ quan"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = _("phân công thẩm định")
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewer__isnull=False, team__isnull=True) | Q(reviewer__isnull=True, team__isnull=False),
                name="assignment_one_assignee",
                violation_error_message=_("Chọn một người thẩm định hoặc một tổ thẩm định."),
            ),
            models.UniqueConstraint(
                fields=["period", "node"],
                condition=Q(for_agency__isnull=True),
                name="assignment_one_per_node",
                violation_error_message=_("Mục này đã được phân công trong kỳ."),
            ),
            models.UniqueConstraint(
                fields=["period", "node", "for_agency"],
                condition=Q(for_agency__isnull=False),
                name="assignment_one_per_node_and_agency",
                violation_error_message=_("Mục này đã được phân công riêng cho đơn vị này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}: {self.node_id} → {self.reviewer_id or self.team_id}"


# ---- appraisal entries ----------------------------------------------------------------------------------


class AppraisalRound(models.IntegerChoices):
    FIRST = 1, _("Vòng 1")
    SECOND = 2, _("Vòng 2")


class AppraisalEntry(AppendOnlyModel):
    """One appraisal of one leaf: points and comment by a reviewer in a round. The newest entry is current."""

    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="appraisal_entries")
    # Copied from the score on insert, so a sheet's history and a period's counts read one table.
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+", db_index=False)
    round = models.PositiveSmallIntegerField(_("vòng"), choices=AppraisalRound.choices)
    points = models.DecimalField(_("điểm thẩm định"), max_digits=7, decimal_places=2)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2)
    accepted_self = models.BooleanField(_("giữ điểm tự chấm"), default=False)
    comment = models.TextField(_("ý kiến thẩm định"), blank=True, max_length=NOTE_MAX_LENGTH)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("lượt thẩm định")
        verbose_name_plural = _("lượt thẩm định")
        ordering = ["score", "at", "pk"]
        indexes = [
            models.Index(fields=["score", "at", "id"], name="appraisal_entry_history"),
            models.Index(fields=["assessment", "round"], name="appraisal_entry_by_sheet"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=F("max_points")), name="appraisal_entry_in_range"
            ),
            models.CheckConstraint(condition=Q(round__in=(1, 2)), name="appraisal_entry_round"),
            _bounded("comment", NOTE_MAX_LENGTH, "appraisal_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.score_id} v{self.round}: {self.points}"


class RequestKind(models.TextChoices):
    EXPLAIN = "explain", _("Yêu cầu giải trình")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung tài liệu")


class ExplanationRequest(AppendOnlyModel):
    """A reviewer's request on one leaf in round 1; the agency sees it only once its sheet is returned."""

    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="explanation_requests")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+", db_index=False)
    round = models.PositiveSmallIntegerField(_("vòng"), choices=AppraisalRound.choices, default=AppraisalRound.FIRST)
    kind = models.CharField(_("loại yêu cầu"), max_length=20, choices=RequestKind.choices)
    text = models.TextField(_("nội dung yêu cầu"), max_length=NOTE_MAX_LENGTH)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("yêu cầu giải trình")
        verbose_name_plural = _("yêu cầu giải trình")
        ordering = ["score", "requested_at", "pk"]
        indexes = [models.Index(fields=["assessment", "round"], name="explanation_request_by_sheet")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="explanation_request_has_text"),
            _bounded("text", NOTE_MAX_LENGTH, "explanation_request"),
        ]

    def __str__(self) -> str:
        return f"{self.score_id}: {self.get_kind_display()}"


class ExplanationAnswer(AppendOnlyModel):
    """The agency's answer to a request; it may answer again until it sends its explanation (newest counts)."""

    request = models.ForeignKey(ExplanationRequest, on_delete=models.PROTECT, related_name="answers")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+", db_index=False)
    text = models.TextField(_("nội dung giải trình"), max_length=NOTE_MAX_LENGTH)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("giải trình")
        verbose_name_plural = _("giải trình")
        ordering = ["request", "answered_at", "pk"]
        indexes = [models.Index(fields=["assessment", "answered_at"], name="explanation_answer_by_sheet")]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="explanation_answer_has_text"),
            _bounded("text", NOTE_MAX_LENGTH, "explanation_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} @ {self.answered_at:%d/%m/%Y %H:%M}"


# ---- survey, bonus and penalty --------------------------------------------------------------------------


class SurveyScore(models.Model):
    """Survey points (ĐTXHH, SIPAS) of one agency for one survey part of its set.

    A survey part is a child of the set's survey domain (8.1 ĐTXHH, 8.2 SIPAS), or the survey domain
    itself when it has no children. ``points`` is the current value; every value ever entered is a
    SurveyChange, written by the same service in the same transaction.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="survey_scores")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("phần điều tra"))
    points = models.DecimalField(_("điểm điều tra"), max_digits=7, decimal_places=2)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("điểm điều tra xã hội học")
        verbose_name_plural = _("điểm điều tra xã hội học")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "node"], name="survey_one_per_part"),
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=F("max_points")), name="survey_points_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.node_id}: {self.points}"


class SurveySource(models.TextChoices):
    MANUAL = "manual", _("Nhập tay")
    IMPORT = "import", _("Nhập từ Excel")


class SurveyChange(AppendOnlyModel):
    survey_score = models.ForeignKey(SurveyScore, on_delete=models.PROTECT, related_name="changes")
    old_points = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    new_points = models.DecimalField(max_digits=7, decimal_places=2)
    source = models.CharField(_("nguồn"), max_length=10, choices=SurveySource.choices)
    reason = models.TextField(_("lý do"), blank=True, max_length=REASON_MAX_LENGTH)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("lịch sử điểm điều tra")
        verbose_name_plural = _("lịch sử điểm điều tra")
        constraints = [_bounded("reason", REASON_MAX_LENGTH, "survey_change")]

    def __str__(self) -> str:
        return f"{self.survey_score_id}: {self.old_points} → {self.new_points}"


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("Điểm thưởng")
    PENALTY = "penalty", _("Điểm trừ")


class Adjustment(models.Model):
    """A bonus or penalty for one agency, with its reason and document. Withdrawn, never deleted."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(_("loại"), max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField(_("điểm"), max_digits=5, decimal_places=2)
    reason = models.TextField(_("lý do"), max_length=REASON_MAX_LENGTH)
    document = models.CharField(_("văn bản căn cứ"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(_("lý do hủy"), blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        verbose_name = _("điểm thưởng, điểm trừ")
        verbose_name_plural = _("điểm thưởng, điểm trừ")
        ordering = ["assessment", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="adjustment_points_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""), name="adjustment_withdrawal_reason"
            ),
            _bounded("reason", REASON_MAX_LENGTH, "adjustment"),
            _bounded("withdrawn_reason", REASON_MAX_LENGTH, "adjustment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"


# ---- ranking groups ------------------------------------------------------------------------------------


class RankingGroup(models.Model):
    """A ranking (khối xếp hạng) of a period: agencies ranked against each other, with their own bands if set.

    A period without groups ranks one group per agency kind with the period's bands; once the administrator
    sets groups, every sheet of the period belongs to exactly one (RankingMember), and bands left empty are
    the period's.
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="ranking_groups")
    name = models.CharField(_("tên khối"), max_length=200)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    band_good_min = models.DecimalField(_("Tốt từ (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    band_fair_min = models.DecimalField(_("Khá từ (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    band_average_min = models.DecimalField(
        _("Trung bình từ (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("khối xếp hạng")
        verbose_name_plural = _("khối xếp hạng")
        ordering = ["period", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["period", "name"], name="ranking_group_name_unique_per_period"),
            # Either the period's bands (all three empty) or a complete set of the group's own, in order.
            models.CheckConstraint(
                condition=(
                    Q(band_good_min__isnull=True, band_fair_min__isnull=True, band_average_min__isnull=True)
                    | (
                        Q(band_good_min__gt=F("band_fair_min"))
                        & Q(band_fair_min__gt=F("band_average_min"))
                        & Q(band_average_min__gte=0)
                        & Q(band_good_min__lte=100)
                    )
                ),
                name="ranking_group_bands_in_order",
                violation_error_message=_("Ngưỡng xếp loại phải giảm dần trong 0–100: Tốt > Khá > Trung bình ≥ 0."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RankingMember(models.Model):
    """The group a sheet is ranked in: one per sheet (the group must be of the sheet's period: groups.py)."""

    group = models.ForeignKey(RankingGroup, on_delete=models.CASCADE, related_name="members")
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="ranking_member")

    class Meta:
        verbose_name = _("thành viên khối xếp hạng")
        verbose_name_plural = _("thành viên khối xếp hạng")

    def __str__(self) -> str:
        return f"{self.group} · {self.assessment_id}"


# ---- publication ----------------------------------------------------------------------------------------


class Publication(models.Model):
    """One publication of a period's results; unpublishing closes it with a reason, a new one may follow."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="publications")
    published_at = models.DateTimeField(_("công bố lúc"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("quyết định công bố"), max_length=255, blank=True)
    unpublished_at = models.DateTimeField(_("hủy công bố lúc"), null=True, blank=True)
    unpublished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unpublish_reason = models.TextField(_("lý do hủy công bố"), blank=True, max_length=REASON_MAX_LENGTH)

    class Meta:
        verbose_name = _("lần công bố")
        verbose_name_plural = _("lần công bố")
        ordering = ["period", "-published_at"]
        constraints = [
            # At most one publication of a period is in force.
            models.UniqueConstraint(
                fields=["period"], condition=Q(unpublished_at__isnull=True), name="publication_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(unpublished_at__isnull=True) | ~Q(unpublish_reason=""), name="publication_unpublish_reason"
            ),
            _bounded("unpublish_reason", REASON_MAX_LENGTH, "publication"),
        ]

    def __str__(self) -> str:
        return f"{self.period} @ {self.published_at:%d/%m/%Y}"


class PublishedResult(AppendOnlyModel):
    """One agency's results as published: frozen, so later changes cannot move a published rank."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="results")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    agency_name = models.CharField(max_length=255)  # as it was named when published
    group = models.CharField(_("khối xếp hạng"), max_length=100)  # the group's key: an agency kind or "g<pk>"
    group_label = models.CharField(max_length=200, default="")  # its name when published
    group_position = models.PositiveSmallIntegerField(default=0)  # its place among the period's groups
    points = models.DecimalField(_("điểm thẩm định"), max_digits=9, decimal_places=2)
    applicable_max = models.DecimalField(_("điểm tối đa áp dụng"), max_digits=9, decimal_places=2)
    survey_points = models.DecimalField(_("điểm điều tra"), max_digits=9, decimal_places=2)
    survey_max = models.DecimalField(_("điểm điều tra tối đa"), max_digits=9, decimal_places=2)
    bonus = models.DecimalField(_("điểm thưởng"), max_digits=7, decimal_places=2, default=Decimal(0))
    penalty = models.DecimalField(_("điểm trừ"), max_digits=7, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(_("tổng điểm"), max_digits=9, decimal_places=2)
    # The exact index is what ranks; ``index`` is the two-decimal figure published.
    index_exact = models.DecimalField(max_digits=20, decimal_places=12)
    index = models.DecimalField(_("chỉ số (%)"), max_digits=6, decimal_places=2)
    band = models.CharField(_("xếp loại"), max_length=50)
    rank = models.PositiveIntegerField(_("xếp hạng"))
    rank_of = models.PositiveIntegerField()
    # [{"code", "title", "points", "max", "rank"}] per domain, in tree order.
    domains = models.JSONField(default=list)

    class Meta:
        verbose_name = _("kết quả đã công bố")
        verbose_name_plural = _("kết quả đã công bố")
        ordering = ["publication", "group", "rank", "agency_name"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "assessment"], name="published_result_one_per_sheet")
        ]

    def __str__(self) -> str:
        return f"{self.agency_name}: {self.index} ({self.rank}/{self.rank_of})"

"""The criteria set (Bộ chỉ số) and its tree: domains → criteria → sub-criteria, the leaves carrying points."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from organisations.models import AgencyKind

# Longest texts a node holds (characters). The Excel import refuses longer cells before saving anything.
TITLE_MAX_LENGTH = 2_000
TEXT_MAX_LENGTH = 10_000


class ScoringMethod(models.TextChoices):
    MANUAL = "manual", _("Nhập điểm")
    YES_NO = "yes_no", _("Có/Không")
    RATIO = "ratio", _("Tỷ lệ theo bậc")
    DEDUCTION = "deduction", _("Trừ điểm theo số lần")


class IndexSet(models.Model):
    name = models.CharField(_("tên bộ chỉ số"), max_length=255)
    agency_kind = models.CharField(_("loại cơ quan áp dụng"), max_length=20, choices=AgencyKind.choices)
    year_from = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    year_to = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=100, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    is_sample = models.BooleanField(
        _("bộ mẫu"), default=False, help_text=_("Bộ dữ liệu mẫu để dùng thử, không phải quyết định chính thức.")
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("sao chép từ"), null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    frozen_at = models.DateTimeField(
        _("khóa lúc"),
        null=True,
        blank=True,
        help_text=_("Được đặt khi một kỳ đánh giá dùng bộ chỉ số; từ đó mọi thay đổi cần một phiên bản mới."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")
        ordering = ["-year_from", "agency_kind", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_to__isnull=True) | Q(year_to__gte=models.F("year_from")),
                name="indexset_years_in_order",
            ),
            # A set is known by its name and agency kind; its versions are numbered within that family,
            # so "Bộ chỉ số sở, phiên bản 3" names exactly one set (copies and re-imports take the next number).
            models.UniqueConstraint(
                fields=["name", "agency_kind", "version"],
                name="indexset_version_unique_per_family",
                violation_error_message=_(
                    "Đã có bộ chỉ số cùng tên, cùng loại cơ quan với số phiên bản này; hãy dùng phiên bản tiếp theo."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def applies_in(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)

    @property
    def years_label(self) -> str:
        if self.year_to is None:
            return f"{self.year_from}–"
        if self.year_to == self.year_from:
            return str(self.year_from)
        return f"{self.year_from}–{self.year_to}"


class Node(models.Model):
    """One line of the tree. Leaves carry a scoring method; a parent's max is the sum of its children's."""

    index_set = models.ForeignKey(IndexSet, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("bộ chỉ số"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children", verbose_name=_("mục cha")
    )
    # The level-1 ancestor (lĩnh vực); a domain points at itself. Set when the tree is created, so a
    # per-domain sum groups on one column instead of walking parents.
    domain = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("lĩnh vực")
    )
    code = models.CharField(_("mã"), max_length=20)
    title = models.TextField(_("nội dung"), max_length=TITLE_MAX_LENGTH)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2)
    position = models.PositiveIntegerField(_("thứ tự"))
    depth = models.PositiveSmallIntegerField(_("cấp"))
    is_leaf = models.BooleanField(_("là tiêu chí chấm điểm"), default=True)
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True, max_length=TEXT_MAX_LENGTH)
    evidence_required = models.TextField(_("tài liệu kiểm chứng"), blank=True, max_length=TEXT_MAX_LENGTH)
    lead_agency = models.CharField(_("cơ quan theo dõi"), max_length=255, blank=True)
    method = models.CharField(_("phương pháp chấm"), max_length=20, choices=ScoringMethod.choices, blank=True)
    step = models.DecimalField(_("bước điểm"), max_digits=5, decimal_places=2, null=True, blank=True)
    deduction_per_event = models.DecimalField(
        _("điểm trừ mỗi lần"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    allow_not_applicable = models.BooleanField(_("được đánh dấu không áp dụng"), default=False)
    is_survey = models.BooleanField(_("điểm điều tra xã hội học"), default=False)

    class Meta:
        verbose_name = _("mục của bộ chỉ số")
        verbose_name_plural = _("các mục của bộ chỉ số")
        ordering = ["index_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["index_set", "code"], name="node_code_unique_in_set"),
            models.UniqueConstraint(fields=["index_set", "position"], name="node_position_unique_in_set"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="node_max_points_not_negative"),
            models.CheckConstraint(condition=Q(step__isnull=True) | Q(step__gt=0), name="node_step_positive"),
            models.CheckConstraint(
                condition=Q(deduction_per_event__isnull=True) | Q(deduction_per_event__gt=0),
                name="node_deduction_positive",
            ),
            # Only leaves are scored, so only leaves carry a method.
            models.CheckConstraint(
                condition=(Q(is_leaf=True) & ~Q(method="")) | (Q(is_leaf=False) & Q(method="")),
                name="node_method_iff_leaf",
            ),
            # TextField's max_length is a form rule only: the database holds it too (imports bulk-insert).
            *(
                models.CheckConstraint(condition=LessThanOrEqual(Length(name), limit), name=f"node_{name}_length")
                for name, limit in (
                    ("title", TITLE_MAX_LENGTH),
                    ("guidance", TEXT_MAX_LENGTH),
                    ("evidence_required", TEXT_MAX_LENGTH),
                )
            ),
        ]
        indexes = [models.Index(fields=["index_set", "is_leaf", "position"])]

    def __str__(self) -> str:
        return f"{self.code}. {self.title[:80]}"

    @property
    def effective_step(self) -> Decimal:
        return self.step or Decimal("0.25")


class RatioTier(models.Model):
    """Points for a ratio in [lower_pct, upper_pct); the last tier of a node also includes 100 %."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("mục"))
    lower_pct = models.DecimalField(_("từ (%)"), max_digits=5, decimal_places=2)
    upper_pct = models.DecimalField(_("đến dưới (%)"), max_digits=5, decimal_places=2)
    points = models.DecimalField(_("điểm"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("bậc tỷ lệ")
        verbose_name_plural = _("các bậc tỷ lệ")
        ordering = ["node", "lower_pct"]
        constraints = [
            models.UniqueConstraint(fields=["node", "lower_pct"], name="tier_lower_unique_per_node"),
            models.CheckConstraint(
                condition=Q(lower_pct__gte=0) & Q(upper_pct__lte=100) & Q(lower_pct__lt=models.F("upper_pct")),
                name="tier_range_within_0_100",
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="tier_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.lower_pct}–{self.upper_pct} %: {self.points}"

"""Agencies and their kinds (with the 2025 mergers), and the roles people hold in them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    """Kinds of agency; each has its own index set and is ranked separately."""

    DEPARTMENT = "department", _("Sở, ban, ngành cấp tỉnh")
    COMMUNE = "commune", _("UBND cấp xã (xã, phường, đặc khu)")
    DISTRICT = "district", _("UBND cấp huyện (lưu trữ, trước 01/7/2025)")
    PROVINCE = "province", _("UBND cấp tỉnh")


class Agency(models.Model):
    name = models.CharField(_("tên cơ quan, đơn vị"), max_length=255, unique=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("hợp nhất vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    merged_on = models.DateField(_("ngày hợp nhất"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")), name="agency_not_merged_into_itself"
            ),
            # A merged agency no longer takes part in new periods; its past years keep their records.
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(is_active=False), name="agency_merged_is_inactive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    OFFICER = "officer", _("Chuyên viên đơn vị")
    HEAD = "head", _("Lãnh đạo đơn vị")
    ADMIN = "admin", _("Quản trị (Sở Nội vụ)")
    REVIEWER = "reviewer", _("Thành viên tổ thẩm định")
    LEADERSHIP = "leadership", _("Lãnh đạo tỉnh")


AGENCY_ROLES = (Role.OFFICER, Role.HEAD)
# Roles that never name an agency. A reviewer may name the lead agency they appraise for (its team), or none.
PROVINCE_ONLY_ROLES = (Role.ADMIN, Role.LEADERSHIP)


class RoleAssignment(models.Model):
    """A user may hold several roles; officer and head roles belong to one agency, the others are province-wide."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("người dùng"),
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("đơn vị"),
    )

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__in=AGENCY_ROLES) & Q(agency__isnull=False))
                | (Q(role__in=PROVINCE_ONLY_ROLES) & Q(agency__isnull=True))
                | Q(role=Role.REVIEWER),
                name="role_agency_iff_agency_role",
            ),
            # One reviewer role per person: with their lead agency, or without one.
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(role=Role.REVIEWER), name="role_one_reviewer_role"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency"], condition=Q(agency__isnull=False), name="role_unique_per_agency"
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(agency__isnull=True), name="role_unique_province_wide"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}" + (f" – {self.agency}" if self.agency_id else "")


# ---- notices --------------------------------------------------------------------------------------------


class Notice(models.Model):
    """A notice to one person, shown in the app and sent by e-mail once; ``key`` makes it once only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    key = models.CharField(max_length=200)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), max_length=4000)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("lúc"))
    emailed_at = models.DateTimeField(_("gửi thư lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notice_once_per_user")]
        indexes = [models.Index(fields=["user", "-created_at"], name="notice_list")]

    def __str__(self) -> str:
        return self.subject

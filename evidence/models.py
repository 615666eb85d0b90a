"""Evidence (tài liệu kiểm chứng): uploaded files and references to documents, linked to leaves' scores.

Files are stored under generated names in the default storage (private: no public URL is configured)
and are served only by the permission-checked download view.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Score


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # The user's file name is kept only in ``original_name``; on disk the name is generated, so no
    # path-like or hostile name ever reaches the file system.
    return f"evidence/{instance.assessment.period_id}/{instance.assessment_id}/{uuid.uuid4().hex}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("Tệp đính kèm")
    DOCUMENT = "document", _("Văn bản (số/ký hiệu)")


class Evidence(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("loại"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(_("tệp"), upload_to=evidence_upload_to, blank=True, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    doc_number = models.CharField(_("số/ký hiệu"), max_length=100, blank=True)
    doc_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    doc_issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    doc_summary = models.TextField(_("trích yếu"), blank=True)
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

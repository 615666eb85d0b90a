"""Writes for evidence. A rejected upload leaves nothing behind: no row, no file.

Each write locks the sheet and is refused unless it is still an editable draft (the same rule as a score
save), so evidence cannot change after the head has submitted.
"""

import datetime
import hashlib
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment, Evidence, EvidenceKind, EvidenceLink, Score, ScoreChange
from assessments.selectors import EVIDENCE_ADDED, EVIDENCE_REMOVED, EVIDENCE_REUSED
from assessments.services import assessment_lock_for_edit

from .validation import check_upload

# What a write of new evidence locks and checks first: by default the sheet must be an editable draft. An
# app above may pass another rule for its own narrow case (appraisal: a leaf asked about while the sheet
# is returned for explanation), which locks the same row and raises WorkflowError when it refuses.
SheetLock = Callable[[Score], Assessment]


def draft_lock(score: Score) -> Assessment:
    return assessment_lock_for_edit(assessment_id=score.assessment_id)


def _record(score: Score, user: User | None, key: str, evidence: Evidence) -> None:
    """Keep the leaf's evidence changes in its history (append-only, like a change of points), with the
    evidence's name as it was: the history stays readable after the evidence itself is deleted."""
    label = str(evidence)
    pair = [label, None] if key == EVIDENCE_REMOVED else [None, label]
    ScoreChange.objects.create(score=score, changed_by=user, changed_at=timezone.now(), changes={key: pair})


def _same_assessment(assessment: Assessment, score: Score) -> None:
    if score.assessment_id != assessment.pk:
        raise ValidationError(_("Tiêu chí không thuộc bản tự đánh giá này."))


def evidence_upload(
    *, assessment: Assessment, score: Score, upload: UploadedFile, user: User, lock: SheetLock = draft_lock
) -> Evidence:
    """Check the file, store it under a generated name with its SHA-256, and link it to the leaf."""
    _same_assessment(assessment, score)
    checked = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = upload.name or "tep"  # check_upload has refused files without a name or size
    evidence = Evidence(
        assessment=assessment,
        kind=EvidenceKind.FILE,
        original_name=name,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        content_type=checked.content_type,
        uploaded_by=user,
    )
    evidence.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            lock(score)
            evidence.save()
            EvidenceLink.objects.create(evidence=evidence, score=score)
            _record(score, user, EVIDENCE_ADDED, evidence)
    except Exception:
        evidence.file.delete(save=False)  # the row did not make it: neither does the file
        raise
    return evidence


def evidence_add_document(
    *,
    assessment: Assessment,
    score: Score,
    user: User,
    doc_number: str = "",
    doc_date: datetime.date | None = None,
    doc_issuer: str = "",
    doc_summary: str = "",
    url: str = "",
    lock: SheetLock = draft_lock,
) -> Evidence:
    """A reference to a document (số/ký hiệu, ngày, cơ quan ban hành, trích yếu) instead of a file."""
    _same_assessment(assessment, score)
    if not doc_number.strip() and not doc_summary.strip():
        raise ValidationError(_("Nhập ít nhất số/ký hiệu hoặc trích yếu của văn bản."))
    evidence = Evidence(
        assessment=assessment,
        kind=EvidenceKind.DOCUMENT,
        doc_number=doc_number.strip(),
        doc_date=doc_date,
        doc_issuer=doc_issuer.strip(),
        doc_summary=doc_summary.strip(),
        url=url.strip(),
        uploaded_by=user,
    )
    evidence.full_clean(exclude=["file", "assessment", "uploaded_by"])
    with transaction.atomic():
        lock(score)
        evidence.save()
        EvidenceLink.objects.create(evidence=evidence, score=score)
        _record(score, user, EVIDENCE_ADDED, evidence)
    return evidence


def evidence_link(*, evidence: Evidence, score: Score, user: User | None = None) -> None:
    """Let one piece of evidence serve another leaf of the same assessment."""
    if evidence.assessment_id != score.assessment_id:
        raise ValidationError(_("Chỉ dùng lại được tài liệu của cùng bản tự đánh giá."))
    with transaction.atomic():
        assessment_lock_for_edit(assessment_id=score.assessment_id)
        _link, created = EvidenceLink.objects.get_or_create(evidence=evidence, score=score)
        if created:
            _record(score, user, EVIDENCE_REUSED, evidence)


def evidence_unlink(*, evidence: Evidence, score: Score, user: User | None = None) -> None:
    """Detach from one leaf; evidence that no longer serves any leaf is deleted with its file."""
    with transaction.atomic():
        assessment_lock_for_edit(assessment_id=score.assessment_id)
        removed, _counts = EvidenceLink.objects.filter(evidence=evidence, score=score).delete()
        if removed:
            _record(score, user, EVIDENCE_REMOVED, evidence)
        if not evidence.links.exists():
            evidence_delete(evidence=evidence)


def evidence_delete(*, evidence: Evidence) -> None:
    file = evidence.file
    evidence.delete()
    if file and file.name:
        # Remove the stored file only once the row is really gone.
        stored = file.name
        transaction.on_commit(lambda: file.storage.delete(stored))

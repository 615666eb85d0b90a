"""Exports in the background (issue 9, item 8): the request records an ExportJob and enqueues ``run_export``;
the worker (``manage.py db_worker``, started by ``make run``) writes the file and moves the job along.

Who may export is decided by reports.access in the views; the worker asks the same question again when it
starts (the period may have been unpublished while the job waited), and the download asks it a third time.
A file is written to a temporary file first and stored only once complete, so a failed job leaves nothing.
"""

import datetime
import logging
import tempfile
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import Storage
from django.db.models import F
from django.http import Http404
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Period

from .access import Access, ranking_access
from .exports import EXPORTS
from .models import EXPORTS_FOLDER, ExportJob, ExportStatus

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes: the job page polls every second


def failure_message() -> str:
    return _("Không tạo được tệp do lỗi hệ thống. Hãy thử lại; nếu vẫn lỗi, báo quản trị Sở Nội vụ.")


def export_start(*, user: User, period: Period, kind: str, access: Access) -> ExportJob:
    """Record the job and hand it to the task backend; ``access`` is the requester's, checked by the caller."""
    job = ExportJob.objects.create(
        requested_by=user, period=period, kind=kind, source=access.source, publication=access.publication
    )
    try:
        result = run_export.enqueue(job.pk)
    except Exception:
        logger.exception("Export job %s could not be enqueued", job.pk)
        _fail(job.pk, _("Không đưa được yêu cầu vào hàng đợi xử lý nền. Hãy thử lại sau hoặc báo quản trị."))
    else:
        ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()  # an immediate backend (tests) has already run it
    return job


@task
def run_export(job_id: int) -> None:
    """The task: run one export job (a job already taken by another worker is left alone). The files are
    official documents of the province: written in the site's language whatever the requester's choice."""
    with translation.override(settings.LANGUAGE_CODE):
        export_run(job_id)


def export_run(job_id: int) -> None:
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("period", "requested_by").get(pk=job_id)
    kind = EXPORTS.get(job.kind)
    if kind is None:
        _fail(job.pk, _("Loại tệp «%(kind)s» không còn được hỗ trợ.") % {"kind": job.kind})
        return
    try:
        access = ranking_access(job.requested_by, job.period)
    except (PermissionDenied, Http404):
        _fail(
            job.pk,
            _("Tệp không được tạo: bạn không còn được xem kết quả của kỳ này (kỳ có thể vừa bị hủy công bố)."),
        )
        return
    try:
        with tempfile.TemporaryFile() as scratch:
            kind.writer(job.period, access, scratch, _ProgressSaver(job.pk))
            scratch.seek(0)
            job.file.save(f"{uuid.uuid4().hex}{kind.extension}", File(scratch), save=False)
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        _fail(job.pk, failure_message())
        raise  # the task is recorded as failed too, with its traceback, in the worker's log
    try:
        # Only a job still running becomes done: one that cleanup_exports failed meanwhile (a worker slower than
        # --stuck-minutes) stays failed, as its requester was told, and its file is not kept.
        finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            file=job.file.name,
            source=access.source,
            publication=access.publication,
            finished_at=timezone.now(),
            progress_done=F("progress_total"),
        )
    except Exception:
        job.file.delete(save=False)  # never a stored file without a finished job
        _fail(job.pk, failure_message())
        raise
    if not finished:
        job.file.delete(save=False)


def _fail(job_id: int, message: str) -> None:
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.FAILED, error=message, file="", finished_at=timezone.now()
    )


class _ProgressSaver:
    """Writes the writer's progress to the job, at most every PROGRESS_INTERVAL (and always the first call)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.last: float | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < PROGRESS_INTERVAL and done < total:
            return
        self.last = now
        ExportJob.objects.filter(pk=self.job_id).update(progress_done=min(done, total), progress_total=total)


# ---- cleaning up (manage.py cleanup_exports) -----------------------------------------------------------------


@dataclass(frozen=True)
class Cleanup:
    expired: int  # finished jobs whose file was deleted
    stuck: int  # queued or running jobs marked failed
    orphans: int  # stored files no job refers to (a worker killed between storing the file and the row)


def exports_cleanup(*, keep: datetime.timedelta, stuck_after: datetime.timedelta) -> Cleanup:
    """Delete the files of jobs finished more than ``keep`` ago, fail the jobs queued or running for more than
    ``stuck_after``, and delete stored export files older than ``keep`` that no job refers to. Messages are
    written in the site's language, as the worker writes them."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        return Cleanup(
            expired=expire_old_files(before=now - keep),
            stuck=fail_stuck_jobs(before=now - stuck_after, minutes=int(stuck_after.total_seconds() // 60)),
            orphans=delete_orphan_files(before=now - keep),
        )


def expire_old_files(*, before: datetime.datetime) -> int:
    """Each done job finished before ``before``: the row first (a conditional UPDATE: still done, still this
    file), then the file, so a job never points at a deleted file; the row stays as the record, «expired»."""
    expired = 0
    old = ExportJob.objects.filter(status=ExportStatus.DONE, finished_at__lt=before).exclude(file="")
    for pk, name in old.values_list("pk", "file"):
        if not ExportJob.objects.filter(pk=pk, status=ExportStatus.DONE, file=name).update(
            status=ExportStatus.EXPIRED, file=""
        ):
            continue  # changed meanwhile (another cleanup): its file is not ours to delete
        expired += 1
        _delete_stored(name)
    return expired


def fail_stuck_jobs(*, before: datetime.datetime, minutes: int) -> int:
    """Jobs a worker never took, or took and never finished (killed, restarted), are failed with the reason, so
    the job page stops polling. Each is one conditional UPDATE: a job that finishes at the same moment is no
    longer queued or running and is left alone; a worker that takes a failed job later finds it not queued."""
    finished_at = timezone.now()
    waited = ExportJob.objects.filter(status=ExportStatus.QUEUED, created_at__lt=before).update(
        status=ExportStatus.FAILED,
        finished_at=finished_at,
        error=_(
            "Yêu cầu đã chờ quá %(minutes)s phút mà tiến trình xử lý nền chưa nhận. Hãy xuất lại; nếu vẫn lỗi, "
            "báo quản trị Sở Nội vụ."
        )
        % {"minutes": minutes},
    )
    stopped = ExportJob.objects.filter(status=ExportStatus.RUNNING, started_at__lt=before).update(
        status=ExportStatus.FAILED,
        finished_at=finished_at,
        error=_(
            "Tiến trình xử lý nền đã dừng giữa chừng (quá %(minutes)s phút chưa xong). Hãy xuất lại; nếu vẫn lỗi, "
            "báo quản trị Sở Nội vụ."
        )
        % {"minutes": minutes},
    )
    return waited + stopped


def delete_orphan_files(*, before: datetime.datetime) -> int:
    """Stored export files older than ``before`` that no job refers to."""
    storage = _storage()
    try:
        _dirs, names = storage.listdir(EXPORTS_FOLDER)
    except FileNotFoundError:
        return 0
    stored = {f"{EXPORTS_FOLDER}/{name}" for name in names}
    candidates = stored - set(ExportJob.objects.filter(file__in=stored).values_list("file", flat=True))
    deleted = 0
    for name in sorted(candidates):
        try:
            if storage.get_modified_time(name) >= before:
                continue  # recent: perhaps a job storing its file right now
        except (NotImplementedError, FileNotFoundError):
            continue
        deleted += _delete_stored(name)
    return deleted


def _storage() -> Storage:
    return ExportJob._meta.get_field("file").storage


def _delete_stored(name: str) -> bool:
    try:
        _storage().delete(name)
    except OSError:
        logger.exception("Export file %s could not be deleted", name)
        return False
    return True


# ---- reading a job ---------------------------------------------------------------------------------------


def job_for(user: AbstractBaseUser | AnonymousUser, pk: int, *, is_admin: bool) -> ExportJob:
    """The job, for its requester or an administrator; anyone else learns nothing (404)."""
    job = ExportJob.objects.select_related("period", "requested_by").filter(pk=pk).first()
    if job is None or not (is_admin or job.requested_by_id == user.pk):
        raise Http404
    return job


def download_refusal(job: ExportJob, user: AbstractBaseUser | AnonymousUser) -> str | None:
    """Why ``user`` may not download the job's file now, or None (for the job page: never raises)."""
    try:
        access = ranking_access(user, job.period)
    except (PermissionDenied, Http404):
        return _("Bạn không còn được xem kết quả của kỳ này (kỳ có thể đã bị hủy công bố), nên không tải được tệp.")
    return figures_refusal(job, access)


def figures_refusal(job: ExportJob, access: Access) -> str | None:
    """Why the file may not be given to a reader with ``access``, or None.

    The figures in the file must be the ones the reader may see today: the same source (live or the snapshot)
    and the same publication as reports.access gives now. A file of a publication since withdrawn, or of live
    figures once the period is published, is refused and has to be made again.
    """
    if job.status != ExportStatus.DONE or not job.file:
        return _("Tệp chưa sẵn sàng.")
    current = access.publication.pk if access.publication is not None else None
    if job.source != access.source or job.publication_id != current:
        return _(
            "Số liệu trong tệp không còn là số liệu hiện hành (kết quả đã được công bố hoặc hủy công bố sau khi "
            "tạo tệp). Hãy xuất lại."
        )
    return None


def download_name(job: ExportJob) -> str:
    kind = EXPORTS.get(job.kind)
    extension = kind.extension if kind is not None else ""
    stamp = timezone.localtime(job.finished_at or job.created_at).strftime("%Y%m%d-%H%M")
    return f"ket-qua-chi-so-cchc-{job.period.year}-ky{job.period_id}-{stamp}{extension}"

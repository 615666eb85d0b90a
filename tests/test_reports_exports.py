"""Background exports (issue 9, item 8): a job from request to file (queued → done, the file on disk, the
download a valid workbook), a failure that says why in Vietnamese and leaves no file, the real database worker
processing an enqueued job, and who may start, follow and download an export before and after publication
(and after an unpublication: the file is refused)."""

import dataclasses
import datetime
import io
import os
import signal
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from appraisal.publishing import period_finalise, period_publish, period_unpublish
from reports.exports import EXPORTS, ExportKind
from reports.jobs import export_run
from reports.models import ExportJob, ExportStatus

from .factories import appraisal_period
from .test_appraisal_results import appraise, give_survey

D = Decimal
pytestmark = pytest.mark.django_db
ROUTES = ["exports", "export_start", "export_job", "export_download"]


@pytest.fixture
def period(users, agency, other_agency):
    """In appraisal, everything appraised and surveyed: ready to finalise and publish."""
    period = appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])
    appraise(period, users["reviewer"], {"1.1": D(1)}, agency=agency)
    appraise(period, users["reviewer"], agency=other_agency)
    give_survey(period, D("1.5"))
    return period


def publish(period, admin, decision: str = "") -> None:
    period.refresh_from_db()
    if period.state != "finalised":
        period_finalise(period=period, user=admin)
    period_publish(period=period, user=admin, decision=decision)
    period.refresh_from_db()


def start(client, period, kind: str = "xlsx"):
    return client.post(reverse("reports:export_start", args=[period.pk, kind]))


def exported_files() -> list[Path]:
    folder = Path(django_settings.MEDIA_ROOT) / "exports"
    return sorted(folder.iterdir()) if folder.exists() else []


# ---- the job's life -------------------------------------------------------------------------------------


def test_job_runs_to_a_file_that_downloads_as_a_workbook(client, period, users):
    client.force_login(users["admin"])
    response = start(client, period)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:export_job", args=[job.pk])
    assert (job.status, job.requested_by, job.period, job.kind) == (ExportStatus.DONE, users["admin"], period, "xlsx")
    assert job.progress_total > 0 and job.progress_done == job.progress_total
    assert (job.source, job.publication) == ("live", None)
    assert job.task_id and job.started_at and job.finished_at and job.error == ""
    assert exported_files() == [Path(django_settings.MEDIA_ROOT) / job.file.name]
    assert job.file.name.startswith("exports/") and job.file.name.endswith(".xlsx")

    page = client.get(reverse("reports:export_job", args=[job.pk]))
    assert page.status_code == 200
    assert "Đã xong" in page.text and reverse("reports:export_download", args=[job.pk]) in page.text
    assert "hx-trigger" not in page.text  # finished: the page stops polling

    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == EXPORTS["xlsx"].content_type
    assert 'filename="ket-qua-chi-so-cchc-2026-ky' in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book.sheetnames[0] == "XH Sở, ban, ngành cấp tỉnh"
    assert [r[1] for r in book.worksheets[0].iter_rows(min_row=5, values_only=True)] == [
        "Sở Khoa học và Công nghệ",
        "Sở Tư pháp",
    ]

    # Someone else — even one who may export the period too — learns nothing of the job.
    client.force_login(users["leadership"])
    assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:exports")).text.count("data-job=") == 0


def test_job_page_polls_while_the_job_waits(client, period, users):
    job = ExportJob.objects.create(
        requested_by=users["admin"], period=period, kind="xlsx", progress_done=3, progress_total=12
    )
    client.force_login(users["admin"])
    page = client.get(reverse("reports:export_job", args=[job.pk]))
    assert 'hx-trigger="every 1s"' in page.text and "Đang chờ xử lý" in page.text and "25 %" in page.text
    # htmx asks for the status block alone.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress_done=9)
    block = client.get(reverse("reports:export_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert block.text.lstrip().startswith('<div id="export-status"') and "<html" not in block.text
    assert "75 %" in block.text and "Đang tạo tệp" in block.text
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 403


def _breaking_writer(period, access, out, progress=None):
    out.write(b"PK\x03\x04 half a workbook")
    if progress is not None:
        progress(1, 4)
    raise RuntimeError("disk full")


def test_failed_job_says_why_and_leaves_no_file(client, period, users, monkeypatch):
    monkeypatch.setitem(EXPORTS, "xlsx", ExportKind("Excel", ".xlsx", EXPORTS["xlsx"].content_type, _breaking_writer))
    client.force_login(users["admin"])
    response = start(client, period)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.file.name, job.progress_done, job.progress_total) == (ExportStatus.FAILED, "", 1, 4)
    assert job.error == "Không tạo được tệp do lỗi hệ thống. Hãy thử lại; nếu vẫn lỗi, báo quản trị Sở Nội vụ."
    assert exported_files() == []
    page = client.get(reverse("reports:export_job", args=[job.pk]))
    assert "Không tạo được" in page.text and job.error in page.text and "Tải tệp về" not in page.text
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 403


def test_unknown_kind_is_404_and_records_nothing(client, period, users):
    client.force_login(users["admin"])
    assert start(client, period, "pdfx").status_code == 404
    assert not ExportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_processes_an_enqueued_job(client, users, agency, other_agency, settings):
    """The real backend: the request only enqueues; `manage.py db_worker --batch` runs the job and exits."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    period = appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])
    client.force_login(users["leadership"])
    start(client, period)
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.QUEUED and not job.file
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    page = client.get(reverse("reports:export_job", args=[job.pk]))
    assert "Đang chờ xử lý" in page.text and 'hx-trigger="every 1s"' in page.text

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
    finally:
        for sig, handler in handlers.items():  # the worker installs its own; give pytest its own back
            signal.signal(sig, handler)

    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and exported_files() == [Path(django_settings.MEDIA_ROOT) / job.file.name]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert load_workbook(Path(django_settings.MEDIA_ROOT) / job.file.name).sheetnames[0] == "XH Sở, ban, ngành cấp tỉnh"


# ---- who may export -------------------------------------------------------------------------------------

# Before publication only the live readers (reports.access): the administrator and leadership. Afterwards
# everyone with a role reads the snapshot. No role at all: 404; a role without the right: 403.
BEFORE = {
    "admin": 302,
    "leadership": 302,
    "reviewer": 403,
    "head": 403,
    "officer": 403,
    "other_officer": 403,
    "no_role": 404,
}
AFTER = {**dict.fromkeys(BEFORE, 302), "no_role": 404}


@pytest.mark.parametrize("published", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("role", [*BEFORE, "anonymous"])
def test_who_may_start_an_export(client, period, users, role, published):
    if published:
        publish(period, users["admin"])
    if role != "anonymous":
        client.force_login(users[role])
    response = start(client, period)
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert not ExportJob.objects.exists()
        return
    expected = (AFTER if published else BEFORE)[role]
    assert response.status_code == expected, role
    if expected == 302:
        job = ExportJob.objects.get()
        assert (job.requested_by, job.status) == (users[role], ExportStatus.DONE)
        assert job.source == ("published" if published else "live")
    else:
        assert not ExportJob.objects.exists()
        assert exported_files() == []


@pytest.fixture
def jobs(period, users):
    """An administrator's export of live figures, then (published) an agency officer's of the snapshot."""
    from reports.access import ranking_access
    from reports.jobs import export_start

    live = export_start(user=users["admin"], period=period, kind="xlsx", access=ranking_access(users["admin"], period))
    publish(period, users["admin"])
    officer = users["officer"]
    snapshot = export_start(user=officer, period=period, kind="xlsx", access=ranking_access(officer, period))
    assert live.status == snapshot.status == ExportStatus.DONE
    return {"live": live, "snapshot": snapshot}


# job page / download, for the officer's job after publication
OFFICER_JOB = {
    "admin": (200, 200),
    "officer": (200, 200),
    "leadership": (404, 404),
    "reviewer": (404, 404),
    "head": (404, 404),  # same agency, but not the requester
    "other_officer": (404, 404),
    "no_role": (404, 404),
}


@pytest.mark.parametrize("role", [*OFFICER_JOB, "anonymous"])
def test_who_may_follow_and_download_a_job(client, jobs, users, role):
    job = jobs["snapshot"]
    if role != "anonymous":
        client.force_login(users[role])
    page = client.get(reverse("reports:export_job", args=[job.pk]))
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    if role == "anonymous":
        assert page.status_code == download.status_code == 302
        return
    assert (page.status_code, download.status_code) == OFFICER_JOB[role], role
    if download.status_code == 200:
        book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        assert book.worksheets[0]["A3"].value.startswith("Kết quả đã công bố ngày")


def test_live_file_is_refused_once_published_and_snapshot_once_unpublished(client, jobs, users, period):
    live, snapshot = jobs["live"], jobs["snapshot"]
    client.force_login(users["admin"])
    # The administrator's live-figures file: after publication everyone reads the snapshot, so it is refused.
    page = client.get(reverse("reports:export_job", args=[live.pk]))
    assert "Số liệu trong tệp không còn là số liệu hiện hành" in page.text and "Tải tệp về" not in page.text
    assert client.get(reverse("reports:export_download", args=[live.pk])).status_code == 403
    assert client.get(reverse("reports:export_download", args=[snapshot.pk])).status_code == 200

    period_unpublish(period=period, user=users["admin"], reason="Sai sót số liệu điều tra")
    client.force_login(users["officer"])
    page = client.get(reverse("reports:export_job", args=[snapshot.pk]))
    assert page.status_code == 200 and "không còn được xem kết quả của kỳ này" in page.text
    assert client.get(reverse("reports:export_download", args=[snapshot.pk])).status_code == 403
    assert start(client, period).status_code == 403  # nor a new one

    # Published again: a new snapshot; the file of the withdrawn one stays refused.
    publish(period, users["admin"])
    assert client.get(reverse("reports:export_download", args=[snapshot.pk])).status_code == 403
    assert start(client, period).status_code == 302


def test_a_job_waiting_when_the_period_is_unpublished_is_not_run(period, users):
    publish(period, users["admin"])
    job = ExportJob.objects.create(requested_by=users["officer"], period=period, kind="xlsx")
    period_unpublish(period=period, user=users["admin"], reason="Sai sót")
    export_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file and exported_files() == []
    assert "bạn không còn được xem kết quả của kỳ này" in job.error


# ---- the list of one's exports --------------------------------------------------------------------------


def test_list_shows_only_ones_own_exports_and_the_periods_one_may_export(client, jobs, users, period):
    client.force_login(users["officer"])
    page = client.get(reverse("reports:exports"))
    assert page.status_code == 200
    assert page.text.count("data-job=") == 1 and f'data-job="{jobs["snapshot"].pk}"' in page.text
    assert reverse("reports:export_start", args=[period.pk, "xlsx"]) in page.text  # published: may export
    client.force_login(users["reviewer"])
    page = client.get(reverse("reports:exports"))
    assert page.text.count("data-job=") == 0 and "Bạn chưa xuất tệp nào" in page.text
    period_unpublish(period=period, user=users["admin"], reason="Sai sót")
    assert reverse("reports:export_start", args=[period.pk, "xlsx"]) not in client.get(reverse("reports:exports")).text
    client.logout()
    assert client.get(reverse("reports:exports")).status_code == 302


def test_list_queries_do_not_grow_with_the_jobs(client, period, users, django_assert_num_queries):
    # 1 session, 2 user, 3 roles, 4 the user's jobs with their periods, 5 the periods past set-up, 6 their
    # publications in force (one query however many periods: reports.access.readable_periods), 7 the badge.
    client.force_login(users["admin"])
    for count in (2, 25):
        ExportJob.objects.bulk_create(
            ExportJob(requested_by=users["admin"], period=period, kind="xlsx") for _ in range(count)
        )
        with django_assert_num_queries(7):
            page = client.get(reverse("reports:exports"))
        assert page.text.count("data-job=") == min(ExportJob.objects.count(), 30)


def test_job_page_queries(client, period, users, django_assert_num_queries):
    # 1 session, 2 user, 3 roles, 4 the job with its period and requester, 5 the notice badge.
    job = ExportJob.objects.create(requested_by=users["admin"], period=period, kind="xlsx")
    client.force_login(users["admin"])
    with django_assert_num_queries(5):
        assert client.get(reverse("reports:export_job", args=[job.pk])).status_code == 200


def test_make_run_starts_the_worker_beside_the_web_server():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py db_worker" in run and "manage.py runserver" in run
    assert "trap" in run and "kill" in run  # the worker stops with the web server


# ---- cleaning up (manage.py cleanup_exports) ------------------------------------------------------------------


def _finished(client, period, user, *, days_ago: float) -> ExportJob:
    """A real export of the period, its file on disk, finished ``days_ago``."""
    client.force_login(user)
    start(client, period)
    job = ExportJob.objects.filter(requested_by=user).first()
    assert job is not None and job.status == ExportStatus.DONE
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=days_ago))
    job.refresh_from_db()
    return job


def _waiting(user, period, status: str, *, minutes_ago: int) -> ExportJob:
    job = ExportJob.objects.create(requested_by=user, period=period, kind="xlsx", status=status, progress_total=4)
    past = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    started = past if status == ExportStatus.RUNNING else None
    ExportJob.objects.filter(pk=job.pk).update(created_at=past, started_at=started, progress_done=2)
    return job


def test_cleanup_deletes_old_files_and_fails_stuck_jobs_leaving_fresh_ones(client, period, users):
    admin, leadership = users["admin"], users["leadership"]
    old = _finished(client, period, admin, days_ago=7.1)
    fresh = _finished(client, period, leadership, days_ago=6.9)
    old_path, fresh_path = Path(old.file.path), Path(fresh.file.path)
    assert old_path.exists() and fresh_path.exists()
    stuck_running = _waiting(admin, period, ExportStatus.RUNNING, minutes_ago=61)
    stuck_queued = _waiting(admin, period, ExportStatus.QUEUED, minutes_ago=90)
    running = _waiting(admin, period, ExportStatus.RUNNING, minutes_ago=59)
    queued = _waiting(admin, period, ExportStatus.QUEUED, minutes_ago=1)
    out = io.StringIO()

    call_command("cleanup_exports", stdout=out)  # the defaults: 7 days, 60 minutes

    assert "Đã xóa tệp của 1 lần xuất quá 7 ngày, đánh dấu lỗi 2 lần xuất treo quá 60 phút" in out.getvalue()
    assert not old_path.exists() and fresh_path.exists()
    assert exported_files() == [fresh_path]
    old.refresh_from_db()
    assert (old.status, old.file.name, old.requested_by) == (ExportStatus.EXPIRED, "", admin)  # the record stays
    fresh.refresh_from_db()
    assert (fresh.status, fresh.file.name) == (
        ExportStatus.DONE,
        str(fresh_path.relative_to(django_settings.MEDIA_ROOT)),
    )
    for job, reason in (
        (stuck_running, "Tiến trình xử lý nền đã dừng giữa chừng (quá 60 phút chưa xong)"),
        (stuck_queued, "Yêu cầu đã chờ quá 60 phút mà tiến trình xử lý nền chưa nhận"),
    ):
        job.refresh_from_db()
        assert job.status == ExportStatus.FAILED and job.error.startswith(reason) and job.finished_at is not None
    for job, status in ((running, ExportStatus.RUNNING), (queued, ExportStatus.QUEUED)):
        job.refresh_from_db()
        assert (job.status, job.error, job.finished_at, job.progress_done) == (status, "", None, 2)

    # Run again: nothing left to do, the fresh file still there.
    again = io.StringIO()
    call_command("cleanup_exports", stdout=again)
    assert "Đã xóa tệp của 0 lần xuất" in again.getvalue() and "đánh dấu lỗi 0 lần" in again.getvalue()
    assert fresh_path.exists()


def test_cleanup_options_and_their_bounds(client, period, users):
    job = _finished(client, period, users["admin"], days_ago=2.5)
    running = _waiting(users["admin"], period, ExportStatus.RUNNING, minutes_ago=20)
    call_command("cleanup_exports", "--days", "3", "--stuck-minutes", "30", stdout=io.StringIO())
    job.refresh_from_db()
    running.refresh_from_db()
    assert (job.status, running.status) == (ExportStatus.DONE, ExportStatus.RUNNING)
    call_command("cleanup_exports", "--days", "2", "--stuck-minutes", "15", stdout=io.StringIO())
    job.refresh_from_db()
    running.refresh_from_db()
    assert (job.status, running.status) == (ExportStatus.EXPIRED, ExportStatus.FAILED)
    assert "(quá 15 phút chưa xong)" in running.error
    for bad in (["--days", "0"], ["--stuck-minutes", "0"], ["--days", "-1"]):
        with pytest.raises(CommandError):
            call_command("cleanup_exports", *bad)


def test_a_job_finishing_as_the_cleanup_runs_is_not_failed(client, period, users, monkeypatch):
    """The stuck job's state change is a conditional UPDATE: a job the worker finished meanwhile stays done."""
    from reports import jobs

    job = _waiting(users["admin"], period, ExportStatus.QUEUED, minutes_ago=120)
    real_fail = jobs.fail_stuck_jobs

    def worker_first(**kwargs):
        export_run(job.pk)  # the worker takes and finishes the job just before the cleanup's UPDATE
        return real_fail(**kwargs)

    monkeypatch.setattr(jobs, "fail_stuck_jobs", worker_first)
    call_command("cleanup_exports", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.error == "" and Path(job.file.path).exists()


def test_a_running_job_failed_by_the_cleanup_stays_failed_when_its_worker_finishes_late(period, users, monkeypatch):
    """The worker is slower than --stuck-minutes: the cleanup fails the job while the writer still writes; when the
    writer is done the job is not turned back into «done» and the file it wrote is not kept."""
    from reports import exports

    job = _waiting(users["admin"], period, ExportStatus.QUEUED, minutes_ago=1)
    real = exports.EXPORTS["xlsx"]

    def slow_writer(period_, access, out, progress):
        real.writer(period_, access, out, progress)
        ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=61))
        call_command("cleanup_exports", stdout=io.StringIO())  # cron runs while the writer finishes

    monkeypatch.setitem(exports.EXPORTS, "xlsx", dataclasses.replace(real, writer=slow_writer))
    export_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "dừng giữa chừng" in job.error and not job.file
    assert exported_files() == []


def test_a_failed_stuck_job_is_not_run_by_a_late_worker(period, users):
    job = _waiting(users["admin"], period, ExportStatus.QUEUED, minutes_ago=120)
    call_command("cleanup_exports", stdout=io.StringIO())
    export_run(job.pk)  # the worker comes back and takes its queue
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and not job.file and exported_files() == []


def test_expired_job_says_so_on_its_page_and_its_download(client, period, users):
    job = _finished(client, period, users["admin"], days_ago=30)
    call_command("cleanup_exports", stdout=io.StringIO())
    page = client.get(reverse("reports:export_job", args=[job.pk]))
    assert page.status_code == 200
    assert "Đã hết hạn lưu giữ" in page.text and "Tệp đã được xóa khi hết thời gian lưu giữ" in page.text
    assert "hx-get" not in page.text and "Tải tệp về" not in page.text  # no polling, no download button
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    assert download.status_code == 410 and "Tệp đã được xóa khi hết thời gian lưu giữ" in download.text
    listed = client.get(reverse("reports:exports")).text
    assert f'data-job="{job.pk}"' in listed and "Đã hết hạn lưu giữ" in listed


def test_stuck_job_page_stops_polling_and_gives_the_reason(client, period, users):
    job = _waiting(users["admin"], period, ExportStatus.RUNNING, minutes_ago=180)
    client.force_login(users["admin"])
    assert "hx-get" in client.get(reverse("reports:export_job", args=[job.pk])).text
    call_command("cleanup_exports", stdout=io.StringIO())
    page = client.get(reverse("reports:export_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "hx-get" not in page.text and "Tiến trình xử lý nền đã dừng giữa chừng" in page.text


def test_cleanup_deletes_old_files_no_job_refers_to(client, period, users):
    """A worker killed between storing the file and recording it leaves a file no row points at."""
    kept = _finished(client, period, users["admin"], days_ago=1)
    folder = Path(django_settings.MEDIA_ROOT) / "exports"
    old_orphan, new_orphan = folder / "mocoi.xlsx", folder / "moi.xlsx"
    old_orphan.write_bytes(b"x")
    new_orphan.write_bytes(b"x")
    eight_days_ago = (timezone.now() - datetime.timedelta(days=8)).timestamp()
    os.utime(old_orphan, (eight_days_ago, eight_days_ago))
    os.utime(kept.file.path, (eight_days_ago, eight_days_ago))  # an old file of a job still kept: not an orphan
    out = io.StringIO()
    call_command("cleanup_exports", stdout=out)
    assert "xóa 1 tệp không thuộc lần xuất nào" in out.getvalue()
    assert exported_files() == sorted([Path(kept.file.path), new_orphan])

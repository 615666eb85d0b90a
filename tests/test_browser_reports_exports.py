"""Exports in headless Chromium: starting an export from the list, the job page following a running job by
itself (htmx polling) until the download appears, the download a workbook; desktop and a 390 px phone
(screenshots in test-artifacts/)."""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from reports.models import ExportJob, ExportStatus

from .conftest import login
from .factories import PASSWORD, appraisal_period, make_agency
from .test_appraisal_results import appraise, give_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Where a helper's review looks at the pictures too (outside the repository); only when it exists.
SHOTS = Path(os.environ.get("PARINDEX_SHOTS", "/work/wt/shots/exports"))


def _no_horizontal_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shot(page, folder: Path, name: str) -> None:
    page.screenshot(path=folder / name, full_page=True)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(folder / name, SHOTS / name)


def test_export_from_the_list_follow_the_job_and_download(page, live_server, screenshot_dir, users):
    agencies = [make_agency(name) for name in ("Sở Nội vụ", "Sở Công Thương", "Sở Y tế")]
    period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"])
    appraise(period, users["reviewer"])
    give_survey(period)
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "quantri", PASSWORD)

    page.goto(f"{live_server.url}/bao-cao/xuat/")
    expect(page.locator("h1")).to_have_text("Tệp đã xuất")
    page.click("button:has-text('Bảng tính Excel kết quả của kỳ')")
    # The test backend runs the task inside the request: the job page opens finished.
    expect(page.locator("#export-status")).to_contain_text("Đã xong")
    with page.expect_download() as download_info:
        page.click("a:has-text('Tải tệp về')")
    download = download_info.value
    assert download.suggested_filename.startswith("ket-qua-chi-so-cchc-2026-ky")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames[0] == "XH Sở, ban, ngành cấp tỉnh"
    done = ExportJob.objects.get()

    # A job the worker is writing: the page follows it without a reload until the file is there.
    running = ExportJob.objects.create(
        requested_by=users["admin"], period=period, kind="xlsx", status=ExportStatus.RUNNING
    )
    ExportJob.objects.filter(pk=running.pk).update(progress_done=5, progress_total=12, started_at=timezone.now())
    page.goto(f"{live_server.url}/bao-cao/xuat/{running.pk}/")
    expect(page.locator(".progress-bar")).to_have_text("41 %")
    _shot(page, screenshot_dir, "export-job-running.png")
    page.set_viewport_size(PHONE)
    _shot(page, screenshot_dir, "export-job-running-phone.png")
    _no_horizontal_overflow(page)
    ExportJob.objects.filter(pk=running.pk).update(progress_done=9)
    expect(page.locator(".progress-bar")).to_have_text("75 %", timeout=5000)
    ExportJob.objects.filter(pk=running.pk).update(
        status=ExportStatus.DONE, progress_done=12, file=done.file.name, source="live", finished_at=timezone.now()
    )
    expect(page.locator("a:has-text('Tải tệp về')")).to_be_visible(timeout=5000)
    _shot(page, screenshot_dir, "export-job-done-phone.png")
    page.set_viewport_size(DESKTOP)
    _shot(page, screenshot_dir, "export-job-done.png")

    failed = ExportJob.objects.create(
        requested_by=users["admin"],
        period=period,
        kind="xlsx",
        status=ExportStatus.FAILED,
        error="Không tạo được tệp do lỗi hệ thống. Hãy thử lại; nếu vẫn lỗi, báo quản trị Sở Nội vụ.",
    )
    page.goto(f"{live_server.url}/bao-cao/xuat/{failed.pk}/")
    expect(page.locator("[data-error]")).to_contain_text("Không tạo được tệp do lỗi hệ thống")
    _shot(page, screenshot_dir, "export-job-failed.png")

    page.goto(f"{live_server.url}/bao-cao/xuat/")
    expect(page.locator("tr[data-job]")).to_have_count(3)
    _shot(page, screenshot_dir, "export-list.png")
    page.set_viewport_size(PHONE)
    page.reload()
    _shot(page, screenshot_dir, "export-list-phone.png")
    _no_horizontal_overflow(page)

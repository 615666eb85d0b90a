"""The results page, the publication checklist and the public ranking in headless Chromium, desktop and a
390 px phone (screenshots in test-artifacts/)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assessments.models import PeriodState

from .conftest import login
from .factories import PASSWORD, appraisal_period, make_agency
from .test_appraisal_results import appraise, give_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal
PHONE = {"width": 390, "height": 844}


def _no_horizontal_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_results_checklist_and_public_ranking(page, live_server, screenshot_dir, users):
    agencies = [make_agency(name) for name in ("Sở Nội vụ", "Sở Công Thương", "Sở Y tế", "Sở Tài chính", "Sở Xây dựng")]
    period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"])
    for number, agency in enumerate(agencies):
        appraise(period, users["reviewer"], {"1.1": D(number % 3) / 2, "1.2": D(number % 2)}, agency=agency)
    # One agency without survey points: an open item on the checklist.
    for agency in agencies[:-1]:
        give_survey(period, D("1.25") + D(agencies.index(agency)) / 4, agency=agency)
    login(page, live_server, "quantri", PASSWORD)

    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/ket-qua/")
    expect(page.locator("h1")).to_have_text("Kết quả tạm tính")
    expect(page.locator("tr[data-agency]")).to_have_count(5)
    page.screenshot(path=screenshot_dir / "appraisal-results.png", full_page=True)

    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/cong-bo/")
    expect(page.locator("#checklist-open")).to_contain_text("Sở Xây dựng")
    expect(page.locator("button", has_text="Chốt kết quả")).to_be_disabled()
    page.screenshot(path=screenshot_dir / "appraisal-publication-checklist.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshot_dir / "appraisal-publication-checklist-phone.png", full_page=True)
    _no_horizontal_overflow(page)
    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/ket-qua/")
    page.screenshot(path=screenshot_dir / "appraisal-results-phone.png", full_page=True)
    _no_horizontal_overflow(page)

    give_survey(period, D(1), agency=agencies[-1])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/cong-bo/")
    expect(page.locator("#checklist-clear")).to_be_visible()
    page.click("button:has-text('Chốt kết quả')")
    page.locator("dialog button[value=ok]").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã chốt kết quả")
    period.refresh_from_db()
    assert period.state == PeriodState.FINALISED
    page.fill("#decision", "25/QĐ-UBND ngày 30/01/2027")
    page.click("button:has-text('Công bố kết quả')")
    page.locator("dialog button[value=ok]").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã công bố")
    page.click("button:has-text('Công khai bảng xếp hạng')")
    expect(page.locator(".alert-success")).to_contain_text("công khai")
    page.screenshot(path=screenshot_dir / "appraisal-publication-published.png", full_page=True)
    period.refresh_from_db()
    assert period.state == PeriodState.PUBLISHED and period.public_ranking

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/cong-khai/{period.pk}/")
    expect(page.locator("table.public-ranking tbody tr")).to_have_count(5)
    page.screenshot(path=screenshot_dir / "public-ranking.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshot_dir / "public-ranking-phone.png", full_page=True)
    _no_horizontal_overflow(page)

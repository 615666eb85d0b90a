"""The leadership dashboard in headless Chromium, as a leader opens it: from the home page, on a desktop (1366 px)
and on a 390 px phone; the cards stack, the chart is the phone's own, nothing scrolls sideways (screenshots in
test-artifacts/)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from appraisal.publishing import period_finalise, period_publish

from .conftest import login
from .factories import PASSWORD, appraisal_period, make_agency
from .test_appraisal_results import appraise, give_survey
from .test_browser_reports_ranking import AGENCIES, DESKTOP, DOMAINS, PHONE, _department_set, _no_page_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def _appraise_all(period, users, agencies, shift: int) -> None:
    for n, agency in enumerate(agencies):
        points = {
            f"{d}.1": max(D(0), D(maximum) - D((n * d + shift) % 7) / 2)
            for d, (_t, maximum) in enumerate(DOMAINS, start=1)
        }
        appraise(period, users["reviewer"], points, agency=agency)
        give_survey(period, D(20) + D((n + shift) * 3) / 2, agency=agency)


def test_dashboard_from_home_on_desktop_and_phone(page, live_server, screenshot_dir, users):
    agencies = [make_agency(name) for name in AGENCIES]
    last_set = _department_set(year_from=2025, year_to=2025, name="Bộ chỉ số sở 2025")
    last = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], index_set=last_set, year=2025)
    _appraise_all(last, users, agencies, shift=3)
    period_finalise(period=last, user=users["admin"])
    period_publish(period=last, user=users["admin"], decision="25/QĐ-UBND")
    this_set = _department_set()
    period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], index_set=this_set)
    _appraise_all(period, users, agencies, shift=0)

    login(page, live_server, "lanhdao", PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Xem tổng quan").click()
    expect(page.locator("h1")).to_have_text("Tổng quan kết quả")
    assert page.url.endswith(f"/bao-cao/ky/{period.pk}/tong-quan/")  # this year's, the newest readable
    expect(page.locator("[data-figure=agencies]")).to_have_text(str(len(AGENCIES)))
    expect(page.locator("[data-figure=previous-year]")).to_have_text("2025")
    expect(page.locator("[data-list=risers] li, [data-list=fallers] li").first).to_be_visible()
    phone_chart = page.locator(".report-chart .d-md-none svg").first
    expect(phone_chart).to_be_visible()
    assert phone_chart.bounding_box()["width"] <= PHONE["width"]  # type: ignore[index]
    # The cards stack: the key figures sit two by two, the group's cards one under the other.
    first, second = (page.locator(".dashboard-group .card").nth(i).bounding_box() for i in (0, 1))
    assert first is not None and second is not None and second["y"] > first["y"] + first["height"] - 1
    page.screenshot(path=screenshot_dir / "reports-dashboard-phone.png", full_page=True)
    _no_page_overflow(page)

    page.set_viewport_size(DESKTOP)
    page.reload()
    chart = page.locator(".report-chart .d-none svg").first
    expect(chart).to_be_visible()
    first, second = (page.locator(".dashboard-group .card").nth(i).bounding_box() for i in (0, 1))
    assert first is not None and second is not None and abs(second["y"] - first["y"]) < 1  # side by side
    page.screenshot(path=screenshot_dir / "reports-dashboard.png", full_page=True)
    _no_page_overflow(page)
    # Last year's dashboard, one tap away, reads the published snapshot.
    page.get_by_role("link", name=last.name).click()
    expect(page.locator("[data-source=published]")).to_contain_text("theo Quyết định số 25/QĐ-UBND")

"""The ranking and heat map pages in headless Chromium, desktop (1366 px) and a 390 px phone: the charts fit
the screen, the wide table scrolls inside its own box, never the page (screenshots in test-artifacts/)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from appraisal.publishing import period_finalise, period_publish
from criteria.services import index_set_create
from criteria.tree import NodeRow
from organisations.models import AgencyKind

from .conftest import login
from .factories import PASSWORD, appraisal_period, make_agency
from .test_appraisal_results import appraise, give_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
DOMAINS = [
    ("Công tác chỉ đạo, điều hành cải cách hành chính", "12.5"),
    ("Cải cách thể chế", "10"),
    ("Cải cách thủ tục hành chính", "10.5"),
    ("Cải cách tổ chức bộ máy hành chính nhà nước", "6.5"),
    ("Cải cách chế độ công vụ", "8"),
    ("Cải cách tài chính công", "8"),
    ("Xây dựng và phát triển Chính quyền điện tử, Chính quyền số", "11"),
]
AGENCIES = [
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nông nghiệp và Môi trường",
    "Ban Quản lý các khu công nghiệp, khu kinh tế và khu chế xuất tỉnh",
    "Sở Văn hóa, Thể thao và Du lịch",
]


def _department_set(*, year_from: int = 2026, year_to: int | None = None, name: str = "Bộ chỉ số sở"):
    rows = []
    for number, (title, maximum) in enumerate(DOMAINS, start=1):
        rows.append(NodeRow(code=str(number), title=title, max_points=D(maximum)))
        rows.append(
            NodeRow(
                code=f"{number}.1", title=f"Tiêu chí {number}.1", max_points=D(maximum), method="manual", step=D("0.5")
            )
        )
    rows.append(NodeRow(code="8", title="Điều tra xã hội học", max_points=D("33.5"), is_survey=True))
    rows.append(NodeRow(code="8.1", title="Chỉ số hài lòng", max_points=D("33.5"), method="manual", is_survey=True))
    return index_set_create(
        name=name, agency_kind=AgencyKind.DEPARTMENT, year_from=year_from, year_to=year_to, rows=rows
    )


def box(locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def _no_page_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_ranking_and_heat_map_on_desktop_and_phone(page, live_server, screenshot_dir, users):
    agencies = [make_agency(name) for name in AGENCIES]
    period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], index_set=_department_set())
    for n, agency in enumerate(agencies):
        points = {
            f"{d}.1": max(D(0), D(maximum) - D((n * d) % 7) / 2) for d, (_t, maximum) in enumerate(DOMAINS, start=1)
        }
        appraise(period, users["reviewer"], points, agency=agency)
        give_survey(period, D(20) + D(n * 3) / 2, agency=agency)
    login(page, live_server, "lanhdao", PASSWORD)

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/bao-cao/ky/{period.pk}/xep-hang/")
    expect(page.locator("h1")).to_have_text("Xếp hạng theo khối")
    expect(page.locator("tr[data-agency]")).to_have_count(len(AGENCIES))
    chart = page.locator(".report-chart svg").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= page.locator("main").bounding_box()["width"]  # type: ignore[index]
    page.screenshot(path=screenshot_dir / "reports-ranking.png", full_page=True)
    _no_page_overflow(page)

    page.set_viewport_size(PHONE)
    phone_chart = page.locator(".report-chart svg").nth(1)
    expect(phone_chart).to_be_visible()
    assert phone_chart.bounding_box()["width"] <= PHONE["width"]  # type: ignore[index]
    page.screenshot(path=screenshot_dir / "reports-ranking-phone.png", full_page=True)
    _no_page_overflow(page)
    # The table is wider than the phone and scrolls inside its box.
    scroller = page.locator(".ranking-scroll").first
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    # Scrolled to its end, rank and agency (with its two scorecard links) stay in view at the left.
    scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    row = page.locator("tr[data-agency]").first
    rank, agency, pdf = (box(row.locator(s)) for s in ("td.rank", "th.agency-col", "a.scorecard-pdf"))
    assert rank["x"] < 20 and agency["x"] + agency["width"] < PHONE["width"] * 0.6
    assert agency["x"] < pdf["x"] and pdf["x"] + pdf["width"] <= agency["x"] + agency["width"]
    assert pdf["width"] >= 16 and pdf["height"] >= 16  # a target a finger can hit
    scroller.screenshot(path=screenshot_dir / "reports-ranking-phone-scrolled.png")
    # The agency's name opens its scorecard.
    name = row.locator("th.agency-col a").first
    expected = name.inner_text()
    name.click()
    expect(page.locator("h1")).to_have_text(expected)
    page.screenshot(path=screenshot_dir / "reports-scorecard-from-ranking-phone.png", full_page=True)
    page.go_back()

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/bao-cao/ky/{period.pk}/ban-do-nhiet/")
    expect(page.locator("rect.cell")).to_have_count(len(AGENCIES) * (len(DOMAINS) + 1))
    page.screenshot(path=screenshot_dir / "reports-heatmap.png", full_page=True)
    _no_page_overflow(page)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshot_dir / "reports-heatmap-phone.png", full_page=True)
    _no_page_overflow(page)

    period_finalise(period=period, user=users["admin"])
    period_publish(period=period, user=users["admin"], decision="25/QĐ-UBND")
    page.context.clear_cookies()
    login(page, live_server, "chuyenvien", PASSWORD)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/bao-cao/ky/{period.pk}/xep-hang/")
    expect(page.locator("[data-source=published]")).to_contain_text("theo Quyết định số 25/QĐ-UBND")
    page.screenshot(path=screenshot_dir / "reports-ranking-published.png", full_page=True)

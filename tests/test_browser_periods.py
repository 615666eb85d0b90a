"""An administrator sets up a period in headless Chromium (screenshots in test-artifacts/)."""

import pytest
from playwright.sync_api import expect

from assessments.models import Period
from organisations.models import AgencyKind, Role

from .conftest import login
from .factories import PASSWORD, make_agency, make_index_set, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_creates_a_period_choosing_agencies_by_kind(page, live_server, screenshot_dir):
    make_index_set(AgencyKind.DEPARTMENT, "Bộ chỉ số sở 2027")
    make_index_set(AgencyKind.COMMUNE, "Bộ chỉ số xã 2027")
    for name in ("Sở Nội vụ", "Sở Tư pháp", "Sở Y tế"):
        make_agency(name)
    for name in ("UBND phường Minh Xuân", "UBND xã Trung Hà"):
        make_agency(name, AgencyKind.COMMUNE)
    admin = make_user("quantri", Role.ADMIN)
    login(page, live_server, admin.username, PASSWORD)

    page.goto(f"{live_server.url}/ky-danh-gia/")
    page.click("text=Tạo kỳ đánh giá")
    expect(page.locator("h1")).to_have_text("Tạo kỳ đánh giá")
    page.fill("#id_year", "2027")
    page.fill("#id_name", "Chỉ số CCHC năm 2027")
    page.select_option(f"#id_set_{AgencyKind.DEPARTMENT}", label="Bộ chỉ số sở 2027 (v1)")
    page.fill("#id_self_assessment_deadline", "15/01/2027 17:00")
    page.fill("#id_appraisal1_deadline", "10/01/2027 17:00")  # before the self-assessment: refused
    page.fill("#id_warning_domains", "1, 2")  # the test set has two domains (the default is 3, 7)
    # "select all" for departments ticks the three of them and none of the communes; "clear" undoes it
    page.click('[data-check-group="1"][data-check="1"]')
    expect(page.locator('.agency-boxes[data-group="1"] input:checked')).to_have_count(3)
    expect(page.locator('.agency-boxes[data-group="2"] input:checked')).to_have_count(0)
    page.click('[data-check-group="1"][data-check="0"]')
    expect(page.locator('.agency-boxes[data-group="1"] input:checked')).to_have_count(0)
    page.click('[data-check-group="1"][data-check="1"]')
    page.click("main form button[type=submit]")

    expect(page.locator("#div_id_appraisal1_deadline .invalid-feedback")).to_contain_text(
        "Hạn thẩm định vòng 1 phải sau hạn tự đánh giá."
    )
    page.screenshot(path=screenshot_dir / "period-form-errors.png", full_page=True)
    assert not Period.objects.exists()

    page.fill("#id_appraisal1_deadline", "15/02/2027 17:00")
    page.click("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu kỳ «Chỉ số CCHC năm 2027».")
    period = Period.objects.get()
    assert sorted(a.name for a in period.agencies.all()) == ["Sở Nội vụ", "Sở Tư pháp", "Sở Y tế"]
    page.screenshot(path=screenshot_dir / "periods.png", full_page=True)

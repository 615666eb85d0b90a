"""Sở Nội vụ enters survey points and bonus/penalty in headless Chromium, on a desktop and a 390 px phone
(screenshots in test-artifacts/)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from appraisal.adjustments import adjustment_add
from appraisal.models import Adjustment, SurveyScore
from appraisal.survey_excel import SHEET
from appraisal.surveys import survey_parts, survey_set
from assessments.models import Period
from organisations.models import Agency, Role

from .conftest import login
from .factories import PASSWORD, appraisal_period, assessment_of, make_agency, make_user, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def setup():
    admin = make_user("quantri", Role.ADMIN)
    reviewer = make_user("thamdinh", Role.REVIEWER)
    names = [("Sở Khoa học và Công nghệ", "SKHCN"), ("Sở Tư pháp", "STP"), ("Sở Y tế", "SYT"), ("Sở Xây dựng", "SXD")]
    agencies = [make_agency(name, short_name=short) for name, short in names]
    period = appraisal_period(*agencies, reviewer=reviewer, admin=admin)
    Period.objects.filter(pk=period.pk).update(bonus_cap=Decimal(2), penalty_cap=Decimal(3))
    first = assessment_of(period, agencies[0])
    (part,) = survey_parts(first.index_set_id)
    survey_set(assessment=first, node=part, points=Decimal("1.5"), user=admin)
    adjustment_add(
        assessment=first, kind="bonus", points=Decimal(1), reason="Sáng kiến cấp tỉnh", document="QĐ 12", user=admin
    )
    return period, admin, agencies


@pytest.mark.parametrize("size", WIDTHS)
def test_survey_import_error_and_adjustments(page, live_server, screenshot_dir, setup, size):
    period, admin, agencies = setup
    page.set_viewport_size({"width": WIDTHS[size], "height": 900})
    login(page, live_server, admin.username, PASSWORD)

    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/dieu-tra/")
    expect(page.locator("tr.row-overdue")).to_have_count(3)  # three agencies still without survey points
    header = ["Tên cơ quan, đơn vị", "Tên viết tắt", "3.1 Chỉ số hài lòng SIPAS (tối đa 2)"]
    data = xlsx_bytes([header, ["STP", "", 1.75], ["Sở Nội vụ", "", 1], ["SYT", "", 2.5]], sheet_title=SHEET)
    page.set_input_files(
        "#id_file", files=[{"name": "dieu-tra.xlsx", "mimeType": "application/octet-stream", "buffer": data}]
    )
    page.click("main form button[type=submit]")
    alert = page.locator(".alert-danger")
    expect(alert).to_contain_text(
        "Dòng 3, cột «Tên cơ quan, đơn vị»: «Sở Nội vụ» không phải là đơn vị tham gia kỳ này."
    )
    expect(alert).to_contain_text("Điểm 2,5 vượt điểm tối đa 2 của phần này.")
    assert SurveyScore.objects.count() == 1  # nothing of the file saved
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[size]
    page.screenshot(path=screenshot_dir / f"survey-import-error-{size}.png", full_page=True)

    # One agency's page: a change of a stored value needs a reason, then shows in the history.
    page.locator("tr", has_text="Sở Khoa học và Công nghệ").get_by_role("link", name="Sửa, lịch sử").click()
    points = page.get_by_label("3.1 Chỉ số hài lòng SIPAS (tối đa 2)")
    points.fill("1,75")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("ghi lý do điều chỉnh")
    page.fill("#id_reason", "Kết quả phúc khảo")
    page.click("main form button[type=submit]")
    expect(page.locator("main table")).to_contain_text("Kết quả phúc khảo")
    expect(page.locator("main table")).to_contain_text("1,5 → 1,75")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[size]
    page.screenshot(path=screenshot_dir / f"survey-agency-{size}.png", full_page=True)

    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/thuong-tru/")
    page.select_option("#id_assessment", label=agencies[0].name)
    page.select_option("#id_kind", value="bonus")
    page.fill("#id_points", "1,5")
    page.fill("#id_reason", "Giải thưởng cải cách hành chính")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("vượt mức tối đa 2,00 điểm thưởng của kỳ")
    assert Adjustment.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[size]
    page.screenshot(path=screenshot_dir / f"adjustments-{size}.png", full_page=True)

    # Withdraw the first bonus through the confirmation dialog.
    page.fill("input[name=reason][placeholder]", "Trùng với năm trước")
    page.locator("form[data-confirm] button[type=submit]").click()
    page.locator("dialog[open]").get_by_role("button", name="Hủy mục này").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã hủy mục của Sở Khoa học và Công nghệ.")
    assert Adjustment.objects.get().withdrawn_reason == "Trùng với năm trước"
    assert Agency.objects.count() == 4

"""The confirmation dialog of irreversible actions (static/js/confirm.js) in headless Chromium: it shows what
follows, cancelling changes nothing, confirming acts. Screenshots at desktop and phone width."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment, Evidence, Period, Score
from assessments.services import period_save
from evidence.services import evidence_add_document

from .conftest import login
from .factories import PASSWORD, assessment_of, fill_sheet, make_index_set, open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_submit_asks_first_and_cancel_changes_nothing(
    page, live_server, users, agency, other_agency, screenshot_dir, width
):
    page.set_viewport_size({"width": width, "height": 800})
    assessment = assessment_of(open_period(agency, other_agency), agency)
    fill_sheet(assessment, users["officer"])
    login(page, live_server, "truongphong", PASSWORD)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/gui/")
    page.get_by_role("button", name="Gửi bản tự đánh giá tới Sở Nội vụ").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Gửi bản tự đánh giá của Sở Khoa học và Công nghệ tới Sở Nội vụ?")
    expect(dialog).to_contain_text("không ai sửa được điểm, thuyết minh hay tài liệu kiểm chứng")
    page.screenshot(path=screenshot_dir / f"confirm-submit-{width}.png")
    dialog.get_by_role("button", name="Không, quay lại").click()
    expect(page.locator("dialog")).to_have_count(0)
    page.wait_for_timeout(300)
    assert page.url.endswith("/gui/")
    assert Assessment.objects.get(pk=assessment.pk).state == "draft"

    page.get_by_role("button", name="Gửi bản tự đánh giá tới Sở Nội vụ").click()
    page.locator("dialog[open]").get_by_role("button", name="Gửi bản tự đánh giá").click()
    page.wait_for_url(f"**/danh-gia/{assessment.pk}/")
    assert Assessment.objects.get(pk=assessment.pk).state == "submitted"


def test_removing_evidence_asks_first_and_cancel_keeps_it(page, live_server, users, agency, other_agency):
    assessment = assessment_of(open_period(agency, other_agency), agency)
    score = Score.objects.select_related("node").get(assessment=assessment, node__code="1.1")
    evidence_add_document(assessment=assessment, score=score, user=users["officer"], doc_number="02/KH-UBND")
    login(page, live_server, "chuyenvien", PASSWORD)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/")
    page.locator(f"#leaf-{score.pk}").get_by_role("button", name="Tài liệu kiểm chứng").click()
    panel = page.locator(f"#panel-{score.pk}")
    panel.get_by_role("button", name="Gỡ", exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Gỡ «02/KH-UBND» khỏi tiêu chí 1.1?")
    expect(dialog).to_contain_text("sẽ bị xóa hẳn")
    dialog.get_by_role("button", name="Không, giữ lại").click()
    page.wait_for_timeout(500)
    assert Evidence.objects.filter(assessment=assessment).count() == 1

    panel.get_by_role("button", name="Gỡ", exact=True).click()
    page.locator("dialog[open]").get_by_role("button", name="Gỡ tài liệu").click()
    expect(panel).to_contain_text("Đã gỡ tài liệu khỏi tiêu chí.")
    assert Evidence.objects.filter(assessment=assessment).count() == 0


@pytest.mark.parametrize("width", [1366, 390])
def test_opening_a_period_asks_first_and_cancel_changes_nothing(
    page, live_server, users, agency, other_agency, screenshot_dir, width
):
    page.set_viewport_size({"width": width, "height": 800})
    period = period_save(
        year=2027,
        name="Kỳ đánh giá 2027",
        index_sets=[make_index_set(name="Bộ 2027", year_from=2027)],
        agencies=[agency, other_agency],
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=30),
    )
    login(page, live_server, "quantri", PASSWORD)
    page.goto(f"{live_server.url}/ky-danh-gia/")
    page.get_by_role("button", name="Mở kỳ: tạo bản tự đánh giá").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Mở kỳ «Kỳ đánh giá 2027»?")
    expect(dialog).to_contain_text("không đổi được bộ chỉ số và danh sách đơn vị tham gia")
    page.screenshot(path=screenshot_dir / f"confirm-open-period-{width}.png")
    page.keyboard.press("Escape")  # Esc cancels too
    expect(page.locator("dialog")).to_have_count(0)
    page.wait_for_timeout(300)
    assert Period.objects.get(pk=period.pk).state == "setup"
    assert not Assessment.objects.filter(period=period).exists()

    page.get_by_role("button", name="Mở kỳ: tạo bản tự đánh giá").click()
    page.locator("dialog[open]").get_by_role("button", name="Mở kỳ", exact=True).click()
    page.wait_for_url(f"**/ky-danh-gia/{period.pk}/tien-do/")
    assert Period.objects.get(pk=period.pk).state == "open"
    assert Assessment.objects.filter(period=period).count() == 2

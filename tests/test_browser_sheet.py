"""The scoring sheet as a clerk and a Sở Nội vụ officer use it, in headless Chromium (screenshots saved)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment, Evidence, Score

from .conftest import login
from .factories import PASSWORD, assessment_of, open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def leaf(page, assessment, code):
    score = Score.objects.get(assessment=assessment, node__code=code)
    return page.locator(f"#leaf-{score.pk}"), score


def test_clerk_scores_uploads_and_head_submits(
    page, live_server, users, agency, other_agency, screenshot_dir, tmp_path
):
    assessment = assessment_of(open_period(agency, other_agency), agency)
    login(page, live_server, "chuyenvien", PASSWORD)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/")
    assert page.locator("h1").inner_text() == agency.name

    # manual score with a decimal comma: saved by htmx, row and totals refreshed in place
    row, score = leaf(page, assessment, "1.1")
    row.locator("input[name=self_points]").fill("0,75")
    assert "Chưa lưu" in row.locator(".save-status").inner_text()
    row.locator("button.save-btn").click()
    expect(page.locator(f"#leaf-{score.pk} .save-status")).to_contain_text("Đã lưu")
    assert page.locator("#total-points").inner_text() == "0,75"

    # ratio: the tier result is shown live before saving
    row, score = leaf(page, assessment, "1.3")
    row.locator("input[name=numerator]").fill("17")
    row.locator("input[name=denominator]").fill("20")
    assert row.locator(".live-result").inner_text() == "85 % → 1 điểm"
    row.locator("button.save-btn").click()
    expect(page.locator(f"#leaf-{score.pk} .save-status")).to_contain_text("Đã lưu")

    # out of bounds: refused in Vietnamese, the typed value stays
    row, score = leaf(page, assessment, "2.1.1.1")
    row.locator("input[name=self_points]").fill("3")
    row.locator("button.save-btn").click()
    page.wait_for_selector(f"#leaf-{score.pk} .alert-danger")
    assert "Điểm phải từ 0 đến 1." in page.locator(f"#leaf-{score.pk} .alert-danger").inner_text()
    assert page.locator(f"#leaf-{score.pk} input[name=self_points]").input_value() == "3"

    # network failure: the user is told, the typed value is kept for a retry
    row, score = leaf(page, assessment, "2.1.2")
    row.locator("input[name=event_count]").fill("1")
    page.route("**/luu/", lambda route: route.abort())
    row.locator("button.save-btn").click()
    expect(page.locator(f"#leaf-{score.pk} .save-status")).to_contain_text("Chưa lưu được")
    assert page.locator(f"#leaf-{score.pk} input[name=event_count]").input_value() == "1"
    page.unroute("**/luu/")
    row.locator("button.save-btn").click()
    expect(page.locator(f"#leaf-{score.pk} .save-status")).to_contain_text("Đã lưu")
    assert Score.objects.get(pk=score.pk).self_points == Decimal("0.75")

    # evidence upload into leaf 1.1 through its panel
    row, score = leaf(page, assessment, "1.1")
    row.get_by_role("button", name="Tài liệu kiểm chứng").click()
    panel = page.locator(f"#panel-{score.pk}")
    pdf = tmp_path / "Ke hoach CCHC 2026.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    panel.locator("input[type=file]").set_input_files(str(pdf))
    panel.locator("form[hx-encoding] button[type=submit]").click()
    page.wait_for_selector(f"#leaf-{score.pk} a:has-text('Ke hoach CCHC 2026.pdf')")
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    page.screenshot(path=screenshot_dir / "sheet-upload.png", full_page=False)
    page.locator(f"#leaf-{score.pk}").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "sheet.png", full_page=True)

    # the head: the summary lists what is missing, then submission once complete
    for s in Score.objects.filter(assessment=assessment, node__is_survey=False, self_points__isnull=True):
        s.self_points = 0
        s.save()
    page.context.clear_cookies()
    login(page, live_server, "truongphong", PASSWORD)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/gui/")
    page.screenshot(path=screenshot_dir / "submit-summary.png", full_page=True)
    page.get_by_role("button", name="Gửi bản tự đánh giá tới Sở Nội vụ").click()
    page.wait_for_url(f"**/danh-gia/{assessment.pk}/")
    assert "Đã gửi bản tự đánh giá" in page.locator(".alert-success").inner_text()
    assert Assessment.objects.get(pk=assessment.pk).state == "submitted"

    # Sở Nội vụ follows progress
    page.context.clear_cookies()
    login(page, live_server, "quantri", PASSWORD)
    page.goto(f"{live_server.url}/ky-danh-gia/{assessment.period_id}/tien-do/")
    assert page.locator("tbody tr").count() == 2
    page.screenshot(path=screenshot_dir / "progress.png", full_page=True)

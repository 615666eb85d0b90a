"""The scoring sheet as a clerk and a Sở Nội vụ officer use it, in headless Chromium (screenshots saved)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment, Evidence, Score
from assessments.scoring import LeafInput
from assessments.services import ScoreEdit, score_save

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

    # ratio: the server's own scoring previews the tier before saving (debounced, nothing written)
    row, score = leaf(page, assessment, "1.3")
    row.locator("input[name=numerator]").fill("17")
    row.locator("input[name=denominator]").fill("20")
    expect(page.locator(f"#result-{score.pk}")).to_have_text("Khi lưu: 85 % → 1 điểm")
    assert Score.objects.get(pk=score.pk).version == 1
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
    page.locator("dialog[open]").get_by_role("button", name="Gửi bản tự đánh giá").click()
    page.wait_for_url(f"**/danh-gia/{assessment.pk}/")
    assert "Đã gửi bản tự đánh giá" in page.locator(".alert-success").inner_text()
    assert Assessment.objects.get(pk=assessment.pk).state == "submitted"

    # Sở Nội vụ follows progress
    page.context.clear_cookies()
    login(page, live_server, "quantri", PASSWORD)
    page.goto(f"{live_server.url}/ky-danh-gia/{assessment.period_id}/tien-do/")
    assert page.locator("tbody tr").count() == 2
    page.screenshot(path=screenshot_dir / "progress.png", full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_stale_edit_choice_keeps_mine_and_saves_it(
    page, live_server, users, agency, other_agency, screenshot_dir, width
):
    """Two people on one leaf: the second sees theirs and mine side by side, keeps what they typed."""
    page.set_viewport_size({"width": width, "height": 900})
    assessment = assessment_of(open_period(agency, other_agency), agency)
    login(page, live_server, "chuyenvien", PASSWORD)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/")
    row, score = leaf(page, assessment, "1.2")
    # meanwhile the head saves the same leaf
    score_save(
        score=Score.objects.select_related("node").get(pk=score.pk),
        edit=ScoreEdit(LeafInput(answer_yes=True), note="Báo cáo số 12/BC gửi đúng hạn"),
        version=1,
        user=users["head"],
    )
    row.locator(f"label[for=no-{score.pk}]").click()
    row.locator("textarea[name=note]").fill("Chuyên viên: đã hỏi ý kiến phòng Tổ chức")
    row.locator("button.save-btn").click()
    stale = page.locator(f"#leaf-{score.pk} .leaf-stale")
    expect(stale).to_contain_text("vừa lưu tiêu chí này")
    expect(stale.locator("table")).to_contain_text("Báo cáo số 12/BC gửi đúng hạn")
    expect(stale.locator("table")).to_contain_text("Chuyên viên: đã hỏi ý kiến phòng Tổ chức")
    fresh = page.locator(f"#leaf-{score.pk}")
    assert fresh.locator("textarea[name=note]").input_value() == "Chuyên viên: đã hỏi ý kiến phòng Tổ chức"
    fresh.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"stale-edit-{width}.png")
    assert page.evaluate("document.body.scrollWidth") <= width  # nothing scrolls sideways

    fresh.get_by_role("button", name="Giữ bản của tôi và lưu đè").click()
    expect(page.locator(f"#leaf-{score.pk} .save-status")).to_contain_text("Đã lưu")
    saved = Score.objects.get(pk=score.pk)
    assert (saved.answer_yes, saved.note, saved.version, saved.updated_by) == (
        False,
        "Chuyên viên: đã hỏi ý kiến phòng Tổ chức",
        3,
        users["officer"],
    )


def settled(page):
    """Wait until htmx has finished swapping and wired up the new row: typing into a row that is still
    settling (its listeners not yet attached) would trigger no preview — a person cannot type that fast."""
    expect(page.locator(".htmx-added, .htmx-settling, .htmx-swapping, .htmx-request")).to_have_count(0)


@pytest.mark.parametrize("width", [1366, 390])
def test_row_states_say_what_they_are(page, live_server, users, agency, other_agency, screenshot_dir, width):
    page.set_viewport_size({"width": width, "height": 900})
    assessment = assessment_of(open_period(agency, other_agency), agency)
    login(page, live_server, "chuyenvien", PASSWORD)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/")
    row, score = leaf(page, assessment, "1.1")
    row.locator("input[name=self_points]").fill("0,75")
    row.locator("button.save-btn").click()
    expect(page.locator(f"#result-{score.pk}")).to_have_text("Điểm đã lưu: 0,75 điểm")
    settled(page)
    # a refused value: the error, and the stored points said to be the stored ones
    page.locator(f"#leaf-{score.pk} input[name=self_points]").fill("3")
    expect(page.locator(f"#result-{score.pk}")).to_contain_text("Điểm phải từ 0 đến 1.")
    page.locator(f"#leaf-{score.pk} button.save-btn").click()
    expect(page.locator(f"#leaf-{score.pk} .alert-danger")).to_contain_text("Điểm phải từ 0 đến 1.")
    expect(page.locator(f"#result-{score.pk}")).to_have_text("Điểm đã lưu: 0,75 điểm")
    settled(page)
    # an empty box: told before and after that the score goes
    page.locator(f"#leaf-{score.pk} input[name=self_points]").fill("")
    expect(page.locator(f"#result-{score.pk}")).to_contain_text("bấm Lưu sẽ xóa điểm đã lưu (0,75)")
    page.locator(f"#leaf-{score.pk}").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"row-clear-preview-{width}.png")
    page.locator(f"#leaf-{score.pk} button.save-btn").click()
    expect(page.locator(f"#leaf-{score.pk} .save-status")).to_contain_text("Đã xóa điểm (trước đó 0,75)")
    assert Score.objects.get(pk=score.pk).self_points is None
    # not applicable with a typed answer: the answer will not count
    row, score = leaf(page, assessment, "1.2")
    row.locator(f"label[for=yes-{score.pk}]").click()
    row.locator("input[name=not_applicable]").check()
    expect(page.locator(f"#result-{score.pk}")).to_contain_text("điểm đã nhập sẽ không được tính")
    page.locator(f"#leaf-{score.pk}").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / f"row-not-applicable-{width}.png")

"""The history page and the set editor in headless Chromium, on a desktop and a 390 px phone (screenshots
in test-artifacts/). Neither page scrolls sideways on the phone; the editor's table scrolls in its own box."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import ScoreChange
from assessments.scoring import LeafInput
from assessments.services import ScoreEdit, assessment_mark_ready, score_save
from criteria.models import IndexSet
from evidence.services import evidence_add_document, evidence_link
from organisations.models import Role

from .conftest import login
from .factories import PASSWORD, assessment_of, make_agency, make_index_set, make_user, open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_history_page_reads_as_the_sheet_and_pages_on_desktop_and_phone(page, live_server, screenshot_dir):
    agency = make_agency("Sở Khoa học và Công nghệ")
    officer = make_user("chuyenvien", Role.OFFICER, agency, first_name="Lan", last_name="Nguyễn Thị")
    assessment = assessment_of(open_period(agency), agency)
    leaf = assessment.scores.get(node__code="1.1")
    # 300 older notes first, so the newest entries and the page links are what the officer sees.
    start = timezone.now() - datetime.timedelta(days=20)
    ScoreChange.objects.bulk_create(
        ScoreChange(
            score=leaf,
            assessment=assessment,
            changed_by=officer,
            changed_at=start + datetime.timedelta(minutes=i),
            changes={"note": ["", f"Ghi chú cũ {i}"]},
        )
        for i in range(300)
    )
    score_save(score=leaf, edit=ScoreEdit(LeafInput(self_points=D("0.25"))), version=leaf.version, user=officer)
    yes_no = assessment.scores.select_related("node").get(node__code="1.2")
    score_save(score=yes_no, edit=ScoreEdit(LeafInput(answer_yes=True)), version=yes_no.version, user=officer)
    document = evidence_add_document(
        assessment=assessment, score=leaf, user=officer, doc_number="15/KH-SKHCN", doc_summary="Kế hoạch CCHC 2026"
    )
    evidence_link(evidence=document, score=yes_no, user=officer)
    assessment_mark_ready(assessment=assessment, user=officer)

    login(page, live_server, officer.username, PASSWORD)
    page.goto(f"{live_server.url}/danh-gia/{assessment.pk}/lich-su/")
    expect(page.locator("#history-count")).to_contain_text("305 mục")
    expect(page.locator("#history-count")).to_contain_text("trang 1/2")
    entries = page.locator(".history-list > li")
    expect(entries.first).to_contain_text("Chuyên viên báo sẵn sàng trình")
    text = page.locator(".history-list").inner_text()
    assert "Điểm tự chấm: — → 0,25" in text and "Kết quả: — → Đạt" in text
    assert "Thêm tài liệu kiểm chứng: «15/KH-SKHCN – Kế hoạch CCHC 2026»" in text
    assert "Dùng lại tài liệu kiểm chứng: «15/KH-SKHCN – Kế hoạch CCHC 2026»" in text
    assert "self_points" not in text and "True" not in text
    page.screenshot(path=screenshot_dir / "history-desktop.png")

    page.set_viewport_size(PHONE)
    assert no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "history-phone.png")
    page.click("text=Trang sau")
    expect(page.locator("#history-count")).to_contain_text("trang 2/2")
    expect(entries).to_have_count(5)
    expect(entries.last).to_contain_text("Ghi chú cũ 0")
    assert no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "history-phone-page-2.png", full_page=True)


def test_set_editor_refuses_a_broken_tree_keeping_the_input_then_saves(page, live_server, screenshot_dir):
    admin = make_user("quantri", Role.ADMIN)
    index_set = make_index_set(name="Bộ chỉ số sở 2027")
    login(page, live_server, admin.username, PASSWORD)
    page.goto(f"{live_server.url}/bo-chi-so/{index_set.pk}/")
    page.click("main a:has-text('Sửa')")
    expect(page.locator("h1")).to_contain_text("Sửa bộ chỉ số")
    page.fill("[name=r-1-title]", "Kế hoạch CCHC năm 2027")
    page.fill("[name=r-1-max_points]", "1,5")  # parent «1» still says 3: refused
    page.get_by_role("button", name="Thêm dòng").click()
    expect(page.locator("[name=r-11-code]")).to_be_visible()
    assert page.input_value("[name=r-1-title]") == "Kế hoạch CCHC năm 2027"  # kept across «Thêm dòng»
    page.fill("[name=r-11-code]", "1.4")
    page.fill("[name=r-11-title]", "Công khai kết quả")
    page.fill("[name=r-11-max_points]", "0,5")
    page.select_option("[name=r-11-method]", "yes_no")
    page.get_by_role("button", name="Lưu bộ chỉ số").click()
    expect(page.locator("#editor-errors")).to_contain_text("Chưa lưu")
    expect(page.locator("#dong-1")).to_contain_text("Tổng điểm tối đa của các mục con của «1» là 4, khác điểm tối đa")
    assert page.input_value("[name=r-11-title]") == "Công khai kết quả"
    assert index_set.nodes.count() == 11 and not index_set.nodes.filter(code="1.4").exists()
    page.screenshot(path=screenshot_dir / "set-editor-errors.png")

    page.set_viewport_size(PHONE)
    assert no_sideways_scroll(page)
    assert page.evaluate("(b => b.scrollWidth > b.clientWidth)(document.querySelector('.editor-scroll'))")
    page.screenshot(path=screenshot_dir / "set-editor-phone.png")

    page.fill("[name=r-0-max_points]", "4")
    page.get_by_role("button", name="Lưu bộ chỉ số").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu bộ chỉ số «Bộ chỉ số sở 2027» (phiên bản 1).")
    assert no_sideways_scroll(page)
    nodes = {n.code: n for n in IndexSet.objects.get(pk=index_set.pk).nodes.all()}
    assert (nodes["1"].max_points, nodes["1.1"].max_points, nodes["1.1"].title) == (
        4,
        D("1.5"),
        "Kế hoạch CCHC năm 2027",
    )
    assert (nodes["1.4"].method, nodes["1.4"].max_points) == ("yes_no", D("0.5"))

"""The explanation round in headless Chromium, on a desktop and a 390 px phone (screenshots in
test-artifacts/): the agency's explanation page of a returned sheet, the administrator's list with the
return button, and one leaf's history. None scrolls sideways on the phone."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appraisal.explaining import explanation_answer, explanation_evidence_lock, return_for_explanation
from appraisal.services import AppraisalEdit, appraisal_save, explanation_request
from assessments.models import AssessmentState, Period, Score
from evidence.services import evidence_add_document
from organisations.models import Role

from .conftest import login
from .factories import PASSWORD, appraisal_period, make_agency, make_user
from .test_browser_history import PHONE, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def test_explanation_round_pages_on_desktop_and_phone(page, live_server, screenshot_dir):
    agency = make_agency("Sở Khoa học và Công nghệ")
    other = make_agency("Sở Tư pháp")
    admin = make_user("quantri", Role.ADMIN, first_name="Hà", last_name="Trần Thu")
    reviewer = make_user("thamdinh", Role.REVIEWER, first_name="Minh", last_name="Lê Văn")
    head = make_user("giamdoc", Role.HEAD, agency, first_name="Bình", last_name="Phạm Thanh")
    officer = make_user("chuyenvien", Role.OFFICER, agency, first_name="Lan", last_name="Nguyễn Thị")
    period = appraisal_period(agency, other, reviewer=reviewer, admin=admin)
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=7))
    scores = {s.node.code: s for s in Score.objects.select_related("node").filter(assessment__agency=agency)}
    for code, points, comment in [
        ("1.1", D("0.25"), "Kế hoạch ban hành chậm hai tháng so với quy định."),
        ("1.2", D(1), ""),
        ("1.3", D("0.5"), "Tỷ lệ hồ sơ trực tuyến chưa có số liệu kiểm chứng."),
        ("2.1.1.1", D("0.5"), ""),
    ]:
        score = scores[code]
        score.refresh_from_db()
        appraisal_save(
            score=score, edit=AppraisalEdit(points=points, comment=comment), version=score.version, user=reviewer
        )
    first = explanation_request(
        score=scores["1.1"], kind="explain", text="Đề nghị giải trình lý do ban hành chậm.", user=reviewer
    )
    explanation_request(
        score=scores["1.3"], kind="supplement", text="Bổ sung báo cáo số liệu hồ sơ trực tuyến năm.", user=reviewer
    )
    return_for_explanation(period=period, user=admin)
    explanation_answer(request=first, text="Kế hoạch chờ ý kiến của UBND tỉnh nên ban hành ngày 15/3.", user=officer)
    evidence_add_document(
        assessment=scores["1.1"].assessment,
        score=scores["1.1"],
        user=officer,
        doc_number="15/KH-SKHCN",
        doc_summary="Kế hoạch CCHC năm 2026",
        lock=explanation_evidence_lock,
    )
    assessment = scores["1.1"].assessment
    assert assessment.__class__.objects.get(pk=assessment.pk).state == AssessmentState.RETURNED

    # The agency's head: the explanation page of the returned sheet.
    login(page, live_server, head.username, PASSWORD)
    page.goto(f"{live_server.url}/tham-dinh/bai/{assessment.pk}/giai-trinh/")
    expect(page.locator("#asked-summary")).to_contain_text("2 tiêu chí được yêu cầu giải trình")
    expect(page.locator("#send-button")).to_be_visible()
    page.screenshot(path=screenshot_dir / "explain-answer-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    assert no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "explain-answer-phone.png", full_page=True)

    # One leaf's history, on the phone then the desktop.
    page.goto(f"{live_server.url}/tham-dinh/bai/{assessment.pk}/tieu-chi/{scores['1.1'].pk}/lich-su/")
    expect(page.locator("#leaf-history > li")).to_have_count(5)  # self, round 1, request, answer, evidence
    assert no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "explain-leaf-history-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.screenshot(path=screenshot_dir / "explain-leaf-history-desktop.png", full_page=True)

    # The administrator's list.
    page.context.clear_cookies()
    login(page, live_server, admin.username, PASSWORD)
    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/giai-trinh/")
    expect(page.locator("#explanations tbody tr")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "explain-period-desktop.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    assert no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "explain-period-phone.png", full_page=True)

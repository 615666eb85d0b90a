"""The reviewer's work in headless Chromium on the department set: the queue, by agency (evidence opened in
the page, the «next» key, an htmx save), by criterion (accept the self points), round 2 with the agency's
answer under the request, and the «chưa lưu» mark with its leave-page question, on a desktop and a 390 px
phone (screenshots in test-artifacts/)."""

import datetime
import hashlib
import re
import struct
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from appraisal.explaining import explanation_answer, explanation_evidence_lock, explanation_send, return_for_explanation
from appraisal.models import AppraisalEntry
from appraisal.services import AppraisalEdit, appraisal_save, explanation_request
from assessments.models import Evidence, EvidenceKind, EvidenceLink, Period, Score
from criteria.jsonio import load_index_set_file
from evidence.services import evidence_upload
from organisations.models import Role

from .conftest import login
from .factories import PASSWORD, appraisal_period, make_agency, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "indexset_department.json"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png(width: int = 240, height: int = 120) -> bytes:
    """A small striped PNG (no imaging library needed): a scanned page stand-in."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((31, 78, 121) if (y // 12) % 2 else (230, 238, 246)) * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def attach(score: Score, name: str, content: bytes, content_type: str) -> None:
    evidence = Evidence(
        assessment_id=score.assessment_id,
        kind=EvidenceKind.FILE,
        original_name=name,
        size=len(content),
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    evidence.assessment = score.assessment
    evidence.file.save(name, ContentFile(content), save=False)
    evidence.save()
    EvidenceLink.objects.create(evidence=evidence, score=score)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def shoot(page, screenshot_dir: Path, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=screenshot_dir / f"{name}-desktop.png")
    page.set_viewport_size(PHONE)
    assert no_sideways_scroll(page), name
    page.screenshot(path=screenshot_dir / f"{name}-phone.png")
    page.set_viewport_size(DESKTOP)


def test_reviewer_appraises_by_agency_and_by_criterion(page, live_server, screenshot_dir):
    index_set = load_index_set_file(FIXTURE)
    names = ["Sở Khoa học và Công nghệ", "Sở Tư pháp", "Sở Y tế", "Sở Xây dựng"]
    agencies = [make_agency(name) for name in names]
    admin = make_user("quantri", Role.ADMIN)
    reviewer = make_user("thamdinh", Role.REVIEWER, first_name="Bình", last_name="Trần Văn")
    period = appraisal_period(*agencies, reviewer=reviewer, admin=admin, index_set=index_set)
    # Realistic self scores: full points on the manual leaves of domain 1, ratios, notes, evidence.
    scores = Score.objects.select_related("node", "assessment").filter(assessment__period=period)
    for score in scores.filter(node__method="manual", node__is_survey=False):
        Score.objects.filter(pk=score.pk).update(
            self_points=score.max_points, note="Đã ban hành kế hoạch đúng hạn, kèm quyết định phê duyệt."
        )
    for i, score in enumerate(scores.filter(node__method="yes_no").order_by("pk")):
        if i % 4:  # most agencies did what the leaf asks; one in four did not
            Score.objects.filter(pk=score.pk).update(
                answer_yes=True, self_points=score.max_points, note="Có văn bản, đã đính kèm trong hồ sơ."
            )
    for score in scores.filter(node__method="ratio"):
        Score.objects.filter(pk=score.pk).update(numerator=D(45), denominator=D(60))
    first_agency = period.assessments.get(agency=agencies[0])
    leaves = list(scores.filter(assessment=first_agency, node__is_survey=False).order_by("node__position"))
    attach(leaves[0], "ke-hoach-cchc-2026.pdf", PDF, "application/pdf")
    attach(leaves[0], "anh-chup-cong-van.png", png(), "image/png")
    Evidence.objects.create(
        assessment=first_agency, kind=EvidenceKind.DOCUMENT, doc_number="15/KH-SKHCN", doc_summary="Kế hoạch CCHC"
    )
    EvidenceLink.objects.create(evidence=Evidence.objects.get(doc_number="15/KH-SKHCN"), score=leaves[1])
    leaves[0].refresh_from_db()
    appraisal_save(
        score=leaves[0],
        edit=AppraisalEdit(points=leaves[0].max_points, comment="Đủ hồ sơ"),
        version=leaves[0].version,
        user=reviewer,
    )

    login(page, live_server, "thamdinh", PASSWORD)
    page.goto(f"{live_server.url}/tham-dinh/")
    expect(page.locator("h1")).to_contain_text("Việc thẩm định của tôi")
    shoot(page, screenshot_dir, "appraisal-queue")

    # By agency: the PDF and the image open inside the page.
    page.click(f"text={names[0]}")
    expect(page.locator("h1")).to_contain_text(names[0])
    first_row = page.locator(f"#work-{leaves[0].pk}")
    first_row.locator("details.evidence-view summary").nth(1).click()
    expect(first_row.locator("img.evidence-image")).to_be_visible()
    # Visible is not loaded: on a busy machine the bytes arrive later. decode() resolves once the image is loaded
    # (wait_for_function would poll through eval, which the page's Content Security Policy refuses).
    first_row.locator("img.evidence-image").evaluate("img => img.decode()")
    assert page.evaluate("document.querySelector('img.evidence-image').naturalWidth") == 240
    first_row.locator("details.evidence-view summary").nth(0).click()
    expect(first_row.locator("iframe.evidence-frame")).to_have_count(1)
    shoot(page, screenshot_dir, "appraisal-by-agency")
    # Closing the PDF drops its frame (static/js/appraisal.js): Chromium's PDF viewer, loading late on a busy
    # machine, took the keyboard focus from the page after the click below, and the key went to the viewer.
    pdf_summary, frames = first_row.locator("details.evidence-view summary").nth(0), first_row.locator("iframe")
    pdf_summary.click()
    expect(frames).to_have_count(0)
    pdf_summary.click()  # opened again, it loads anew
    expect(frames).to_have_count(1)
    pdf_summary.click()
    expect(frames).to_have_count(0)
    expect(first_row.locator("img.evidence-image")).to_be_visible()  # an image stays (no plugin, no focus)

    # «n» jumps to the next row still to appraise (the first leaf is done), and a save swaps the row.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("n")
    second = page.locator(f"#work-{leaves[1].pk}")
    expect(second.locator("input[name=points]")).to_be_focused()
    # fill() sets the whole value at once: key by key, a loaded machine can interleave the keys with the page's.
    second.locator("input[name=points]").fill("0,5")
    second.locator("textarea[name=comment]").fill("Thiếu văn bản chỉ đạo")
    # Wait for the save's own response (a loaded CI machine can take longer than the default 5 s to answer).
    with page.expect_response(lambda r: "/luu/" in r.url and r.request.method == "POST", timeout=30_000):
        second.locator("button[type=submit]", has_text="Lưu").click()
    expect(page.locator(f"#work-{leaves[1].pk} .work-status")).to_contain_text("Đã lưu", timeout=15_000)
    stored = list(AppraisalEntry.objects.filter(score=leaves[1]).values_list("points", "comment"))
    assert stored == [(D("0.5"), "Thiếu văn bản chỉ đạo")], stored
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("n")
    expect(page.locator(f"#work-{leaves[2].pk} input[name=points]")).to_be_focused()
    # A refused value says why on the row in Vietnamese.
    page.keyboard.type("99")
    page.locator(f"#work-{leaves[2].pk} button[type=submit]", has_text="Lưu").click()
    expect(page.locator(f"#work-{leaves[2].pk} .alert-danger")).to_contain_text("Điểm phải từ 0 đến")
    # Typed points and a comment, then a request sent from the same row: the row comes back with the request and
    # still holds what was typed, marked unsaved; nothing of it is stored.
    third = page.locator(f"#work-{leaves[2].pk}")
    third.locator("input[name=points]").fill("0,75")
    third.locator("textarea[name=comment]").fill("Chưa đủ căn cứ")
    third.locator("details.work-ask summary").click()
    third.locator("textarea[name=text]").fill("Bổ sung báo cáo quý")
    with page.expect_response(lambda r: "/yeu-cau/" in r.url and r.request.method == "POST", timeout=30_000):
        third.locator("button[type=submit]", has_text="Gửi yêu cầu").click()
    third = page.locator(f"#work-{leaves[2].pk}")
    expect(third.locator(".work-request")).to_contain_text("Bổ sung báo cáo quý", timeout=15_000)
    expect(third.locator("input[name=points]")).to_have_value("0,75")
    expect(third.locator("textarea[name=comment]")).to_have_value("Chưa đủ căn cứ")
    expect(third.locator(".work-unsaved")).to_be_visible()
    assert not AppraisalEntry.objects.filter(score=leaves[2]).exists()

    # By criterion: one leaf across the four agencies; accept the self points on one row.
    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/tieu-chi/{leaves[0].node_id}/")
    expect(page.locator(".work-row")).to_have_count(4)
    shoot(page, screenshot_dir, "appraisal-by-criterion")
    rows = page.locator(".work-row.work-pending")
    target = rows.first
    target.locator("button", has_text="Giữ điểm tự chấm").click()
    expect(page.locator(".work-row.work-pending")).to_have_count(2)
    assert AppraisalEntry.objects.filter(score__node_id=leaves[0].node_id, accepted_self=True).count() == 1
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshot_dir / "appraisal-by-criterion-phone-full.png", full_page=True)
    assert no_sideways_scroll(page)


def test_evidence_opened_before_the_script_ran_still_shows(page, live_server):
    """The page's script is deferred: on a slow line the reviewer can open a viewer before it runs, and the
    toggle it fired then has no listener. The script's response is held until the viewer is open."""
    agency = make_agency("Sở Khoa học và Công nghệ")
    reviewer = make_user("thamdinh", Role.REVIEWER)
    period = appraisal_period(agency, reviewer=reviewer, admin=make_user("quantri", Role.ADMIN))
    assessment = period.assessments.get()
    leaf = Score.objects.filter(assessment=assessment, node__is_survey=False).order_by("node__position").first()
    attach(leaf, "anh-chup-cong-van.png", png(), "image/png")
    login(page, live_server, "thamdinh", PASSWORD)

    held = []
    page.route(re.compile(r"/js/appraisal(\.[0-9a-f]+)?\.js$"), lambda route: held.append(route))
    page.goto(f"{live_server.url}/tham-dinh/bai/{assessment.pk}/", wait_until="commit")
    row = page.locator(f"#work-{leaf.pk}")
    row.locator("details.evidence-view summary").click()
    expect(row.locator("details.evidence-view")).to_have_attribute("open", "")
    assert len(held) == 1 and page.locator("img.evidence-image").count() == 0
    held[0].continue_()
    expect(row.locator("img.evidence-image")).to_be_visible()
    row.locator("img.evidence-image").evaluate("img => img.decode()")
    assert page.evaluate("document.querySelector('img.evidence-image').naturalWidth") == 240


WIDE = {"width": 1366, "height": 900}
SHOTS = Path("/work/wt/shots/appraisal-finish")


def shoot_row(page, row, screenshot_dir: Path, name: str) -> None:
    """The row in view at 1366 px and on a 390 px phone (no sideways scroll), into test-artifacts/ and,
    where that folder exists, the shots folder of this work."""
    for label, size in (("1366", WIDE), ("390", PHONE)):
        page.set_viewport_size(size)
        row.scroll_into_view_if_needed()
        page.evaluate("(el) => el.scrollIntoView({block: 'center'})", row.element_handle())
        assert no_sideways_scroll(page), name
        for folder in (screenshot_dir, SHOTS if SHOTS.is_dir() else None):
            if folder is not None:
                page.screenshot(path=folder / f"{name}-{label}.png")
    page.set_viewport_size(WIDE)


def test_round_two_answers_inline_and_the_unsaved_mark(page, live_server, screenshot_dir):
    """Round 2 by agency: the agency's answer and added evidence under the request. A row typed in but not
    saved says «chưa lưu» and leaving the page asks first; saving clears both; typing the value back too."""
    index_set = load_index_set_file(FIXTURE)
    agency, other = make_agency("Sở Khoa học và Công nghệ"), make_agency("Sở Tư pháp")
    admin = make_user("quantri", Role.ADMIN)
    reviewer = make_user("thamdinh", Role.REVIEWER, first_name="Bình", last_name="Trần Văn")
    officer = make_user("chuyenvien", Role.OFFICER, agency, first_name="Lan", last_name="Nguyễn Thị")
    head = make_user("giamdoc", Role.HEAD, agency)
    period = appraisal_period(agency, other, reviewer=reviewer, admin=admin, index_set=index_set)
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=7))
    sheet = period.assessments.select_related("period", "agency").get(agency=agency)
    leaves = list(
        Score.objects.select_related("node", "assessment")
        .filter(assessment=sheet, node__is_survey=False, node__method="manual")
        .order_by("node__position")
    )
    asked, plain = leaves[0], leaves[1]
    appraisal_save(
        score=asked,
        edit=AppraisalEdit(points=D(0), comment="Chưa có quyết định ban hành kế hoạch."),
        version=asked.version,
        user=reviewer,
    )
    request = explanation_request(
        score=asked, kind="supplement", text="Đề nghị bổ sung quyết định ban hành kế hoạch CCHC năm.", user=reviewer
    )
    return_for_explanation(period=period, user=admin)
    explanation_answer(
        request=request,
        text="Kế hoạch được ban hành kèm Quyết định số 20/QĐ-SKHCN ngày 10/01; đơn vị gửi bổ sung bản đã ký.",
        user=officer,
    )
    evidence_upload(
        assessment=asked.assessment,
        score=asked,
        upload=SimpleUploadedFile("Quyet dinh 20-QD-SKHCN.pdf", PDF, content_type="application/pdf"),
        user=officer,
        lock=explanation_evidence_lock,
    )
    explanation_send(assessment=sheet, user=head)

    login(page, live_server, "thamdinh", PASSWORD)
    page.goto(f"{live_server.url}/tham-dinh/bai/{sheet.pk}/")
    row = page.locator(f"#work-{asked.pk}")
    expect(row.locator(".work-answer-text")).to_contain_text("Quyết định số 20/QĐ-SKHCN")
    expect(row.locator(".work-added a", has_text="Quyet dinh 20-QD-SKHCN.pdf")).to_be_visible()
    expect(row.locator("a.work-history")).to_have_attribute(
        "href", f"/tham-dinh/bai/{sheet.pk}/tieu-chi/{asked.pk}/lich-su/"
    )
    expect(row.locator(".work-unsaved")).to_be_hidden()
    shoot_row(page, row, screenshot_dir, "appraisal-round2-answer")

    # Typing marks the row; leaving asks first (dismissed: the page stays).
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    target = page.locator(f"#work-{plain.pk}")
    target.locator("input[name=points]").fill("0,5")
    target.locator("textarea[name=comment]").fill("Thiếu văn bản chỉ đạo")
    expect(target.locator(".work-unsaved")).to_be_visible()
    expect(target.locator(".work-unsaved")).to_have_text("chưa lưu")
    expect(target).to_have_class(re.compile(r"\bwork-dirty\b"))
    shoot_row(page, target, screenshot_dir, "appraisal-unsaved")
    here = page.url
    page.locator(".breadcrumb a", has_text="Thẩm định").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and page.url == here
    expect(target.locator(".work-unsaved")).to_be_visible()

    # Typing the stored values back clears the mark; so does a save.
    other_row = page.locator(f"#work-{leaves[2].pk}")
    other_row.locator("textarea[name=comment]").fill("tạm")
    expect(other_row.locator(".work-unsaved")).to_be_visible()
    other_row.locator("textarea[name=comment]").fill("")
    expect(other_row.locator(".work-unsaved")).to_be_hidden()
    with page.expect_response(lambda r: "/luu/" in r.url and r.request.method == "POST", timeout=30_000):
        target.locator("button[type=submit]", has_text="Lưu").click()
    expect(page.locator(f"#work-{plain.pk} .work-status")).to_contain_text("Đã lưu", timeout=15_000)
    expect(page.locator(f"#work-{plain.pk} .work-unsaved")).to_be_hidden()
    assert AppraisalEntry.objects.filter(score=plain, points=D("0.5"), round=2).exists()
    assert page.locator(".work-row.work-dirty").count() == 0
    page.locator(".breadcrumb a", has_text="Thẩm định").click()
    page.wait_for_url(f"{live_server.url}/tham-dinh/")
    assert dialogs == ["beforeunload"]  # no second question

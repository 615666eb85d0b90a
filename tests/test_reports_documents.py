"""The decision publishing the results (PDF and Word) and one agency's scorecard (PDF): the text read back
from the files (pdftotext, python-docx) with the Vietnamese strings and hand-computed figures, the page
layout (A4 portrait, landscape annex, the bundled Tinos font), and who may download what, before and after
publication."""

import datetime
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from appraisal.models import AdjustmentKind
from appraisal.publishing import period_finalise, period_publish
from appraisal.services import assignment_save, period_start_appraisal
from assessments.models import Period
from assessments.services import assessment_submit, period_open, period_save
from organisations.models import AgencyKind
from reports.access import Access, ranking_access, scorecard_access
from reports.decision import DecisionOptions, date_words, split_decision
from reports.pdf import write_decision_pdf, write_scorecard_pdf
from reports.pdf_join import PdfJoin

from .factories import fill_sheet, make_agency, make_index_set
from .test_appraisal_results import SEED_004_POINTS, adjust, appraise, give_survey, seed_004_set

D = Decimal
pytestmark = pytest.mark.django_db

PDFTOTEXT, PDFINFO, PDFFONTS = (shutil.which(tool) or "" for tool in ("pdftotext", "pdfinfo", "pdffonts"))
QPDF = shutil.which("qpdf") or ""
needs_poppler = pytest.mark.skipif(
    not (PDFTOTEXT and PDFINFO and PDFFONTS), reason="poppler-utils is not installed (make system-deps)"
)

ROUTES = {"reports:decision_pdf", "reports:decision_docx", "reports:scorecard_pdf"}

# ---- a small province: two departments on the seed 004 set, one commune on the compact set ---------------


@pytest.fixture
def commune(db):
    return make_agency("UBND phường Minh Xuân", AgencyKind.COMMUNE)


def build_period(users, agency, other_agency, commune, *, extra: int = 0) -> Period:
    """A period through the services, appraised with these hand-computed results:

    - Sở Khoa học và Công nghệ: seed 004, 61,5/66,5 + survey 21,41/33,5 → 82,91 %, Tốt, 2nd of the departments;
    - Sở Tư pháp: 66,5/66,5 + survey 30 − penalty 0,5 → 96,00 %, Tốt, 1st;
    - UBND phường Minh Xuân: 2/5 (1.1 appraised 1, the deduction leaf keeps its 1) + survey 1,5/2 + bonus 0,5
      → 4/7 = 57,14 %, Yếu, 1st of the communes.

    ``extra`` more departments (all leaves at full marks, no survey: 66,5/100) make a larger case.
    """
    extras = [make_agency(f"Sở Thêm {n:02d}") for n in range(extra)]
    department_set = seed_004_set()
    commune_set = make_index_set(AgencyKind.COMMUNE, name="Bộ chỉ số xã")
    period = period_save(
        year=2026,
        name="Kỳ đánh giá 2026",
        index_sets=[department_set, commune_set],
        agencies=[agency, other_agency, commune, *extras],
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=30),
        bonus_cap=D(2),
        penalty_cap=D(2),
    )
    period_open(period=period)
    for assessment in period.assessments.select_related("period", "agency"):
        fill_sheet(assessment, users["admin"])
        assessment_submit(assessment=assessment, user=users["admin"])
    for index_set in (department_set, commune_set):
        for domain in index_set.nodes.filter(depth=1, is_survey=False):
            assignment_save(period=period, node=domain, reviewer=users["reviewer"], user=users["admin"])
    period_start_appraisal(period=period, user=users["admin"])
    period.refresh_from_db()

    reviewer = users["reviewer"]
    appraise(period, reviewer, {f"{n}.1": D(p) for n, p in enumerate(SEED_004_POINTS, start=1)}, agency=agency)
    full = {"1.1": D("12.5"), "2.1": D(10), "3.1": D("10.5"), "4.1": D("6.5"), "5.1": D(8), "6.1": D(8), "7.1": D(11)}
    appraise(period, reviewer, full, agency=other_agency)
    for extra_agency in extras:
        appraise(period, reviewer, full, agency=extra_agency)
    appraise(period, reviewer, {"1.1": D(1)}, agency=commune)
    give_survey(period, D("21.41"), agency=agency)
    give_survey(period, D(30), agency=other_agency)
    give_survey(period, D("1.5"), agency=commune)
    for extra_agency in extras:
        give_survey(period, D(0), agency=extra_agency)
    adjust(period.assessments.get(agency=other_agency), AdjustmentKind.PENALTY, D("0.5"))
    adjust(period.assessments.get(agency=commune), AdjustmentKind.BONUS, D("0.5"))
    return period


@pytest.fixture
def live(users, agency, other_agency, commune) -> Period:
    return build_period(users, agency, other_agency, commune)


def publish(period: Period, users, decision: str = "25/QĐ-UBND ngày 30/01/2027") -> Period:
    period_finalise(period=period, user=users["admin"])
    period_publish(period=period, user=users["admin"], decision=decision)
    period.refresh_from_db()
    return period


@pytest.fixture
def published(live, users) -> Period:
    return publish(live, users)


# ---- reading the files back ---------------------------------------------------------------------------------


def pdf_text(content: bytes, *, first: int | None = None, last: int | None = None, layout: bool = False) -> str:
    args = [PDFTOTEXT, "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    # The tool's resolved path and our own arguments (S603); the PDF goes in on stdin.
    return subprocess.run([*args, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S603


def flat(text: str) -> str:
    """The text with line breaks and runs of spaces as single spaces: a sentence reads whole across lines."""
    return " ".join(text.split())


def pdf_pages(content: bytes) -> list[tuple[float, float]]:
    """Each page's size in points (width, height)."""
    out = subprocess.run(  # noqa: S603 - the tool's resolved path, our own arguments
        [PDFINFO, "-f", "1", "-l", "999", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            width, _x, height = line.split("size:")[1].split()[:3]
            sizes.append((float(width), float(height)))
    return sizes


def pdf_fonts(content: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "f.pdf"
    path.write_bytes(content)
    out = subprocess.run([PDFFONTS, str(path)], capture_output=True, check=True).stdout.decode()  # noqa: S603
    rows = out.splitlines()[2:]
    return [(row.split()[0], row.split()[-5]) for row in rows]  # name, embedded


def decision_pdf_bytes(period: Period, access: Access, **options: object) -> bytes:
    out = io.BytesIO()
    write_decision_pdf(period, access, out, options=DecisionOptions(**options))  # type: ignore[arg-type]
    return out.getvalue()


A4 = (595.3, 841.9)


def is_a4(size: tuple[float, float], *, landscape: bool) -> bool:
    width, height = size
    expected = (A4[1], A4[0]) if landscape else A4
    return abs(width - expected[0]) < 1 and abs(height - expected[1]) < 1


# ---- the decision as PDF ------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.skipif(not QPDF, reason="qpdf is not installed (make system-deps)")
def test_decision_printed_in_parts_reads_as_the_decision_printed_whole(db, monkeypatch, tmp_path):
    """write_decision_pdf lays the annex out a few pages at a time (reports/pdf_parts.py) so that its memory
    stays bounded. Here parts of one page on a generated province (three groups, rows over several pages, charts):
    every page reads exactly as in one rendering of the whole decision (rows, the header repeated, page numbers,
    charts), each row is printed once, and the fonts are embedded."""
    import re

    annex_row = re.compile(r"^\s*\d+\s+(UBND|Sở) .*\d+,\d\d\s")
    from benchmarks.province import generate
    from reports import pdf, pdf_parts

    _last, current, people = generate(80)
    access = ranking_access(people["admin"], current)  # type: ignore[arg-type]
    whole = io.BytesIO()
    pdf.html_to_pdf(pdf.decision_html(current, access), whole)

    monkeypatch.setattr(pdf_parts, "PART_PAGES", 1)
    monkeypatch.setattr(pdf_parts, "CHART_WEIGHT", 20.0)  # a chart to a part too
    joined: list[int] = []  # the size of each part, as it is added to the joined file
    add = PdfJoin.add

    def counted(self: PdfJoin, part: bytes) -> None:
        joined.append(len(part))
        add(self, part)

    monkeypatch.setattr(PdfJoin, "add", counted)
    starts: list[str] = []  # the kind of block each rendered part starts with

    def pieces(blocks: list[pdf_parts.Block]) -> list[pdf_parts.Piece]:
        starts.append(blocks[0].kind)
        return pdf_parts.pieces(blocks)

    monkeypatch.setattr(pdf, "pieces", pieces)
    steps: list[tuple[int, int]] = []
    in_parts = io.BytesIO()
    write_decision_pdf(current, access, in_parts, lambda done, total: steps.append((done, total)))

    pages = len(pdf_pages(whole.getvalue()))
    # Parts starting at the annex's title (after the decision, in the same part), mid-table (the header
    # repeated) and at a chart.
    assert pages >= 8 and len(joined) >= 4 and {"title", "row", "chart"} <= set(starts), (pages, joined, starts)
    assert len(pdf_pages(in_parts.getvalue())) == pages
    # A well-formed file by a reader other than the one that joined it: cross-reference table, objects,
    # page tree and every content stream (qpdf exits 2 on an error, 3 on a warning).
    path = tmp_path / "joined.pdf"
    path.write_bytes(in_parts.getvalue())
    checked = subprocess.run([QPDF, "--check", str(path)], capture_output=True, text=True, check=False)  # noqa: S603
    assert checked.returncode == 0 and "No syntax or stream encoding errors" in checked.stdout, checked
    for page in range(1, pages + 1):
        expected = pdf_text(whole.getvalue(), first=page, last=page, layout=True)
        assert pdf_text(in_parts.getvalue(), first=page, last=page, layout=True) == expected, page
    # Each agency's row once in the annex tables: «STT name figures…» lines, as many as the agencies.
    rows = [line for line in pdf_text(in_parts.getvalue(), layout=True).splitlines() if annex_row.match(line)]
    assert len(rows) == current.assessments.count() == 80, len(rows)
    assert steps[-1][0] == steps[-1][1] and [done for done, _total in steps] == sorted(done for done, _t in steps)
    fonts = pdf_fonts(in_parts.getvalue(), tmp_path)
    assert fonts and all("Tinos" in name and embedded == "yes" for name, embedded in fonts), fonts
    # The outline: the decision and each group, side by side, each opening its page.
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(in_parts.getvalue()))
    outline = [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]
    assert [title for title, _page in outline] == [
        "QUYẾT ĐỊNH",
        "I. Sở, ban, ngành cấp tỉnh (8 cơ quan, đơn vị)",
        "II. Khối xã (48 cơ quan, đơn vị)",
        "III. Khối phường (24 cơ quan, đơn vị)",
    ]
    for title, page in outline[1:]:
        assert title in pdf_text(in_parts.getvalue(), first=page, last=page), (title, page)


@needs_poppler
@pytest.mark.skipif(not QPDF, reason="qpdf is not installed (make system-deps)")
def test_joined_parts_keep_their_pages_and_nested_outline(tmp_path):
    from pypdf import PdfReader

    from reports.pdf import html_to_pdf

    joined = io.BytesIO()
    join = PdfJoin(joined)
    for n in (1, 2, 3):
        part = io.BytesIO()
        html = (
            f"<html lang='vi'><title>Văn bản {n}</title><h1>Phần {n}</h1><h2>Mục {n}.1</h2><p>Đoạn {n}</p>"
            f"<h2 style='break-before: page'>Mục {n}.2</h2>"
        )
        html_to_pdf(html, part)
        join.add(part.getvalue())
    join.finish()
    content = joined.getvalue()

    reader = PdfReader(io.BytesIO(content), strict=True)
    # Each part a document of its own here, numbering its second page «2» (styles.css numbers from page 2).
    assert [flat(pdf_text(content, first=page, last=page)) for page in range(1, 7)] == [
        "Phần 1 Mục 1.1 Đoạn 1",
        "2 Mục 1.2",
        "Phần 2 Mục 2.1 Đoạn 2",
        "2 Mục 2.2",
        "Phần 3 Mục 3.1 Đoạn 3",
        "2 Mục 3.2",
    ]
    # The first part's title and language are the file's.
    assert reader.metadata is not None and reader.metadata.title == "Văn bản 1"
    assert reader.trailer["/Root"]["/Lang"] == "vi"

    def outline(items: list[object]) -> list[object]:
        return [
            outline(item) if isinstance(item, list) else (item.title, reader.get_destination_page_number(item) + 1)
            for item in items
        ]

    assert outline(reader.outline) == [
        ("Phần 1", 1),
        [("Mục 1.1", 1), ("Mục 1.2", 2)],
        ("Phần 2", 3),
        [("Mục 2.1", 3), ("Mục 2.2", 4)],
        ("Phần 3", 5),
        [("Mục 3.1", 5), ("Mục 3.2", 6)],
    ]
    assert reader.trailer["/Root"]["/Outlines"]["/Count"] == 9  # every entry shown: all open
    path = tmp_path / "joined.pdf"
    path.write_bytes(content)
    checked = subprocess.run([QPDF, "--check", str(path)], capture_output=True, text=True, check=False)  # noqa: S603
    assert checked.returncode == 0, checked


@needs_poppler
def test_published_decision_pdf_reads_as_the_decision_with_its_annex(published, users, tmp_path):
    access = ranking_access(users["admin"], published)
    content = decision_pdf_bytes(published, access)
    text = flat(pdf_text(content))
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH MINH XUÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 25/QĐ-UBND",
        "Minh Xuân, ngày 30 tháng 01 năm 2027",
        "QUYẾT ĐỊNH",
        "Phê duyệt và công bố Chỉ số cải cách hành chính năm 2026 của các sở, ban, ngành và Ủy ban nhân dân",
        "ỦY BAN NHÂN DÂN TỈNH MINH XUÂN",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "QUYẾT ĐỊNH:",
        "Điều 1.",
        "Điều 2.",
        "Điều 3.",
        "Nơi nhận:",
        "- Lưu: VT, NC.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Phụ lục",
        "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2026",
        "(Kèm theo Quyết định số 25/QĐ-UBND ngày 30 tháng 01 năm 2027 của Ủy ban nhân dân tỉnh Minh Xuân)",
    ):
        assert expected in text, expected
    assert "DỰ THẢO" not in text  # published: the figures are the snapshot, not a draft
    # Article 1 names the best and the worst of each group with their index.
    assert "cao nhất là Sở Tư pháp (96,00%), thấp nhất là Sở Khoa học và Công nghệ (82,91%)" in text

    # The annex rows, read with the layout kept: rank and figures on the agency's line, decimal commas.
    annex = pdf_text(content, first=_annex_first_page(content), layout=True)
    lines = {line.split("  ")[0].strip(): " ".join(line.split()) for line in annex.splitlines() if line.strip()}
    del lines
    rows = [" ".join(line.split()) for line in annex.splitlines()]
    justice = next(r for r in rows if "Sở Tư pháp" in r)
    science = next(r for r in rows if "Sở Khoa học và Công nghệ" in r)
    commune_row = next(r for r in rows if "UBND phường Minh Xuân" in r)
    assert justice == "1 Sở Tư pháp 12,5 10 10,5 6,5 8 8 11 66,5 30 −0,5 96 96,00 Tốt 1"
    assert science == "2 Sở Khoa học và Công nghệ 11,5 10 9,5 6 8 8 8,5 61,5 21,41 — 82,91 82,91 Tốt 2"
    assert commune_row == "1 UBND phường Minh Xuân 1 1 2 1,5 +0,5 4 57,14 Yếu 1"
    assert "I. Sở, ban, ngành cấp tỉnh (2 cơ quan, đơn vị)" in annex
    # Each group's ranking chart (reports/charts.py) follows its table: bars by rank, the group's average.
    assert "Chỉ số CCHC (%) – Sở, ban, ngành cấp tỉnh" in text and "Trung bình khối 89,46 %" in text
    assert "1. Sở Tư pháp 96,00" in text and "2. Sở Khoa học và Công nghệ 82,91" in text
    assert "II. UBND cấp xã (xã, phường, đặc khu) (1 cơ quan, đơn vị)" in annex

    # Layout: the decision A4 portrait, the annex A4 landscape; fonts Tinos, embedded.
    sizes = pdf_pages(content)
    annex_first = _annex_first_page(content)
    assert all(is_a4(size, landscape=False) for size in sizes[: annex_first - 1])
    assert all(is_a4(size, landscape=True) for size in sizes[annex_first - 1 :])
    fonts = pdf_fonts(content, tmp_path)
    assert fonts and all("Tinos" in name and embedded == "yes" for name, embedded in fonts), fonts


def _annex_first_page(content: bytes) -> int:
    for page in range(1, len(pdf_pages(content)) + 1):
        if "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM" in pdf_text(content, first=page, last=page):
            return page
    raise AssertionError("no annex")


@needs_poppler
def test_live_decision_is_a_draft_with_blanks_that_the_office_fills_on_download(live, users, client):
    text = flat(pdf_text(decision_pdf_bytes(live, ranking_access(users["admin"], live))))
    assert "DỰ THẢO" in text
    assert "Số: …/QĐ-UBND" in text and "Minh Xuân, ngày … tháng … năm …" in text
    assert "(Kèm theo Quyết định số …/QĐ-UBND ngày … tháng … năm … của Ủy ban nhân dân tỉnh Minh Xuân)" in text
    # Live figures are the same as will be published.
    assert "cao nhất là Sở Tư pháp (96,00%), thấp nhất là Sở Khoa học và Công nghệ (82,91%)" in text

    client.force_login(users["admin"])
    url = reverse("reports:decision_pdf", args=[live.pk])
    response = client.get(url, {"so": "31", "ngay": "05/02/2027", "nguoi_ky": "Nguyễn Văn An", "pho": "true"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    filled = flat(pdf_text(response.content))
    assert "Số: 31/QĐ-UBND" in filled and "Minh Xuân, ngày 05 tháng 02 năm 2027" in filled
    assert "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in filled and "Nguyễn Văn An" in filled
    assert "(Kèm theo Quyết định số 31/QĐ-UBND ngày 05 tháng 02 năm 2027" in filled
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Quyet-dinh-cong-bo-Chi-so-CCHC-nam-2026.pdf"; ')
    assert "filename*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh" in disposition

    refused = client.get(url, {"ngay": "31/02/2027"})
    assert refused.status_code == 400 and "Ngày ký" in refused.content.decode()


@needs_poppler
def test_province_and_signer_come_from_settings(live, users, settings):
    settings.PARINDEX_PROVINCE = "Hải Phòng"
    settings.PARINDEX_PROVINCE_KIND = "thành phố"
    settings.PARINDEX_SIGNER_NAME = "Trần Thị Bình"
    settings.PARINDEX_SIGNER_DEPUTY = True
    text = flat(pdf_text(decision_pdf_bytes(live, ranking_access(users["admin"], live))))
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG" in text and "Hải Phòng, ngày … tháng … năm …" in text
    assert "trên địa bàn thành phố Hải Phòng" in text and "TT Thành ủy, TT HĐND thành phố (b/c);" in text
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text and "Trần Thị Bình" in text


@needs_poppler
def test_pages_are_numbered_from_the_second_and_the_annex_on_its_own_with_its_header_repeated(
    users, agency, other_agency, commune
):
    period = publish(build_period(users, agency, other_agency, commune, extra=20), users)
    content = decision_pdf_bytes(period, ranking_access(users["leadership"], period))
    pages = len(pdf_pages(content))
    annex = _annex_first_page(content)
    assert annex == 3 and pages >= 4  # the decision on two pages, the annex on two or more
    first_lines = [pdf_text(content, first=page, last=page).split("\n", 1)[0].strip() for page in range(1, pages + 1)]
    assert first_lines[0] == "ỦY BAN NHÂN DÂN" and first_lines[1] == "2"
    assert first_lines[2] == "Phụ lục" and first_lines[3:] == [str(n) for n in range(2, pages - 1)]
    # The annex table's header is repeated on the page it continues on.
    second_annex_page = flat(pdf_text(content, first=4, last=4))
    for head in ("STT", "Cơ quan, đơn vị", "Điểm theo lĩnh vực", "Điểm thẩm định", "Chỉ số (%)", "Xếp hạng"):
        assert head in second_annex_page, head
    # Article 3 stays with the signature (NĐ 30: the signature page is not left without text).
    assert "Điều 3." in pdf_text(content, first=2, last=2)


def test_date_and_number_rules():
    assert date_words(datetime.date(2027, 2, 5)) == "ngày 05 tháng 02 năm 2027"
    assert date_words(datetime.date(2027, 3, 15)) == "ngày 15 tháng 3 năm 2027"
    assert date_words(datetime.date(2026, 12, 9)) == "ngày 09 tháng 12 năm 2026"
    assert split_decision("25/QĐ-UBND ngày 30/01/2027") == ("25/QĐ-UBND", datetime.date(2027, 1, 30))
    assert split_decision("Quyết định số 1832/QĐ-UBND, ngày 30/12/2022") == (
        "1832/QĐ-UBND",
        datetime.date(2022, 12, 30),
    )
    assert split_decision("25") == ("25/QĐ-UBND", None)
    assert split_decision("") == ("", None)
    assert split_decision("30/01/2027") == ("", datetime.date(2027, 1, 30))


# ---- the decision as Word -------------------------------------------------------------------------------------


def test_decision_docx_reads_back_with_the_same_text_and_figures(published, users, client):
    client.force_login(users["leadership"])
    response = client.get(reverse("reports:decision_docx", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert 'filename="Quyet-dinh-cong-bo-Chi-so-CCHC-nam-2026.docx"' in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))

    header = document.tables[0]
    assert [c.text for c in header.rows[0].cells] == [
        "ỦY BAN NHÂN DÂN\nTỈNH MINH XUÂN\n",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
    ]
    assert [c.text for c in header.rows[1].cells] == ["Số: 25/QĐ-UBND", "Minh Xuân, ngày 30 tháng 01 năm 2027"]
    borders = header._tbl.tblPr.xml
    assert "w:tblBorders" not in borders  # borderless, as the PDF's header
    body = "\n".join(p.text for p in document.paragraphs)
    assert "QUYẾT ĐỊNH\nPhê duyệt và công bố Chỉ số cải cách hành chính năm 2026" in body
    assert "ỦY BAN NHÂN DÂN TỈNH MINH XUÂN" in body and "QUYẾT ĐỊNH:" in body
    assert "Điều 1. Phê duyệt và công bố" in body and "Điều 3. Quyết định này có hiệu lực" in body
    assert "DỰ THẢO" not in body
    closing = document.tables[1]
    assert closing.rows[0].cells[0].text.startswith("Nơi nhận:\n- Như Điều 3;")
    assert closing.rows[0].cells[1].text.startswith("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    assert document.styles["Normal"].font.name == "Times New Roman"

    # The annex: its own landscape section numbered from 1, one table per group, the header rows repeated.
    portrait, landscape = document.sections
    assert portrait.page_width < portrait.page_height and landscape.page_width > landscape.page_height
    assert 'w:start="1"' in landscape._sectPr.xml
    departments, communes = document.tables[2], document.tables[3]
    rows = [[c.text for c in row.cells] for row in departments.rows]
    assert rows[2] == [
        "1",
        "Sở Tư pháp",
        "12,5",
        "10",
        "10,5",
        "6,5",
        "8",
        "8",
        "11",
        "66,5",
        "30",
        "−0,5",
        "96",
        "96,00",
        "Tốt",
        "1",
    ]
    assert rows[3] == [
        "2",
        "Sở Khoa học và Công nghệ",
        "11,5",
        "10",
        "9,5",
        "6",
        "8",
        "8",
        "8,5",
        "61,5",
        "21,41",
        "—",
        "82,91",
        "82,91",
        "Tốt",
        "2",
    ]
    assert len(rows) == 2 + 2  # two header rows, one row per agency
    assert all("w:tblHeader" in departments.rows[i]._tr.xml for i in (0, 1))
    assert "w:tblHeader" not in departments.rows[2]._tr.xml
    assert [c.text for c in communes.rows[-1].cells] == [
        "1",
        "UBND phường Minh Xuân",
        "1",
        "1",
        "2",
        "1,5",
        "+0,5",
        "4",
        "57,14",
        "Yếu",
        "1",
    ]


@needs_poppler
def test_decision_docx_rows_poured_into_the_skeleton_keep_their_text_and_format(live, users, agency):
    """The Word file is written from a skeleton with one row of slots per table (reports/docx.py): a name
    with XML's own characters comes back as typed, a control character XML cannot hold is dropped, and each
    poured row keeps the slots row's format (kept on one page, the index bold, the name left-aligned)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from reports.docx import write_decision_docx

    agency.name = 'Sở "Khoa học" & Công nghệ <thí điểm>\x0b'
    agency.save()
    out = io.BytesIO()
    write_decision_docx(live, ranking_access(users["admin"], live), out)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as package:
        xml = package.read("word/document.xml").decode()
        assert package.testzip() is None
    assert "⟦" not in xml and "parindex-rows" not in xml  # every slot filled, every mark gone
    departments = Document(io.BytesIO(out.getvalue())).tables[2]
    assert [row.cells[1].text for row in departments.rows[2:]] == ["Sở Tư pháp", 'Sở "Khoa học" & Công nghệ <thí điểm>']
    for row in departments.rows[2:]:
        assert "<w:cantSplit/>" in row._tr.xml and "w:tblHeader" not in row._tr.xml
        index = row.cells[13].paragraphs[0]
        assert index.runs[0].bold and index.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert row.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    # The columns' widths on the table's grid too, where LibreOffice reads them: the name widest, 262 mm in all.
    grid = [column.width for column in departments.columns]
    assert grid == [cell.width for cell in departments.rows[2].cells] and max(grid) == grid[1] > Mm(40)
    assert abs(sum(grid) - Mm(262)) < Mm(1)
    # The PDF of the same decision, whose chart (an SVG) names the agency too.
    pdf = pdf_text(decision_pdf_bytes(live, ranking_access(users["admin"], live)))  # type: ignore[arg-type]
    assert flat(pdf).count('Sở "Khoa học" & Công nghệ <thí điểm>') >= 3  # Article 1, the annex row, the chart


# ---- the scorecard --------------------------------------------------------------------------------------------


def _scorecard_bytes(period: Period, user, agency) -> bytes:
    out = io.BytesIO()
    write_scorecard_pdf(period, scorecard_access(user, period, agency.pk), agency.pk, out)
    return out.getvalue()


def scorecard_text(period: Period, user, agency) -> str:
    return flat(pdf_text(_scorecard_bytes(period, user, agency)))


@needs_poppler
def test_published_scorecard_shows_domains_index_rank_and_the_lost_leaves_with_comments(live, users, agency, tmp_path):
    from appraisal.services import AppraisalEdit, appraisal_save
    from assessments.models import Score

    score = Score.objects.get(assessment__period=live, assessment__agency=agency, node__code="7.1")
    appraisal_save(
        score=score,
        edit=AppraisalEdit(points=D("8.5"), comment="Thiếu báo cáo chuyển đổi số quý IV"),
        version=score.version,
        user=users["reviewer"],
    )
    publish(live, users)
    text = scorecard_text(live, users["officer"], agency)
    assert "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2026 Sở Khoa học và Công nghệ" in text
    assert "Kết quả đã công bố." in text
    assert "Điểm thẩm định 61,5/66,5" in text and "Điểm điều tra xã hội học 21,41/33,5" in text
    assert "Chỉ số (%) 82,91" in text and "Xếp loại Tốt" in text and "Xếp hạng trong khối 2/2" in text
    # The domains chart: the agency against the group's mean share, domain 1: (92,00 + 100,00) / 2.
    assert "Tỷ lệ điểm đạt theo lĩnh vực (%)" in text and "Bình quân khối" in text and "96,00" in text
    # Domain 1: 11,5 of 12,5 = 92,00 %, second of two on that domain.
    assert "1 Lĩnh vực 1 11,5 12,5 92,00 2/2" in text
    # The leaves that lost points: 1.1 (1), 3.1 (1), 4.1 (0,5), 7.1 (2,5) with the reviewer's comment.
    assert "Tiêu chí thành phần chưa đạt điểm tối đa (4)" in text
    out_bytes = _scorecard_bytes(live, users["officer"], agency)
    layout = [" ".join(line.split()) for line in pdf_text(out_bytes, layout=True).splitlines()]
    assert "7.1 Tiêu chí 7.1 11 8,5 2,5 Vòng 1: Thiếu báo cáo chuyển đổi số quý IV" in layout
    assert "1.1 Tiêu chí 1.1 12,5 11,5 1" in text
    assert all(is_a4(size, landscape=False) for size in pdf_pages(out_bytes))
    assert all("Tinos" in name for name, _embedded in pdf_fonts(out_bytes, tmp_path))


@needs_poppler
def test_own_scorecard_before_publication_has_no_other_agency_figure_rank_or_comment(live, users, agency):
    from appraisal.services import AppraisalEdit, appraisal_save
    from assessments.models import Score

    score = Score.objects.get(assessment__period=live, assessment__agency=agency, node__code="7.1")
    appraisal_save(
        score=score,
        edit=AppraisalEdit(points=D(0), comment="Ý kiến nội bộ"),
        version=score.version,
        user=users["reviewer"],
    )
    text = scorecard_text(live, users["officer"], agency)
    assert "Sở Khoa học và Công nghệ" in text
    assert "Tính từ điểm tự chấm của đơn vị" in text
    # Its own self points (all zero: fill_sheet), nothing of the council's, nothing across agencies.
    assert "Điểm tự chấm 0/66,5" in text and "Điểm điều tra xã hội học —" in text
    for leak in ("Xếp hạng", "/2", "/3", "Sở Tư pháp", "UBND phường", "96,00", "82,91", "Ý kiến", "61,5", "Bình quân"):
        assert leak not in text, leak
    # The same scorecard for Sở Nội vụ shows the live, appraised figures and the rank.
    council = scorecard_text(live, users["admin"], agency)
    assert "Điểm thẩm định 53/66,5" in council and "Xếp hạng trong khối 2/2" in council
    assert "Ý kiến nội bộ" in council


# ---- who may download what -------------------------------------------------------------------------------------

ROLES = ["admin", "leadership", "reviewer", "officer", "other_officer", "no_role", "anonymous"]
# Before publication: Sở Nội vụ and leadership read the live figures, an agency its own scorecard only.
BEFORE = {
    "admin": {"decision": 200, "own": 200},
    "leadership": {"decision": 200, "own": 200},
    "reviewer": {"decision": 403, "own": 403},
    "officer": {"decision": 403, "own": 200},
    "other_officer": {"decision": 403, "own": 403},
    "no_role": {"decision": 404, "own": 404},
    "anonymous": {"decision": 302, "own": 302},
}
AFTER = {role: {"decision": 200, "own": 200} for role in ROLES[:5]} | {
    "no_role": {"decision": 404, "own": 404},
    "anonymous": {"decision": 302, "own": 302},
}


@needs_poppler
@pytest.mark.parametrize("stage", ["before", "after"])
def test_permission_matrix(client, live, users, agency, other_agency, stage):
    if stage == "after":
        publish(live, users)
    expected = BEFORE if stage == "before" else AFTER
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        urls = {
            "decision_pdf": (reverse("reports:decision_pdf", args=[live.pk]), "decision"),
            "decision_docx": (reverse("reports:decision_docx", args=[live.pk]), "decision"),
            "scorecard_pdf": (reverse("reports:scorecard_pdf", args=[live.pk, agency.pk]), "own"),
        }
        for name, (url, kind) in urls.items():
            response = client.get(url)
            assert response.status_code == expected[role][kind], (stage, role, name)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login"))
            if response.status_code == 200 and name.endswith("pdf"):
                text = flat(pdf_text(response.content))
                assert "Sở Khoa học và Công nghệ" in text
                shows_others = "Sở Tư pháp" in text
                assert shows_others == (name == "decision_pdf"), (stage, role, name)
                if name == "scorecard_pdf":
                    assert ("Xếp hạng trong khối 2/2" in text) == (stage == "after" or role in ("admin", "leadership"))
            if response.status_code == 200 and name == "decision_docx":
                assert "Sở Tư pháp" in [
                    c.text for c in Document(io.BytesIO(response.content)).tables[2].columns[1].cells
                ]
        # Another agency's scorecard: like the ranking, only after publication for an agency's staff.
        other = client.get(reverse("reports:scorecard_pdf", args=[live.pk, other_agency.pk]))
        other_expected = {"officer": expected[role]["decision"], "other_officer": 200}.get(
            role, expected[role]["decision"]
        )
        assert other.status_code == other_expected, (stage, role, "other scorecard")
    client.force_login(users["admin"])
    assert client.get(reverse("reports:scorecard_pdf", args=[live.pk, 999_999])).status_code == 404


# ---- queries ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 8])
def test_decision_downloads_cost_the_same_queries_whatever_the_number_of_agencies(
    client, users, agency, other_agency, commune, extra, django_assert_num_queries
):
    period = publish(build_period(users, agency, other_agency, commune, extra=extra), users)
    client.force_login(users["leadership"])
    # session, user, period, roles, publication in force, the published results, the kinds of agency (DISTINCT)
    with django_assert_num_queries(7):
        assert client.get(reverse("reports:decision_docx", args=[period.pk])).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(reverse("reports:decision_pdf", args=[period.pk])).status_code == 200
    # session, user, period, roles, publication in force, the agency's sheet (its name, 404 if not taking part),
    # the published results, last year's (reports/yoy.py: the previous period's sheets, its published results,
    # the mergers to follow), the leaves that lost points, their appraisal entries
    with django_assert_num_queries(12):
        assert client.get(reverse("reports:scorecard_pdf", args=[period.pk, agency.pk])).status_code == 200


def test_ranking_page_links_the_decision_downloads(live, users, client):
    client.force_login(users["leadership"])
    page = client.get(reverse("reports:ranking", args=[live.pk])).text
    assert f'href="{reverse("reports:decision_pdf", args=[live.pk])}"' in page and "Dự thảo quyết định (PDF)" in page
    assert f'href="{reverse("reports:decision_docx", args=[live.pk])}"' in page
    publish(live, users)
    assert "Quyết định (PDF)" in client.get(reverse("reports:ranking", args=[live.pk])).text


# ---- in the background ----------------------------------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("kind", ["quyet-dinh-pdf", "quyet-dinh-docx"])
def test_decision_runs_as_a_background_export(client, published, users, kind):
    from reports.exports import EXPORTS
    from reports.models import ExportJob, ExportStatus

    client.force_login(users["officer"])  # published: every role may export it
    response = client.post(reverse("reports:export_start", args=[published.pk, kind]))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and (job.status, job.kind) == (ExportStatus.DONE, kind)
    # The PDF counts the annex blocks it has printed (reports/pdf_parts.py), the Word file its two steps.
    assert job.progress_done == job.progress_total >= 2 and job.file.name.endswith(EXPORTS[kind].extension)
    download = client.get(reverse("reports:export_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert download["Content-Type"] == EXPORTS[kind].content_type
    if kind.endswith("pdf"):
        text = flat(pdf_text(content))
        assert "Số: 25/QĐ-UBND" in text and "1 Sở Tư pháp 12,5 10 10,5 6,5 8 8 11 66,5 30 −0,5 96 96,00 Tốt 1" in text
    else:
        document = Document(io.BytesIO(content))
        assert document.tables[1].rows[0].cells[1].text.startswith("TM. ỦY BAN NHÂN DÂN")
        assert [c.text for c in document.tables[3].rows[-1].cells][1] == "UBND phường Minh Xuân"

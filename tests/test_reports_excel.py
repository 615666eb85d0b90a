"""The period workbook (issue 9, item 5) read back with openpyxl: every figure against hand-computed ones on a
small period built through the services (round 1 and round 2, a not-applicable leaf, survey, bonus, penalty and
a withdrawn bonus), the snapshot once published, text that looks like a formula kept as text, the sheets' set-up
(frozen header, autofilter, A4 landscape print) and a number of queries that does not grow with the agencies."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from appraisal.explaining import return_for_explanation
from appraisal.models import AdjustmentKind
from appraisal.publishing import period_finalise, period_publish
from appraisal.services import AppraisalEdit, appraisal_save, explanation_request
from assessments.models import Period, Score
from organisations.models import Agency
from parindex.xlsx import header_height
from reports.access import Access, Source, ranking_access
from reports.excel import sheet_name, write_period_workbook

from .factories import appraisal_period, make_agency
from .test_appraisal_results import adjust, appraise, give_survey

D = Decimal
pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x.example","Sở Tư pháp")'
POINTS = "#,##0.00"


def workbook(period: Period, user, progress=None):
    out = io.BytesIO()
    write_period_workbook(period, ranking_access(user, period), out, progress)
    return load_workbook(io.BytesIO(out.getvalue()))


def rows(sheet, start: int = 5) -> list[tuple]:
    """The data rows under the header (row 4)."""
    return list(sheet.iter_rows(min_row=start, values_only=True))


def leaf(period, agency, code: str) -> Score:
    return Score.objects.get(assessment__period=period, assessment__agency=agency, node__code=code)


@pytest.fixture
def period(users, agency, other_agency):
    """Two departments on the compact set (fill_sheet: every self point 0 except 2.1.2, which is 1).

    Sở KH&CN: 1.2 not applicable; round 1: 1.1 = 0,5, 1.3 = 1, 2.1.1.1 = 1, 2.1.2 kept (1); asked to explain
    1.1, returned, deadline passed, round 2: 1.1 = 0,75. Domain 1: 0,75 + 1 = 1,75 / 2; domain 2: 2 / 2;
    appraised 3,75 / 4; survey 1,5 / 2; bonus 0,5, penalty 0,25 (a bonus of 1 withdrawn): total 5,5,
    index 5,5 / 6 = 91,67 %, Tốt, 1/2.
    Sở Tư pháp: self points kept: 1 / 5; survey 1,5 / 2; total 2,5, index 2,5 / 7 = 35,71 %, Yếu, 2/2.
    """
    period = appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])
    Period.objects.filter(pk=period.pk).update(
        bonus_cap=D(2), penalty_cap=D(2), explanation_deadline=timezone.now() + datetime.timedelta(days=3)
    )
    period.refresh_from_db()
    Score.objects.filter(assessment__period=period, assessment__agency=agency, node__code="1.2").update(
        not_applicable=True, not_applicable_reason="Không phát sinh", self_points=None
    )
    appraise(period, users["reviewer"], {"1.1": D("0.5"), "1.3": D(1), "2.1.1.1": D(1)}, agency=agency)
    appraise(period, users["reviewer"], agency=other_agency)
    explanation_request(score=leaf(period, agency, "1.1"), kind="explain", text="Bổ sung", user=users["reviewer"])
    return_for_explanation(period=period, user=users["admin"])
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() - datetime.timedelta(minutes=1))
    period.refresh_from_db()
    score = leaf(period, agency, "1.1")
    appraisal_save(score=score, edit=AppraisalEdit(points=D("0.75")), version=score.version, user=users["reviewer"])
    give_survey(period, D("1.5"))
    sheet = period.assessments.get(agency=agency)
    adjust(sheet, AdjustmentKind.BONUS, D("0.5"))
    adjust(sheet, AdjustmentKind.PENALTY, D("0.25"))
    adjust(sheet, AdjustmentKind.BONUS, D(1), withdrawn=True)
    return period


KHCN, TUPHAP = "Sở Khoa học và Công nghệ", "Sở Tư pháp"


def test_every_sheet_against_hand_computed_figures(period, users):
    calls: list[tuple[int, int]] = []
    book = workbook(period, users["admin"], lambda done, total: calls.append((done, total)))
    assert book.sheetnames == [
        "XH Sở, ban, ngành cấp tỉnh",
        "LV 1",
        "LV 2",
        "Điểm từng tiêu chí",
        "Điều tra XHH, thưởng, trừ",
    ]

    ranking = book["XH Sở, ban, ngành cấp tỉnh"]
    assert ranking["A1"].value == "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH – KỲ ĐÁNH GIÁ 2026"
    assert ranking["A3"].value.startswith("Kết quả tạm tính lúc")
    assert [c.value for c in ranking[4]] == [
        "STT",
        "Cơ quan, đơn vị",
        "LV 1",
        "LV 2",
        "Điểm thẩm định",
        "Điều tra XHH",
        "Điểm thưởng",
        "Điểm trừ",
        "Tổng điểm",
        "Chỉ số (%)",
        "Xếp loại",
        "Xếp hạng",
    ]
    assert rows(ranking) == [
        (1, KHCN, 1.75, 2, 3.75, 1.5, 0.5, 0.25, 5.5, 91.67, "Tốt", "1/2"),
        (2, TUPHAP, 0, 1, 1, 1.5, 0, 0, 2.5, 35.71, "Yếu", "2/2"),
    ]

    domain_1 = book["LV 1"]
    assert domain_1["A2"].value == "Lĩnh vực 1. Công tác chỉ đạo, điều hành"
    assert [c.value for c in domain_1[4]] == [
        "STT",
        "Cơ quan, đơn vị",
        "1.1\n(1)",
        "1.2\n(1)",
        "1.3\n(1)",
        "Tổng lĩnh vực",
        "Tối đa áp dụng",
        "Hạng trong khối",
    ]
    # Agencies by name; the not-applicable leaf shows «—» and leaves the domain's max (3 → 2).
    assert rows(domain_1) == [
        (1, KHCN, 0.75, "—", 1, 1.75, 2, "1/2"),
        (2, TUPHAP, 0, 0, 0, 0, 3, "2/2"),
    ]
    assert rows(book["LV 2"]) == [(1, KHCN, 1, 1, 2, 2, "1/2"), (2, TUPHAP, 0, 1, 1, 2, "2/2")]

    matrix = rows(book["Điểm từng tiêu chí"])
    assert len(matrix) == 10  # 2 agencies × 5 leaves
    by_leaf = {(r[1], r[2]): r[4:] for r in matrix}
    # max, self, round 1, round 2, final, not applicable
    assert by_leaf[(KHCN, "1.1")] == (1, 0, 0.5, 0.75, 0.75, None)
    assert by_leaf[(KHCN, "1.2")] == (1, None, None, None, None, "Có")
    assert by_leaf[(KHCN, "1.3")] == (1, 0, 1, None, 1, None)
    assert by_leaf[(KHCN, "2.1.2")] == (1, 1, 1, None, 1, None)
    assert by_leaf[(TUPHAP, "1.1")] == (1, 0, 0, None, 0, None)
    assert [r[0] for r in matrix] == list(range(1, 11))
    assert matrix[0][3] == "Kế hoạch CCHC năm"

    survey = rows(book["Điều tra XHH, thưởng, trừ"])
    today = timezone.localdate().strftime("%d/%m/%Y")
    as_text = [(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in survey]
    assert as_text == [
        (KHCN, "Điều tra XHH", "3.1. Chỉ số hài lòng SIPAS", None, 1.5, 2, "Đang tính"),
        (KHCN, "Điểm thưởng", "Theo văn bản của tỉnh", None, 0.5, None, "Đang tính"),
        (KHCN, "Điểm trừ", "Theo văn bản của tỉnh", None, 0.25, None, "Đang tính"),
        (KHCN, "Điểm thưởng", "Theo văn bản của tỉnh", None, 1, None, f"Đã hủy ngày {today}: Nhầm"),
        (TUPHAP, "Điều tra XHH", "3.1. Chỉ số hài lòng SIPAS", None, 1.5, 2, "Đang tính"),
    ]
    assert survey[0][8].date() == timezone.localdate()

    # Progress: from 0 to the total (2 ranking rows, 2 matrix agencies, 2 × 2 domain rows, the survey sheet).
    assert calls[0] == (0, 9) and calls[-1] == (9, 9)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)


def test_sheets_are_set_up_for_reading_and_printing(period, users):
    book = workbook(period, users["admin"])
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "C5", sheet.title
        assert sheet.auto_filter.ref.startswith("A4:"), sheet.title
        assert sheet.print_title_rows == "$4:$4", sheet.title
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.oddHeader.center.text.startswith("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH")
        assert sheet.oddFooter.center.text == "Trang &P/&N"
        assert sheet.column_dimensions["B"].width >= 36  # the agency's name
        # Tall enough for its wrapped headers («Thẩm định vòng 1» on two lines in its 10 units): Excel and
        # LibreOffice would otherwise keep the row at one line and cut them.
        assert sheet.row_dimensions[4].height == 33, sheet.title
    ranking = book.worksheets[0]
    assert ranking.auto_filter.ref == "A4:L6"
    assert book["Điểm từng tiêu chí"].auto_filter.ref == "A4:J14"
    # Computed points and the index with two decimals (Excel shows the reader's decimal comma); STT and a leaf's
    # points as entered (General): 1,5 and 2 as the criteria set writes them, not 1,50 and 2,00.
    assert ranking["J5"].number_format == POINTS and ranking["E5"].number_format == POINTS
    assert ranking["A5"].number_format == "General" and ranking["A5"].value == 1
    domain = book["LV 1"]
    head = {domain.cell(4, c).value: c for c in range(1, domain.max_column + 1)}
    total = head["Tổng lĩnh vực"]
    assert head["Tối đa áp dụng"] == total + 1 and total > 3  # after the leaves' columns, from C
    assert {domain.cell(5, c).number_format for c in range(3, total)} == {"General"}
    assert any(isinstance(domain.cell(5, c).value, (int, float)) for c in range(3, total))
    assert domain.cell(5, total).number_format == POINTS and domain.cell(5, total + 1).number_format == POINTS
    matrix = book["Điểm từng tiêu chí"]
    assert {matrix.cell(5, c).number_format for c in range(1, 10)} == {"General"}
    assert isinstance(matrix["E5"].value, (int, float))
    assert book["Điều tra XHH, thưởng, trừ"]["I5"].number_format == "dd/mm/yyyy"


def test_text_that_looks_like_a_formula_stays_text(period, users, other_agency):
    Agency.objects.filter(pk=other_agency.pk).update(name=FORMULA)
    sheet = period.assessments.get(agency=other_agency)
    adjust(sheet, AdjustmentKind.BONUS, D("0.25"))
    from appraisal.models import Adjustment

    Adjustment.objects.filter(assessment=sheet).update(reason="+1+1", document="@SUM(A1)")
    book = workbook(period, users["admin"])
    found = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    for text in (FORMULA, "+1+1", "@SUM(A1)"):
        matches = [c for c in found if c.value == text]
        assert matches, text
        assert all(c.data_type == "s" and c.quotePrefix for c in matches), text
    # The name is in the ranking, every domain sheet, the five matrix rows and the survey sheet.
    assert sum(1 for c in found if c.value == FORMULA) == 1 + 2 + 5 + 2


def test_published_workbook_reads_the_snapshot(period, users, agency):
    period_finalise(period=period, user=users["admin"])
    period_publish(period=period, user=users["admin"], decision="Quyết định số 123/QĐ-UBND")
    period.refresh_from_db()
    # A later rename does not move what was published: the workbook keeps the name as published.
    Agency.objects.filter(pk=agency.pk).update(name="Sở Khoa học, Công nghệ và Đổi mới")
    book = workbook(period, users["officer"])  # an agency reads the published workbook like everyone
    ranking = book.worksheets[0]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert ranking["A3"].value == f"Kết quả đã công bố ngày {today} theo Quyết định số 123/QĐ-UBND."
    assert rows(ranking)[0][:3] == (1, KHCN, 1.75) and rows(ranking)[0][-3:] == (91.67, "Tốt", "1/2")
    assert rows(book["LV 1"])[0][1] == KHCN
    assert {r[1] for r in rows(book["Điểm từng tiêu chí"])} == {KHCN, TUPHAP}


def test_an_agencys_own_view_never_makes_a_workbook(period):
    with pytest.raises(PermissionDenied):
        write_period_workbook(period, Access(Source.SELF, sees_others=False), io.BytesIO())


def test_header_height_counts_the_lines_of_the_longest_header():
    assert header_height([("STT", 6), ("Cơ quan, đơn vị", 36)]) == 18  # one line
    assert header_height([("STT", 6), ("Thẩm định vòng 1", 10)]) == 33  # 16 characters in 9: two
    assert header_height([("1.1.1\n(0,5)", 8), ("Hạng trong khối", 5)]) == 63  # 15 characters in 4: four


def test_sheet_names_are_valid_and_unique():
    used: set[str] = set()
    assert sheet_name("XH Xã/phường: [khối 2]*?", used) == "XH Xã-phường- -khối 2---"
    long = "XH " + "Ủy ban nhân dân các phường thuộc tỉnh"
    first, second = sheet_name(long, used), sheet_name(long, used)
    assert len(first) == 31 and len(second) == 31 and first != second and second.endswith("(2)")


def test_queries_do_not_grow_with_the_agencies(users, django_assert_num_queries):
    # Live: 1 ranking groups, 2 sheets, 3 domains of the sets, 4 score sums per (sheet, domain), 5 survey sums,
    # 6 adjustments (the six of period_results); 7 the sets' domains and leaves, 8 every score with its
    # round 1 and round 2 (subqueries), 9 the survey points, 10 the bonus and penalty rows.
    for size, year in ((2, 2026), (9, 2027)):
        agencies = [make_agency(f"Sở đếm {year}-{i}") for i in range(size)]
        period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=year)
        give_survey(period, D(1))
        Period.objects.filter(pk=period.pk).update(bonus_cap=D(2))
        adjust(period.assessments.first(), AdjustmentKind.BONUS, D(1))
        access = ranking_access(users["admin"], period)
        out = io.BytesIO()
        with django_assert_num_queries(10):
            write_period_workbook(period, access, out)
        assert len(rows(load_workbook(io.BytesIO(out.getvalue())).worksheets[0])) == size


def test_published_queries_do_not_grow_with_the_agencies(users, django_assert_num_queries):
    # Published: 1 the snapshot, then the same four: domains and leaves, scores, survey points, adjustments.
    from .test_appraisal_results import appraise as appraise_all

    for size, year in ((2, 2026), (6, 2027)):
        agencies = [make_agency(f"Sở công bố {year}-{i}") for i in range(size)]
        period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=year)
        appraise_all(period, users["reviewer"])
        give_survey(period, D(1))
        period_finalise(period=period, user=users["admin"])
        period_publish(period=period, user=users["admin"])
        period.refresh_from_db()
        access = ranking_access(users["admin"], period)
        with django_assert_num_queries(5):
            write_period_workbook(period, access, io.BytesIO())

"""One header finder, one yes/no reader and one help sheet for every workbook the app imports."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from criteria.excel import build_workbook, import_index_set, parse_workbook
from criteria.tree import TreeInvalid
from organisations.models import Agency
from organisations.people_excel import build_people_workbook, import_people
from parindex.xlsx import ALL_OR_NOTHING, Column, ImportInvalid, RowError, read_table, read_yes_no

from .factories import xlsx_bytes

pytestmark = pytest.mark.django_db

META = {"name": "Bộ nhập thử", "agency_kind": "department", "year_from": 2026}
COLUMNS = [
    Column("code", "Mã", True, 10, "", aliases=("Mã số",)),
    Column("title", "Nội dung", True, 40, ""),
    Column("note", "Ghi chú", False, 20, ""),
]


def sheet_of(rows: list[list[object]]):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    return book.active


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Có", True), ("CÓ", True), ("x", True), (1, True), ("Không", False), ("KHONG", False), (0, False)],
)
def test_one_yes_no_reader(raw, expected):
    assert read_yes_no(raw) is expected
    assert read_yes_no("có lẽ") is None
    assert (read_yes_no(None), read_yes_no("  ", default=True)) == (False, True)


def test_the_header_row_is_found_below_a_title_by_any_spelling_and_alias():
    errors: list[RowError] = []
    rows = read_table(
        sheet_of([["DANH MỤC"], [], ["GHI CHÚ", "mã số", "NOI DUNG"], ["x", "1", "Chỉ đạo"], [], [None, "2", "B"]]),
        COLUMNS,
        errors,
        max_rows=10,
    )
    assert errors == []
    assert rows == [(4, {"note": "x", "code": "1", "title": "Chỉ đạo"}), (6, {"note": None, "code": "2", "title": "B"})]


def test_header_problems_are_reported_the_same_way_for_every_workbook():
    errors: list[RowError] = []
    assert (
        read_table(sheet_of([["Mã", "Mã số"], ["1", "2"]]), COLUMNS, errors, max_rows=10, sheet_label="Trang A") == []
    )
    assert [str(e) for e in errors] == [
        "Trang «Trang A», dòng 1, cột «Mã»: Cột «Mã» xuất hiện hai lần.",
        "Trang «Trang A», dòng 1, cột «Nội dung»: Thiếu cột bắt buộc «Nội dung»; dòng tiêu đề phải có «Mã», «Nội dung».",
    ]
    errors = []
    assert read_table(sheet_of([["Code", "Title"]]), COLUMNS, errors, max_rows=10) == []
    assert [str(e) for e in errors] == [
        "Không tìm thấy dòng tiêu đề: trong 10 dòng đầu phải có một dòng với các cột «Mã», «Nội dung»."
    ]


def test_criteria_import_finds_headers_with_other_case_accents_and_aliases():
    rows = [
        ["BỘ CHỈ SỐ NĂM 2026"],
        ["ĐIỂM TỐI ĐA", "Mã Số", "noi dung tieu chi", "DUOC KHONG AP DUNG", "điều tra xhh"],
        [2, "1", "Chỉ đạo điều hành", "", ""],
        [1, "1.1", "Kế hoạch", "x", "Không"],
        [1, "1.2", "Báo cáo", "KHÔNG", ""],
    ]
    index_set = import_index_set(xlsx_bytes(rows), **META)
    assert list(index_set.nodes.values_list("code", "allow_not_applicable", "is_survey")) == [
        ("1", False, False),
        ("1.1", True, False),
        ("1.2", False, False),
    ]


def test_people_import_reports_a_column_named_twice_like_the_criteria_import():
    book = Workbook()
    book.active.title = "Cơ quan"
    book.active.append(["Tên cơ quan, đơn vị", "Loại", "TEN CO QUAN, DON VI"])
    book.active.append(["Sở Y tế", "Sở, ban, ngành cấp tỉnh", "Sở Y tế"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ImportInvalid) as exc:
        import_people(out.getvalue())
    assert [str(e) for e in exc.value.errors] == [
        "Trang «Cơ quan», dòng 1, cột «Tên cơ quan, đơn vị»: Cột «Tên cơ quan, đơn vị» xuất hiện hai lần."
    ]
    assert not Agency.objects.exists()


def test_criteria_information_sheet_is_read_with_the_shared_readers():
    book = Workbook()
    book.active.title = "Bộ chỉ số"
    for row in [["Mã", "Nội dung", "Điểm tối đa"], ["1", "Chỉ đạo", 1]]:
        book.active.append(row)
    info = book.create_sheet("THÔNG TIN")  # found whatever its case, like every other sheet name
    for row in [["Tên bộ chỉ số", "Bộ từ tệp"], ["Bộ mẫu", "có lẽ"]]:
        info.append(row)
    out = io.BytesIO()
    book.save(out)
    parsed = parse_workbook(out.getvalue())
    assert parsed.info["name"] == "Bộ từ tệp"
    # A «Bộ mẫu» that is neither yes nor no is reported instead of being read as «no».
    assert [str(e) for e in parsed.errors] == [
        "cột «Thông tin» dòng 2, «Bộ mẫu»: «có lẽ» không hợp lệ; ghi «Có» hoặc «Không»."
    ]
    with pytest.raises(TreeInvalid):
        import_index_set(out.getvalue(), **META)


def test_both_workbooks_share_one_help_sheet_layout():
    for data, first_sheet in ((build_workbook(None), "Bộ chỉ số"), (build_people_workbook(with_data=False), "Cơ quan")):
        guide = load_workbook(io.BytesIO(data))["Hướng dẫn"]
        lines = [[cell.value for cell in row] for row in guide.iter_rows()]
        assert lines[0] == ["Trang", "Cột", "Bắt buộc", "Cách ghi"]
        assert lines[1][0] == first_sheet
        title, text = ALL_OR_NOTHING
        assert [title, None, None, text] in lines

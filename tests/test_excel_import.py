"""Excel import is all or nothing and reports every error with its row; export → import gives the set back."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from criteria.excel import build_workbook, import_index_set, parse_workbook
from criteria.models import IndexSet, Node, RatioTier
from criteria.services import rows_from_index_set
from criteria.tree import TreeInvalid

from .factories import make_index_set, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Mã", "Nội dung", "Điểm tối đa", "Phương pháp chấm", "Bậc tỷ lệ"]
GOOD = [
    HEADER,
    ["1", "Chỉ đạo điều hành", 2, "", ""],
    ["1.1", "Kế hoạch CCHC", 1, "Nhập điểm", ""],
    ["1.2", "Tỷ lệ hồ sơ trực tuyến", 1, "Tỷ lệ", "0-50: 0; 50-100: 1"],
]
META = {"name": "Bộ nhập thử", "agency_kind": "department", "year_from": 2026}


def errors_of(data: bytes, **meta: object) -> list[str]:
    with pytest.raises(TreeInvalid) as exc:
        import_index_set(data, **(META | meta))
    assert IndexSet.objects.count() == 0 and Node.objects.count() == 0, "a rejected import saved something"
    return [str(e) for e in exc.value.errors]


def test_good_workbook_imports():
    index_set = import_index_set(xlsx_bytes(GOOD), **META)
    assert list(index_set.nodes.values_list("code", "method")) == [("1", ""), ("1.1", "manual"), ("1.2", "ratio")]
    assert RatioTier.objects.filter(node__code="1.2").count() == 2


def test_headers_match_without_case_accents_or_order_and_below_a_title():
    rows = [
        ["BỘ CHỈ SỐ CCHC NĂM 2026"],
        [],
        ["diem toi da", "NỘI DUNG", "ma"],
        [2, "Chỉ đạo điều hành", "1"],
        [2, "Kế hoạch", "1.1"],
    ]
    index_set = import_index_set(xlsx_bytes(rows), **META)
    assert list(index_set.nodes.values_list("code", "max_points")) == [("1", 2), ("1.1", 2)]


def test_missing_required_column():
    assert errors_of(xlsx_bytes([["Mã", "Nội dung", "Điểm"], ["1", "x", 1]])) == [
        "Dòng 1, cột «Điểm tối đa»: Thiếu cột bắt buộc «Điểm tối đa»; dòng tiêu đề phải có «Mã», «Nội dung», «Điểm tối đa»."
    ]


def test_wrong_header_row():
    assert errors_of(xlsx_bytes([["Code", "Title", "Max"], ["1", "x", 1]])) == [
        "Không tìm thấy dòng tiêu đề: trong 10 dòng đầu phải có một dòng với các cột «Mã», «Nội dung», «Điểm tối đa»."
    ]


def test_duplicate_orphan_sum_and_text_in_points_all_at_once():
    rows = [
        HEADER,
        ["1", "Chỉ đạo điều hành", 3, "", ""],  # row 2: children add up to 2
        ["1.1", "Kế hoạch CCHC", 1, "", ""],  # row 3
        ["1.1", "Trùng mã", 1, "", ""],  # row 4: duplicate
        ["1.2", "Tỷ lệ", 1, "Tỷ lệ", "0-50: 0; 60-100: 1"],  # row 5: gap in tiers
        ["2", "Văn bản", 1, "", ""],  # row 6: its sum is not checked, a child's points are unreadable
        ["2.1", "Báo cáo", "một điểm", "", ""],  # row 7: text in a points cell
        ["3.1", "Không có mục cha", 1, "", ""],  # row 8: orphan
    ]
    assert errors_of(xlsx_bytes(rows)) == [
        "Dòng 2, cột «Điểm tối đa»: Tổng điểm tối đa của các mục con của «1» là 2, khác điểm tối đa của mục này (3).",
        "Dòng 4, cột «Mã»: Mã «1.1» bị trùng (đã có ở dòng 3).",
        "Dòng 5, cột «Bậc tỷ lệ»: Mục «1.2»: các bậc tỷ lệ bị hở từ 50 % đến 60 %.",
        "Dòng 7, cột «Điểm tối đa»: «một điểm» không phải là số; nhập một số, ví dụ 12,5.",
        "Dòng 8, cột «Mã»: Mã «3.1» không có mục cha «3» trong bộ chỉ số.",
    ]


def test_unknown_method_and_bad_yes_no_cells():
    rows = [["Mã", "Nội dung", "Điểm tối đa", "Phương pháp chấm", "Điều tra XHH"], ["1", "x", 1, "Công thức", "có lẽ"]]
    assert errors_of(xlsx_bytes(rows)) == [
        "Dòng 2, cột «Phương pháp chấm»: Phương pháp chấm «Công thức» không có; dùng Nhập điểm, Có/Không, Tỷ lệ hoặc Trừ điểm.",
        "Dòng 2, cột «Điều tra XHH»: «có lẽ» không hợp lệ; ghi «Có» hoặc «Không».",
    ]


def test_header_only_workbook():
    assert errors_of(xlsx_bytes([HEADER])) == ["Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."]


def test_empty_file():
    assert errors_of(b"") == ["Tệp rỗng: hãy chọn tệp Excel (.xlsx) theo mẫu."]


@pytest.mark.parametrize("content", [b"%PDF-1.7 not a workbook", b"PK\x03\x04 broken zip", "Mã;Nội dung\n1;x".encode()])
def test_not_a_workbook(content):
    assert errors_of(content) == [
        "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ; hãy lưu lại dưới dạng .xlsx theo mẫu."
    ]


def test_missing_metadata_is_reported_with_the_tree_errors():
    errors = errors_of(xlsx_bytes(GOOD), name="", agency_kind="", year_from=None)
    assert errors == [
        "cột «Tên bộ chỉ số»: Chưa có «Tên bộ chỉ số»: nhập trên trang nhập hoặc ở trang «Thông tin».",
        "cột «Loại cơ quan»: Chưa có «Loại cơ quan»: nhập trên trang nhập hoặc ở trang «Thông tin».",
        "cột «Áp dụng từ năm»: Chưa có «Áp dụng từ năm»: nhập trên trang nhập hoặc ở trang «Thông tin».",
    ]


def test_round_trip_gives_the_same_set_back():
    original = make_index_set(decision_number="12/QĐ-UBND", issuer="UBND tỉnh")
    data = build_workbook(original)
    again = import_index_set(data)  # name, kind, years, decision come back from the «Thông tin» sheet
    assert again.pk != original.pk
    for field in (
        "name",
        "agency_kind",
        "year_from",
        "year_to",
        "decision_number",
        "decision_date",
        "issuer",
        "is_sample",
    ):
        assert getattr(again, field) == getattr(original, field), field
    assert rows_from_index_set(again) == rows_from_index_set(original)
    # and a second round trip is byte-for-byte the same sheet content
    first = [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]
    second = [
        list(r) for r in load_workbook(io.BytesIO(build_workbook(again))).worksheets[0].iter_rows(values_only=True)
    ]
    assert first == second


def test_blank_template_has_the_columns_and_imports_as_empty():
    data = build_workbook(None)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Mã", "Nội dung", "Điểm tối đa"]
    assert parse_workbook(data).rows == []


def test_import_command_reports_every_error_and_saves_nothing(tmp_path: Path, capsys):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(xlsx_bytes([HEADER, ["1", "x", 2, "", ""], ["1.1", "y", "abc", "", ""]]))
    with pytest.raises(CommandError, match=r"Không nhập: 1 lỗi, không lưu gì\."):
        call_command("import_indexset", str(bad), "--name", "Thử", "--kind", "department", "--year", "2026")
    err = capsys.readouterr().err
    assert "Dòng 3, cột «Điểm tối đa»: «abc» không phải là số" in err
    assert IndexSet.objects.count() == 0


def test_export_then_import_commands(tmp_path: Path):
    original = make_index_set()
    out = tmp_path / "bo.xlsx"
    call_command("export_indexset", str(original.pk), str(out))
    call_command("import_indexset", str(out), "--name", "Bản nhập lại", "--year", "2027")
    again = IndexSet.objects.get(name="Bản nhập lại")
    assert again.year_from == 2027 and again.agency_kind == original.agency_kind
    assert rows_from_index_set(again) == rows_from_index_set(original)

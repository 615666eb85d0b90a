"""Every workbook the app writes keeps user text as text (no formula cell anywhere), the criteria export
is linear and reads back right, and the people export imports back without granting anything."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl import load_workbook

from criteria.excel import build_workbook, parse_workbook
from criteria.services import index_set_create
from criteria.tree import NodeRow
from organisations.models import Agency, Role, RoleAssignment
from organisations.people_excel import build_people_workbook, import_people
from parindex.xlsx import HEADER_FILL, HEADER_FONT, new_workbook, write_row

from .factories import make_agency, make_user, open_period

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x.example","Sở Tư pháp")'
OTHERS = ["+1+1", "-2+3", "@SUM(A1)", "=1+1"]


def cells(content: bytes):
    """Every cell of every sheet, formulas kept as formulas (not data_only)."""
    book = load_workbook(io.BytesIO(content))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]


def assert_text_only(content: bytes, *texts: str) -> None:
    found = cells(content)
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    values = {c.value for c in found}
    for text in texts:
        assert text in values, text
        assert all(c.data_type == "s" for c in found if c.value == text)


@pytest.fixture
def hostile(db):
    """An agency, a user, a set and a period whose texts all start like formulas."""
    agency = make_agency(FORMULA, short_name="=A1")
    agency.note = "@cmd"
    agency.save()
    admin = make_user("quantri", Role.ADMIN)
    officer = make_user("=cv", Role.OFFICER, agency, first_name="=B2", last_name="+C3", email="a@b.vn")
    rows = [
        NodeRow(code="1", title=FORMULA, max_points=Decimal(1), guidance="-1", evidence_required="=E1"),
        NodeRow(code="1.1", title="=1+1", max_points=Decimal(1), method="manual", guidance="@SUM(A1)"),
    ]
    index_set = index_set_create(
        name="=Bộ", agency_kind="department", year_from=2026, rows=rows, decision_number="=12/QĐ", issuer="+UBND"
    )
    period = open_period(agency, index_set=index_set)
    return {"agency": agency, "admin": admin, "officer": officer, "set": index_set, "period": period}


def test_every_export_keeps_formula_like_text_as_text(client, hostile):
    leadership = make_user("lanhdao", Role.LEADERSHIP)
    downloads = [
        (leadership, reverse("assessments:progress_export", args=[hostile["period"].pk]), [FORMULA]),
        (hostile["admin"], reverse("people:export"), [FORMULA, "=A1", "@cmd", "=cv", "+C3 =B2"]),
        (hostile["admin"], reverse("people:template"), []),
        (hostile["officer"], reverse("criteria:export", args=[hostile["set"].pk]), [FORMULA, "=1+1", "-1", "=E1"]),
        (hostile["admin"], reverse("criteria:template"), []),
    ]
    for user, url, texts in downloads:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert_text_only(response.content, *texts)
    criteria = client.get(reverse("criteria:export", args=[hostile["set"].pk])).content
    assert_text_only(criteria, "=Bộ", "=12/QĐ", "+UBND", "@SUM(A1)")


def test_formula_like_text_round_trips_through_the_set_import(hostile):
    parsed = parse_workbook(build_workbook(hostile["set"]))
    assert parsed.errors == []
    assert [(r.title, r.guidance) for r in parsed.rows] == [(FORMULA, "-1"), ("=1+1", "@SUM(A1)")]
    assert (parsed.info["name"], parsed.info["decision_number"]) == ("=Bộ", "=12/QĐ")


def test_control_characters_do_not_break_an_export(db):
    make_agency("Sở\x01 Tư pháp\x0b")
    make_user("quantri", Role.ADMIN)
    assert "Sở Tư pháp" in {c.value for c in cells(build_people_workbook(with_data=True))}


def test_a_set_of_three_thousand_nodes_exports_and_reads_back():
    rows = []
    for d in range(1, 31):
        rows.append(NodeRow(code=str(d), title=f"Lĩnh vực {d}", max_points=Decimal(100)))
        for c in range(1, 100):
            rows.append(NodeRow(code=f"{d}.{c}", title=f"Tiêu chí {d}.{c}", max_points=Decimal(1), method="manual"))
        rows.append(NodeRow(code=f"{d}.100", title=f"Tiêu chí {d}.100", max_points=Decimal(1), method="manual"))
    index_set = index_set_create(name="Bộ lớn", agency_kind="department", year_from=2026, rows=rows)
    parsed = parse_workbook(build_workbook(index_set))
    assert parsed.errors == []
    assert len(parsed.rows) == 3_030
    assert [(r.code, r.title, r.max_points) for r in parsed.rows] == [(r.code, r.title, r.max_points) for r in rows]


def roles() -> list[tuple[str, str, str | None]]:
    return sorted(
        RoleAssignment.objects.values_list("user__username", "role", "agency__name"), key=lambda r: tuple(map(str, r))
    )


def test_people_round_trip_grants_nothing(db):
    a, b = make_agency("Sở Khoa học và Công nghệ"), make_agency("Sở Tư pháp")
    make_user("quantri", Role.ADMIN)
    both = make_user("lan", Role.OFFICER, a, first_name="Lan", last_name="Nguyễn Thị")
    RoleAssignment.objects.create(user=both, role=Role.HEAD, agency=b)
    RoleAssignment.objects.create(user=both, role=Role.REVIEWER)
    make_user("khongvaitro")
    before = roles()
    data = build_people_workbook(with_data=True)
    users_sheet = load_workbook(io.BytesIO(data))["Người dùng"]
    lan_rows = [r[3:5] for r in users_sheet.iter_rows(min_row=2, values_only=True) if r[0] == "lan"]
    assert sorted(lan_rows, key=str) == sorted(
        [("Chuyên viên đơn vị", a.name), ("Lãnh đạo đơn vị", b.name), ("Thành viên tổ thẩm định", None)], key=str
    )
    result = import_people(data)
    assert (result.users_created, result.users_updated) == (0, 3)
    assert roles() == before
    assert Agency.objects.count() == 2 and User.objects.get(username="lan").last_name == "Nguyễn Thị"


def test_a_second_row_of_a_login_must_agree_with_the_first(db):
    a = make_agency("Sở Tư pháp")
    make_user("quantri", Role.ADMIN)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Người dùng"
    for row in (
        ["Tên đăng nhập", "Họ và tên", "Email", "Vai trò", "Đơn vị", "Mật khẩu ban đầu"],
        ["moi", "Trần Văn A", "", "Chuyên viên đơn vị", a.name, "Cchc@2026-x"],
        ["moi", "Trần Văn B", "", "Lãnh đạo tỉnh", "", ""],
    ):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(Exception, match="dòng 3, cột «Họ và tên»: Khác với dòng 2 của cùng tên đăng nhập «moi»"):
        import_people(out.getvalue())
    assert not User.objects.filter(username="moi").exists()


def test_write_row_hands_plain_values_over_and_still_guards_text_and_formats():
    """write_row gives openpyxl a plain value where it stores it as ``cell`` would (benchmarks.reports: much
    faster); text that openpyxl would read as a formula or an error code, or with control characters, still
    goes through ``cell``, and a number format or row style still applies."""
    book = new_workbook()
    sheet = book.create_sheet("A")
    write_row(sheet, ["Sở Tư pháp", "#N/A", "=1+1", "-2", "a\x07b", "x" * 40_000, 3, Decimal("1.5"), None])
    write_row(sheet, [Decimal("2.25"), None, "—"], number_formats={1: "#,##0.00", 2: "#,##0.00", 3: "#,##0.00"})
    write_row(sheet, ["Tiêu đề", None], font=HEADER_FONT, fill=HEADER_FILL)
    out = io.BytesIO()
    book.save(out)
    ws = load_workbook(io.BytesIO(out.getvalue()))["A"]
    first = [ws.cell(1, column) for column in range(1, 10)]
    assert [c.value for c in first[:5]] == ["Sở Tư pháp", "#N/A", "=1+1", "-2", "ab"]
    assert [c.data_type for c in first[:5]] == ["s"] * 5  # #N/A not an error cell, =1+1 not a formula
    assert [c.quotePrefix for c in first[:5]] == [False, False, True, True, False]
    assert len(first[5].value) == 40_000 and first[5].data_type == "s"  # kept whole, as before, through cell
    assert [c.value for c in first[6:]] == [3, 1.5, None]
    assert ws["A2"].value == 2.25 and ws["A2"].number_format == "#,##0.00"
    assert ws["C2"].value == "—" and ws["C2"].number_format == "#,##0.00"
    assert ws["B2"].number_format == "General"  # an empty cell needs no number format: not written at all
    assert ws["A3"].font.bold and ws["B3"].fill.fgColor.rgb == HEADER_FILL.fgColor.rgb  # a styled row: every cell

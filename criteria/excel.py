"""Excel (.xlsx) import and export of a criteria set.

Sheet «Bộ chỉ số»: one row per node under a header row; «Mã», «Nội dung», «Điểm tối đa» are required and
matched without regard to case, accents or order. Sheet «Thông tin» (optional on import) holds the
set's name, agency kind, years and legal basis, so an exported set imports back unchanged.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl.styles import Alignment

from organisations.models import AgencyKind
from parindex.numbers import decimal_places, parse_decimal
from parindex.xlsx import (
    BOLD,
    Column,
    ImportInvalid,
    cell,
    find_sheet,
    new_workbook,
    normalize,
    open_workbook,
    read_date,
    read_flag,
    read_table,
    set_widths,
    text_too_long,
    unreadable_as_invalid,
    workbook_bytes,
    write_header,
    write_help,
    write_row,
)
from parindex.xlsx import cell_text as _text

from .models import TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, IndexSet, Node, ScoringMethod
from .services import index_set_create, rows_from_index_set
from .tree import (
    COL_CODE,
    COL_DEDUCTION,
    COL_MAX,
    COL_METHOD,
    COL_STEP,
    COL_SURVEY,
    COL_TIERS,
    COL_TITLE,
    NodeRow,
    RowError,
    TreeInvalid,
    format_tiers,
    parse_tiers,
    validate_rows,
)

SHEET_NODES = "Bộ chỉ số"
SHEET_INFO = "Thông tin"
SHEET_HELP = "Hướng dẫn"
COL_NOT_APPLICABLE = "Được không áp dụng"
MAX_NODES = 5_000  # nodes per imported set; real sets have one or two hundred


COLUMNS = [
    Column(
        "code",
        COL_CODE,
        True,
        10,
        "Mã dạng số nối bằng dấu chấm: 1, 1.2, 1.2.3, 2.1.1.1 (tối đa 4 cấp).",
        aliases=("Mã số",),
        max_length=Node._meta.get_field("code").max_length,
    ),
    Column(
        "title",
        COL_TITLE,
        True,
        60,
        "Tên lĩnh vực, tiêu chí hoặc tiêu chí thành phần.",
        aliases=("Nội dung tiêu chí", "Tiêu chí"),
        max_length=TITLE_MAX_LENGTH,
    ),
    Column(
        "max_points",
        COL_MAX,
        True,
        12,
        "Số không âm, tối đa 2 chữ số thập phân (12,5). Mục cha = tổng mục con.",
    ),
    Column(
        "method",
        COL_METHOD,
        False,
        18,
        "Chỉ cho mục không có mục con: Nhập điểm (mặc định), Có/Không, Tỷ lệ, Trừ điểm.",
    ),
    Column("step", COL_STEP, False, 10, "Bước điểm khi nhập điểm; để trống là 0,25."),
    Column("deduction_per_event", COL_DEDUCTION, False, 12, "Với «Trừ điểm»: số điểm trừ cho mỗi lần vi phạm."),
    Column(
        "tiers",
        COL_TIERS,
        False,
        28,
        "Với «Tỷ lệ»: các bậc «từ-đến: điểm» phủ kín 0–100 %, ví dụ «0-50: 0; 50-80: 0,5; 80-100: 1».",
    ),
    Column("guidance", "Hướng dẫn chấm", False, 40, "Cách chấm điểm tiêu chí.", max_length=TEXT_MAX_LENGTH),
    Column(
        "evidence_required",
        "Tài liệu kiểm chứng",
        False,
        40,
        "Tài liệu đơn vị phải đính kèm.",
        max_length=TEXT_MAX_LENGTH,
    ),
    Column(
        "lead_agency",
        "Cơ quan theo dõi",
        False,
        20,
        "Cơ quan chủ trì thẩm định tiêu chí (không bắt buộc).",
        max_length=Node._meta.get_field("lead_agency").max_length,
    ),
    Column("allow_not_applicable", COL_NOT_APPLICABLE, False, 12, "Có / Không (mặc định Không)."),
    Column("is_survey", COL_SURVEY, False, 12, "Có nếu là điểm điều tra xã hội học (không tự chấm)."),
]

_METHODS = {
    "nhap diem": ScoringMethod.MANUAL,
    "manual": ScoringMethod.MANUAL,
    "co/khong": ScoringMethod.YES_NO,
    "co / khong": ScoringMethod.YES_NO,
    "co khong": ScoringMethod.YES_NO,
    "yes_no": ScoringMethod.YES_NO,
    "ty le": ScoringMethod.RATIO,
    "ty le theo bac": ScoringMethod.RATIO,
    "ratio": ScoringMethod.RATIO,
    "tru diem": ScoringMethod.DEDUCTION,
    "tru diem theo so lan": ScoringMethod.DEDUCTION,
    "deduction": ScoringMethod.DEDUCTION,
}
_METHOD_LABELS: dict[str, str] = {
    ScoringMethod.MANUAL: "Nhập điểm",
    ScoringMethod.YES_NO: "Có/Không",
    ScoringMethod.RATIO: "Tỷ lệ",
    ScoringMethod.DEDUCTION: "Trừ điểm",
}

_INFO_FIELDS = [
    ("name", "Tên bộ chỉ số"),
    ("agency_kind", "Loại cơ quan"),
    ("year_from", "Áp dụng từ năm"),
    ("year_to", "Đến năm"),
    ("decision_number", "Số quyết định"),
    ("decision_date", "Ngày quyết định"),
    ("issuer", "Cơ quan ban hành"),
    ("is_sample", "Bộ mẫu"),
]
# The set's text fields and their lengths: a longer cell is refused in its row.
_INFO_TEXT = {
    "name": IndexSet._meta.get_field("name").max_length,
    "decision_number": IndexSet._meta.get_field("decision_number").max_length,
    "issuer": IndexSet._meta.get_field("issuer").max_length,
}
_KINDS = {normalize(label): value for value, label in AgencyKind.choices} | {v: v for v in AgencyKind.values}


@dataclass
class ParsedWorkbook:
    rows: list[NodeRow] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def _open(data: bytes) -> Any:
    try:
        return open_workbook(data)
    except ImportInvalid as exc:
        raise TreeInvalid(exc.errors) from None


def parse_workbook(data: bytes) -> ParsedWorkbook:
    """Read rows and metadata; unreadable cells become errors, never exceptions (except an unreadable file)."""
    workbook = _open(data)
    result = ParsedWorkbook()
    try:
        with unreadable_as_invalid():
            info_sheet = find_sheet(workbook, SHEET_INFO)
            if info_sheet is not None:
                result.info = _read_info(info_sheet, result.errors)
            _read_nodes(_nodes_sheet(workbook), result)
    except ImportInvalid as exc:
        raise TreeInvalid(exc.errors) from None
    finally:
        workbook.close()
    return result


def _nodes_sheet(workbook: Any) -> Any:
    return find_sheet(workbook, SHEET_NODES) or workbook.worksheets[0]


def _read_nodes(sheet: Any, result: ParsedWorkbook) -> None:
    # The shared reader finds the header row (case, accents, order, aliases) and reports its problems.
    errors_before = len(result.errors)
    table = read_table(sheet, COLUMNS, result.errors, max_rows=MAX_NODES)
    for number, cells in table:
        result.rows.append(_read_row(number, cells, result.errors))
    if not table and len(result.errors) == errors_before:
        result.errors.append(RowError(None, None, "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))


def _read_row(number: int, cells: dict[str, object], errors: list[RowError]) -> NodeRow:
    def decimal_cell(key: str, header: str, *, required: bool = False) -> Decimal | None:
        raw = cells.get(key)
        if _text(raw) == "":
            if required:
                errors.append(RowError(number, header, "Ô này không được để trống; nhập một số, ví dụ 12,5."))
            return None
        try:
            value = parse_decimal(raw)
        except ValueError:
            errors.append(RowError(number, header, f"«{_text(raw)}» không phải là số; nhập một số, ví dụ 12,5."))
            return None
        if decimal_places(value) > 2:
            errors.append(RowError(number, header, f"«{_text(raw)}» có quá 2 chữ số thập phân."))
            return None
        return value

    method_raw = _text(cells.get("method"))
    method = ""
    if method_raw:
        method = _METHODS.get(normalize(method_raw), "")
        if not method:
            errors.append(
                RowError(
                    number,
                    COL_METHOD,
                    f"Phương pháp chấm «{method_raw}» không có; dùng Nhập điểm, Có/Không, Tỷ lệ hoặc Trừ điểm.",
                )
            )
    tiers = []
    tiers_raw = _text(cells.get("tiers"))
    if tiers_raw:
        try:
            tiers = parse_tiers(tiers_raw)
        except ValueError as exc:
            errors.append(RowError(number, COL_TIERS, f"Bậc tỷ lệ {exc}."))
    code = _text(cells.get("code")).rstrip(".")
    return NodeRow(
        row=number,
        code=code,
        title=_text(cells.get("title")),
        max_points=decimal_cell("max_points", COL_MAX, required=True),
        method=method,
        step=decimal_cell("step", COL_STEP),
        deduction_per_event=decimal_cell("deduction_per_event", COL_DEDUCTION),
        tiers=tiers,
        guidance=_text(cells.get("guidance")),
        evidence_required=_text(cells.get("evidence_required")),
        lead_agency=_text(cells.get("lead_agency")),
        allow_not_applicable=read_flag(
            cells.get("allow_not_applicable"), errors, row=number, column=COL_NOT_APPLICABLE
        ),
        is_survey=read_flag(cells.get("is_survey"), errors, row=number, column=COL_SURVEY),
    )


def _read_info(sheet: Any, errors: list[RowError]) -> dict[str, Any]:
    labels = {normalize(label): key for key, label in _INFO_FIELDS}
    info: dict[str, Any] = {}
    sheet.reset_dimensions()
    for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=2, max_row=100), start=1):
        if not values or len(values) < 2:
            continue
        key = labels.get(normalize(values[0]))
        raw = values[1]
        if key is None or _text(raw) == "":
            continue
        where = f"{SHEET_INFO}» dòng {number}, «{_text(values[0])}"
        limit = _INFO_TEXT.get(key)
        too_long = text_too_long(raw, limit) if limit is not None else None
        if too_long is not None:
            errors.append(RowError(None, where, too_long))
            continue
        if key == "agency_kind":
            kind = _KINDS.get(normalize(raw))
            if kind is None:
                allowed = ", ".join(str(label) for _, label in AgencyKind.choices)
                errors.append(
                    RowError(None, where, f"Loại cơ quan «{_text(raw)}» không có; dùng một trong: {allowed}.")
                )
            info[key] = kind
        elif key in {"year_from", "year_to"}:
            try:
                info[key] = int(_text(raw))
            except ValueError:
                errors.append(RowError(None, where, f"«{_text(raw)}» không phải là năm (ví dụ 2026)."))
        elif key == "decision_date":
            info[key] = _read_date(raw, where, errors)
        elif key == "is_sample":
            info[key] = read_flag(raw, errors, row=None, column=where)
        else:
            info[key] = _text(raw)
    return info


def _read_date(raw: object, where: str, errors: list[RowError]) -> datetime.date | None:
    value = read_date(raw)
    if value is None:
        errors.append(RowError(None, where, f"«{_text(raw)}» không phải là ngày dạng dd/mm/yyyy."))
    return value


def import_index_set(data: bytes, **overrides: Any) -> IndexSet:
    """All or nothing: raises TreeInvalid listing every error in the file, or returns the saved set.

    ``overrides`` (name, agency_kind, year_from...) win over the «Thông tin» sheet.
    """
    parsed = parse_workbook(data)
    info = parsed.info | {k: v for k, v in overrides.items() if v not in (None, "")}
    errors = list(parsed.errors)
    for key, label in (("name", "Tên bộ chỉ số"), ("agency_kind", "Loại cơ quan"), ("year_from", "Áp dụng từ năm")):
        if not info.get(key) and not any(e.column and label in e.column for e in errors):
            errors.append(
                RowError(None, label, f"Chưa có «{label}»: nhập trên trang nhập hoặc ở trang «{SHEET_INFO}».")
            )
    if parsed.rows and not any(e.row is None and e.column is None for e in parsed.errors):
        errors.extend(validate_rows(parsed.rows))
    if errors:
        raise TreeInvalid(sorted(dict.fromkeys(errors), key=lambda e: (e.row is not None, e.row or 0)))
    return index_set_create(rows=parsed.rows, **info)


# ---- export -------------------------------------------------------------------------------------------


def _value(row: NodeRow, key: str) -> object:
    if key == "method":
        return _METHOD_LABELS.get(row.method, "") if row.method else ""
    if key == "tiers":
        return format_tiers(row.tiers)
    if key in {"allow_not_applicable", "is_survey"}:
        return "Có" if getattr(row, key) else ""
    return getattr(row, key)


def build_workbook(index_set: IndexSet | None) -> bytes:
    """The set as a workbook; with ``None``, the blank template (headers, instructions, metadata labels).

    Write-only: each node's row goes straight to the file, so time grows with the number of nodes.
    """
    workbook = new_workbook()
    sheet = workbook.create_sheet(SHEET_NODES)
    write_header(sheet, COLUMNS, freeze="C2")
    rows = rows_from_index_set(index_set) if index_set is not None else []
    parents = {r.parent_code for r in rows}
    number_columns = {"max_points", "step", "deduction_per_event"}
    top = Alignment(wrap_text=True, vertical="top")
    indented = {depth: Alignment(wrap_text=True, vertical="top", indent=depth - 1) for depth in range(1, 6)}
    for row in rows:
        font = BOLD if row.code in parents else None
        write_row(
            sheet,
            [
                cell(
                    sheet,
                    _value(row, c.key),
                    font=font,
                    alignment=indented.get(row.depth, top) if c.key == "title" else top,
                    number_format="0.00" if c.key in number_columns else None,
                )
                for c in COLUMNS
            ],
        )

    info = workbook.create_sheet(SHEET_INFO)
    set_widths(info, (22, 60))
    values = _info_values(index_set)
    for key, label in _INFO_FIELDS:
        write_row(info, [cell(info, label, font=BOLD), values.get(key, "")])

    write_help(
        workbook.create_sheet(SHEET_HELP),
        [(SHEET_NODES, COLUMNS)],
        [
            (
                SHEET_INFO,
                "Tên bộ chỉ số, loại cơ quan, năm áp dụng và căn cứ ban hành; khi nhập, các ô trên trang nhập "
                "được ưu tiên.",
            ),
            ("Loại cơ quan", "; ".join(str(label) for _, label in AgencyKind.choices)),
            ("Giới hạn", f"Tối đa {MAX_NODES:,} mục mỗi bộ chỉ số.".replace(",", ".")),
        ],
    )
    return workbook_bytes(workbook)


def _info_values(index_set: IndexSet | None) -> dict[str, object]:
    if index_set is None:
        return {}
    return {
        "name": index_set.name,
        "agency_kind": str(index_set.get_agency_kind_display()),
        "year_from": index_set.year_from,
        "year_to": index_set.year_to or "",
        "decision_number": index_set.decision_number,
        "decision_date": index_set.decision_date.strftime("%d/%m/%Y") if index_set.decision_date else "",
        "issuer": index_set.issuer,
        "is_sample": "Có" if index_set.is_sample else "Không",
    }

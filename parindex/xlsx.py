"""What every Excel import and export of the app shares: header matching, cell reading, row errors.

Imports are all or nothing: readers collect a ``RowError`` for every problem (sheet, row, column, what is
expected, in Vietnamese) and the caller raises ``ImportInvalid`` with all of them before saving anything.
"""

import datetime
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

# Normalized (see ``normalize``) spellings of a yes/no cell.
YES = frozenset({"co", "x", "1", "true", "yes", "c"})
NO = frozenset({"khong", "0", "false", "no", "k"})

# Every import of the app saves everything or nothing; each help sheet says so.
ALL_OR_NOTHING = (
    "Nhập toàn bộ hoặc không gì cả",
    "Nếu tệp có lỗi, không dòng nào được lưu; mọi lỗi được liệt kê kèm số dòng.",
)
HEADER_SEARCH_ROWS = 10  # a title line or two may stand above the header row


def normalize(text: object) -> str:
    """Lower case, no accents, single spaces: «ĐIỂM  tối đa» → «diem toi da»."""
    decomposed = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def cell_text(value: object) -> str:
    """A cell as the user typed it: 3.0 → «3», None → «»."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"Trang «{self.sheet}»")
        if self.row is not None:
            where.append(f"dòng {self.row}" if where else f"Dòng {self.row}")
        if self.column:
            where.append(f"cột «{self.column}»")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportInvalid(Exception):
    """Raised with every error found; nothing has been saved."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


def open_workbook(data: bytes) -> Any:
    """The workbook (read only, values not formulas), or ImportInvalid for an empty or unreadable file."""
    if not data:
        raise ImportInvalid([RowError(None, None, "Tệp rỗng: hãy chọn tệp Excel (.xlsx) theo mẫu.")])
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        message = "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ; hãy lưu lại dưới dạng .xlsx theo mẫu."
        raise ImportInvalid([RowError(None, None, message)]) from None


def find_sheet(workbook: Any, name: str) -> Any | None:
    """The sheet whose name matches ``name`` without regard to case or accents."""
    for sheet_name in workbook.sheetnames:
        if normalize(sheet_name) == normalize(name):
            return workbook[sheet_name]
    return None


def read_date(raw: object) -> datetime.date | None:
    """A date cell, or text dd/mm/yyyy; None when it is neither (the caller reports it)."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.datetime.strptime(cell_text(raw), "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


def read_yes_no(raw: object, *, default: bool = False) -> bool | None:
    """Có/Không (also x, 1/0, yes/no); ``default`` for a blank cell; None when it is neither."""
    value = normalize(cell_text(raw))
    if value == "":
        return default
    if value in YES:
        return True
    if value in NO:
        return False
    return None


def read_flag(
    raw: object,
    errors: list[RowError],
    *,
    row: int | None,
    column: str,
    sheet: str | None = None,
    default: bool = False,
) -> bool:
    """A yes/no cell as a bool; anything else is reported in ``errors`` (and read as ``default``)."""
    value = read_yes_no(raw, default=default)
    if value is None:
        errors.append(RowError(row, column, f"«{cell_text(raw)}» không hợp lệ; ghi «Có» hoặc «Không».", sheet))
        return default
    return value


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    width: int
    help: str
    aliases: tuple[str, ...] = ()  # other headers accepted on import, e.g. those of older templates

    def names(self) -> set[str]:
        """The normalized headers this column is recognised by."""
        return {normalize(self.header), *(normalize(alias) for alias in self.aliases)}


def _header_positions(
    values: Sequence[object], by_name: dict[str, Column], errors: list[RowError], *, row: int, sheet: str | None
) -> dict[str, int]:
    """{column key: index} for the known headers in a row; a column named twice is an error."""
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        column = by_name.get(normalize(value))
        if column is None:
            continue
        if column.key in found:
            errors.append(RowError(row, column.header, f"Cột «{column.header}» xuất hiện hai lần.", sheet))
        found[column.key] = index
    return found


def read_table(
    sheet: Any, columns: Sequence[Column], errors: list[RowError], *, sheet_label: str | None = None
) -> list[tuple[int, dict[str, object]]]:
    """Rows under the header row as ``(row number, {column key: value})``; blank rows are skipped.

    The header row is the first of the first ten that names a required column; headers are matched
    without regard to case, accents or order, and by their aliases. Problems with the header row are
    added to ``errors`` (with ``sheet_label`` when the workbook has several sheets) and give no rows.
    """
    by_name = {name: column for column in columns for name in column.names()}
    required = [c for c in columns if c.required]
    required_names = {name for column in required for name in column.names()}
    listed = ", ".join(f"«{c.header}»" for c in required)
    rows = sheet.iter_rows(values_only=True)
    header_at, found = None, {}
    for number, values in enumerate(rows, start=1):
        if any(normalize(value) in required_names for value in values or ()):
            header_at = number
            found = _header_positions(values, by_name, errors, row=number, sheet=sheet_label)
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if header_at is None:
        message = (
            f"Không tìm thấy dòng tiêu đề: trong {HEADER_SEARCH_ROWS} dòng đầu phải có một dòng với các cột {listed}."
        )
        errors.append(RowError(None, None, message, sheet_label))
        return []
    missing = [c.header for c in required if c.key not in found]
    for header in missing:
        message = f"Thiếu cột bắt buộc «{header}»; dòng tiêu đề phải có {listed}."
        errors.append(RowError(header_at, header, message, sheet_label))
    if missing:
        return []
    result = []
    # ``rows`` has stopped at the header: what is left are the data rows.
    for number, values in enumerate(rows, start=header_at + 1):
        if values is None or all(cell_text(v) == "" for v in values):
            continue
        result.append((number, {key: values[i] if i < len(values) else None for key, i in found.items()}))
    return result


def write_header(sheet: Any, columns: Sequence[Column]) -> None:
    """The header row, styled, with the columns' widths, frozen under it."""
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
        sheet.column_dimensions[cell.column_letter].width = column.width
    sheet.freeze_panes = "A2"


def write_help(
    sheet: Any, sections: Iterable[tuple[str, Sequence[Column]]], notes: Iterable[tuple[str, str]] = ()
) -> None:
    """A «how to fill this in» sheet: one line per column of each data sheet, then general notes.

    Every import is all or nothing, so that note comes first whatever the workbook.
    """
    sheet.append(["Trang", "Cột", "Bắt buộc", "Cách ghi"])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for sheet_name, columns in sections:
        for column in columns:
            sheet.append([sheet_name, column.header, "Có" if column.required else "", column.help])
    sheet.append([])
    for title, text in (ALL_OR_NOTHING, *notes):
        sheet.append([title, "", "", text])
    for letter, width in zip("ABCD", (14, 26, 10, 100), strict=True):
        sheet.column_dimensions[letter].width = width


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download (``filename`` is ASCII: the app's export names are)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

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

YES = {"co", "x", "1", "true", "yes", "c"}
NO = {"", "khong", "0", "false", "no", "k"}


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


def read_yes_no(raw: object) -> bool | None:
    """Có/Không (also x, 1/0, yes/no); None when it is neither."""
    value = normalize(cell_text(raw))
    if value in YES:
        return True
    if value in NO:
        return False
    return None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    width: int
    help: str


def read_table(
    sheet: Any, columns: Sequence[Column], errors: list[RowError], *, sheet_label: str
) -> list[tuple[int, dict[str, object]]]:
    """Rows under the header row (found among the first ten) as ``(row number, {column key: value})``.

    Headers are matched without regard to case, accents or order; blank rows are skipped.
    """
    by_header = {normalize(c.header): c for c in columns}
    rows = sheet.iter_rows(values_only=True)
    header_at, found = None, {}
    for number, values in enumerate(rows, start=1):
        found = {by_header[normalize(v)].key: i for i, v in enumerate(values or ()) if normalize(v) in by_header}
        if found:
            header_at = number
            break
        if number >= 10:
            break
    required = [c.header for c in columns if c.required]
    if header_at is None:
        listed = ", ".join(f"«{h}»" for h in required)
        message = f"Không tìm thấy dòng tiêu đề: trong 10 dòng đầu phải có các cột {listed}."
        errors.append(RowError(None, None, message, sheet_label))
        return []
    missing = [c.header for c in columns if c.required and c.key not in found]
    for header in missing:
        errors.append(RowError(header_at, header, f"Thiếu cột bắt buộc «{header}».", sheet_label))
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


def write_help(sheet: Any, sections: Iterable[tuple[str, Sequence[Column]]], notes: Iterable[tuple[str, str]]) -> None:
    """A «how to fill this in» sheet: one line per column of each data sheet, then general notes."""
    sheet.append(["Trang", "Cột", "Bắt buộc", "Cách ghi"])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for sheet_name, columns in sections:
        for column in columns:
            sheet.append([sheet_name, column.header, "Có" if column.required else "", column.help])
    sheet.append([])
    for title, text in notes:
        sheet.append([title, "", "", text])
    for letter, width in zip("ABCD", (14, 26, 10, 100), strict=True):
        sheet.column_dimensions[letter].width = width


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download (``filename`` is ASCII: the app's export names are)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

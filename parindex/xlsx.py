"""What every Excel import and export of the app shares: header matching, cell reading, row errors.

Imports are all or nothing: readers collect a ``RowError`` for every problem (sheet, row, column, what is
expected, in Vietnamese) and the caller raises ``ImportInvalid`` with all of them before saving anything.

Uploaded workbooks are hostile until checked: ``check_archive`` reads every part of the zip as a stream,
with caps on declared and actual sizes, on the compression ratio and on the length of any text, and
refuses DTDs and entities, before openpyxl parses anything (see ``open_workbook``). Exports write every
cell through ``row_cells``, so a user's text always leaves as text, never as a formula.
"""

import contextlib
import datetime
import io
import math
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary
from xml.parsers import expat

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
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
MAX_COLUMNS = 60  # columns read per row: the headers must stand within them; a lying dimension is ignored

# Limits of an uploaded workbook, checked before it is parsed. A real import workbook is far below them
# (an exported set of 10 000 nodes has parts of a few MB, compressed 5-15 times); a decompression bomb
# is far above. Excel itself keeps at most 32 767 characters in a cell.
MAX_PARTS = 500
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, for parts above RATIO_FROM_BYTES
RATIO_FROM_BYTES = 1024 * 1024
MAX_TEXT_CHARS = 32_767
_CHUNK = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")


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


NOT_XLSX = "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ; hãy lưu lại dưới dạng .xlsx theo mẫu."


def _mib(size: int) -> str:
    """2147483648 → «2.048,0 MB» (Vietnamese separators)."""
    return f"{size / (1024 * 1024):,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " MB"


def _refuse(message: str) -> ImportInvalid:
    return ImportInvalid([RowError(None, None, message)])


class _Refused(Exception):
    """Raised from inside the XML handlers to stop a part at once."""


def _xml_checker(part: str) -> Any:
    """An incremental expat parser that refuses DTDs and entities and any text over MAX_TEXT_CHARS.

    Text is counted per cell (``c``, shared string ``si``) or else per element, without keeping it; the
    parser is fed in chunks, so memory stays that of one chunk whatever the part holds.
    """
    parser = expat.ParserCreate()
    parser.buffer_text = False
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state = {"chars": 0, "cell_depth": 0, "depth": 0}

    def no_dtd(*_args: object) -> int:
        raise _Refused(
            f"Phần «{part}» của tệp có khai báo DTD hoặc thực thể (entity); tệp Excel không có những thứ này."
        )

    def start(name: str, _attrs: object) -> None:
        state["depth"] += 1
        if name.rpartition(":")[2] in {"c", "si"}:
            state["cell_depth"], state["chars"] = state["depth"], 0
        elif not state["cell_depth"]:
            state["chars"] = 0

    def end(_name: str) -> None:
        if state["depth"] == state["cell_depth"]:
            state["cell_depth"] = 0
        if not state["cell_depth"]:
            state["chars"] = 0
        state["depth"] -= 1

    def text(data: str) -> None:
        state["chars"] += len(data)
        if state["chars"] > MAX_TEXT_CHARS:
            raise _Refused(
                f"Phần «{part}» của tệp có một ô dài hơn {MAX_TEXT_CHARS:,} ký tự (giới hạn của Excel); "
                "tệp không được nhập.".replace(",", ".")
            )

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.UnparsedEntityDeclHandler = no_dtd
    parser.ExternalEntityRefHandler = no_dtd
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    return parser


def check_archive(data: bytes) -> None:
    """Refuse (ImportInvalid) a workbook whose parts are too big, too compressed or not well-formed XML.

    Declared sizes come from the zip's directory and may lie, so every part is also decompressed as a
    stream and counted, stopping at the cap; XML parts are checked by ``_xml_checker`` on the way.
    Nothing of the file is kept in memory beyond one chunk.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(NOT_XLSX) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _refuse(f"Tệp có {len(parts)} phần, nhiều hơn mức cho phép ({MAX_PARTS}); {NOT_XLSX}")
        declared = 0
        for info in parts:
            _check_declared(info)
            declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            raise _refuse(_too_big_total(declared))
        total = 0
        for info in parts:
            total += _check_part(archive, info, MAX_TOTAL_BYTES - total)


def _too_big_total(size: int) -> str:
    return (
        f"Nội dung giải nén của tệp lớn hơn {_mib(MAX_TOTAL_BYTES)} (tệp khai báo {_mib(size)}): "
        "tệp không được nhập. Hãy chia thành nhiều tệp nhỏ hơn."
    )


def _check_declared(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise _refuse(
            f"Phần «{info.filename}» của tệp giải nén ra {_mib(info.file_size)}, lớn hơn mức cho phép "
            f"{_mib(MAX_PART_BYTES)}: tệp không được nhập."
        )
    if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise _refuse(
            f"Phần «{info.filename}» của tệp nén quá {MAX_RATIO} lần ({_mib(info.compress_size)} giải nén ra "
            f"{_mib(info.file_size)}), dấu hiệu của tệp độc hại (zip bomb): tệp không được nhập."
        )


def _check_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> int:
    """The actual uncompressed size of the part, read as a stream; refuses at the first cap it passes."""
    checker = _xml_checker(info.filename) if info.filename.lower().endswith(_XML_SUFFIXES) else None
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > MAX_PART_BYTES or size > room or size > info.file_size:
                    raise _refuse(
                        f"Phần «{info.filename}» của tệp giải nén ra nhiều hơn kích thước khai báo hoặc mức cho "
                        f"phép ({_mib(min(MAX_PART_BYTES, room))}): tệp không được nhập."
                    )
                if checker is not None:
                    checker.Parse(chunk, False)
            if checker is not None:
                checker.Parse(b"", True)
    except _Refused as exc:
        raise _refuse(str(exc)) from None
    except expat.ExpatError as exc:
        raise _refuse(
            f"Phần «{info.filename}» của tệp không phải XML hợp lệ ({expat.ErrorString(exc.code)}, dòng {exc.lineno}, "
            f"cột {exc.offset}): tệp bị hỏng, hãy mở bằng Excel và lưu lại dưới dạng .xlsx."
        ) from None
    except zipfile.BadZipFile:
        # zipfile stops at the declared size, so a part longer than declared ends in a bad checksum
        raise _refuse(
            f"Phần «{info.filename}» của tệp không khớp với kích thước hoặc mã kiểm tra (CRC) khai báo: "
            "tệp hỏng hoặc đã bị sửa, không được nhập."
        ) from None
    except (zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        # a bad CRC (a part longer or other than declared), an unknown compression, a password
        raise _refuse(f"Phần «{info.filename}» của tệp không đọc được: {NOT_XLSX}") from None
    return size


@contextlib.contextmanager
def unreadable_as_invalid() -> Iterator[None]:
    """Whatever openpyxl raises on a checked but still odd workbook becomes a clear refusal, never a 500."""
    try:
        yield
    except ImportInvalid:
        raise
    except Exception:  # openpyxl raises many kinds on malformed parts; all mean the same here
        raise _refuse(NOT_XLSX) from None


def open_workbook(data: bytes) -> Any:
    """The workbook (read only, values not formulas), or ImportInvalid for an empty, unreadable or hostile file.

    ``check_archive`` runs first: openpyxl only ever parses parts already checked.
    """
    if not data:
        raise _refuse("Tệp rỗng: hãy chọn tệp Excel (.xlsx) theo mẫu.")
    check_archive(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _refuse(NOT_XLSX) from None
    except Exception:  # see unreadable_as_invalid
        raise _refuse(NOT_XLSX) from None


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
    max_length: int | None = None  # of the field the column fills; a longer cell is refused before saving

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
    sheet: Any,
    columns: Sequence[Column],
    errors: list[RowError],
    *,
    max_rows: int,
    sheet_label: str | None = None,
) -> list[tuple[int, dict[str, object]]]:
    """Rows under the header row as ``(row number, {column key: value})``; blank rows are skipped.

    The header row is the first of the first ten that names a required column; headers are matched
    without regard to case, accents or order, and by their aliases. Problems with the header row are
    added to ``errors`` (with ``sheet_label`` when the workbook has several sheets) and give no rows.
    A cell longer than its column's ``max_length`` is an error (``check_archive`` has already kept
    every cell within Excel's 32 767 characters). More than ``max_rows``
    data rows is an error naming the limit, and reading stops there.
    """
    by_name = {name: column for column in columns for name in column.names()}
    required = [c for c in columns if c.required]
    required_names = {name for column in required for name in column.names()}
    listed = ", ".join(f"«{c.header}»" for c in required)
    # The sheet's declared dimension may lie (A1:XFD1048576): read only the columns a header may be in.
    if hasattr(sheet, "reset_dimensions"):  # a read-only sheet (tests also pass ordinary ones)
        sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
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
    by_key = {c.key: c for c in columns}
    result: list[tuple[int, dict[str, object]]] = []
    # ``rows`` has stopped at the header: what is left are the data rows.
    for number, values in enumerate(rows, start=header_at + 1):
        if values is None or all(cell_text(v) == "" for v in values):
            continue
        if len(result) == max_rows:
            message = (
                f"Tệp có hơn {max_rows:,} dòng dữ liệu; mỗi lần nhập tối đa {max_rows:,} dòng. "
                "Hãy chia thành nhiều tệp."
            ).replace(",", ".")
            errors.append(RowError(number, None, message, sheet_label))
            break
        cells = {key: values[i] if i < len(values) else None for key, i in found.items()}
        for key, value in cells.items():
            limit = by_key[key].max_length
            too_long = text_too_long(value, limit) if limit is not None else None
            if too_long is not None:
                errors.append(RowError(number, by_key[key].header, too_long, sheet_label))
        result.append((number, cells))
    return result


def text_too_long(value: object, limit: int) -> str | None:
    """The refusal for a cell longer than ``limit`` characters, or None."""
    length = len(cell_text(value))
    if length <= limit:
        return None
    return f"Nội dung dài {length:,} ký tự; tối đa {limit:,} ký tự.".replace(",", ".")


# ---- writing -----------------------------------------------------------------------------------------
# Every export builds a write-only workbook (rows stream to the file: linear time, flat memory) and writes
# every cell through ``cell``: the one place that decides how a value is stored.

FORMULA_LEADS = ("=", "+", "-", "@")  # what Excel would read as the start of a formula when typed


def new_workbook() -> Any:
    return Workbook(write_only=True)


# Each sheet's styles, made once: setting a font or a number format on a cell looks it up in the workbook's
# style lists, which cost more than writing the cell itself; an export's rows repeat a few styles.
_STYLES: WeakKeyDictionary[Any, dict[tuple[object, ...], StyleArray]] = WeakKeyDictionary()


def _style(
    sheet: Any,
    font: Font | None,
    fill: PatternFill | None,
    alignment: Alignment | None,
    number_format: str | None,
) -> StyleArray | None:
    key = (font, fill, alignment, number_format)
    styles = _STYLES.setdefault(sheet, {})
    style = styles.get(key)
    if style is None:
        model = WriteOnlyCell(sheet)
        if font is not None:
            model.font = font
        if fill is not None:
            model.fill = fill
        if alignment is not None:
            model.alignment = alignment
        if number_format is not None:
            model.number_format = number_format
        style = styles[key] = model._style
    return style


def cell(
    sheet: Any,
    value: object,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
    number_format: str | None = None,
) -> Cell:
    """A cell for ``sheet``; text is always stored as text, never as a formula.

    openpyxl makes a formula of any text starting with «=». Here text keeps the string type, and text
    starting with = + - @ also gets Excel's «quote prefix», so editing the cell in Excel keeps it text.
    Characters XML cannot hold (control characters) are dropped rather than failing the export.
    """
    styled = font is not None or fill is not None or alignment is not None or number_format is not None
    style = _style(sheet, font, fill, alignment, number_format) if styled else None
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        result = Cell(sheet, row=1, column=1, style_array=style)  # what WriteOnlyCell makes, with the style
        # The value setter would make a formula of «=…»: set the stored value and its type directly.
        result._value, result.data_type = text, "s"
        if text.startswith(FORMULA_LEADS):
            result.quotePrefix = True
        return result
    return Cell(sheet, row=1, column=1, value=value, style_array=style)


def _as_is(value: object) -> bool:
    """Whether openpyxl stores ``value`` itself exactly as ``cell`` would: anything but text, and text it
    keeps as text (not «=…», no error code such as #N/A, no character XML cannot hold, within Excel's length)."""
    if not isinstance(value, str):
        return True
    return (
        not value.startswith(FORMULA_LEADS)
        and value not in ERROR_CODES
        and len(value) <= MAX_TEXT_CHARS
        and ILLEGAL_CHARACTERS_RE.search(value) is None
    )


def write_row(
    sheet: Any,
    values: Iterable[object],
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    alignment: Alignment | None = None,
    number_formats: dict[int, str] | None = None,
) -> None:
    """Append one row; values already made by ``cell`` keep their own style, others get the row's.

    ``number_formats`` maps a column number (1-based) to its format. A value with no style to carry (an empty
    cell needs no number format) that openpyxl stores as ``cell`` would is handed over as it is: making a
    cell object for it costs more than writing it (benchmarks.reports).
    """
    formats = number_formats or {}
    if font is None and fill is None and alignment is None:
        # A data row, the bulk of a workbook: the checks in the order that settles most values soonest (this
        # line runs for every cell). A Cell not under a format is no str, so it goes as it is too.
        row = [
            value
            if value is None
            or (index not in formats and (type(value) is not str or _as_is(value)))
            or isinstance(value, Cell)
            else cell(sheet, value, number_format=formats.get(index))
            for index, value in enumerate(values, start=1)
        ]
    else:
        row = [
            value
            if isinstance(value, Cell)
            else cell(sheet, value, font=font, fill=fill, alignment=alignment, number_format=formats.get(index))
            for index, value in enumerate(values, start=1)
        ]
    sheet.append(row)


def set_widths(sheet: Any, widths: Iterable[int]) -> None:
    """Column widths; on a write-only sheet they must be set before the first row."""
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


LINE_POINTS = 15  # a line of 11-point Calibri, the workbooks' default font


def header_height(headers: Iterable[tuple[str, int]]) -> float:
    """Points for a header row to show each (text, column width) header whole: Excel and LibreOffice keep a row
    one line high unless told otherwise, cutting wrapped headers. Counted as the most lines one header takes,
    wrapped in its column (a width unit holds about one character of the bold header font, less one for the
    cell's margins)."""
    lines = max(
        (sum(math.ceil(len(part) / max(width - 1, 1)) or 1 for part in text.split("\n")) for text, width in headers),
        default=1,
    )
    return LINE_POINTS * lines + 3


def write_header(sheet: Any, columns: Sequence[Column], *, freeze: str = "A2") -> None:
    """The header row, styled, with the columns' widths, frozen under it (first rows of a new sheet)."""
    set_widths(sheet, (c.width for c in columns))
    sheet.freeze_panes = freeze
    sheet.row_dimensions[1].height = header_height((c.header, c.width) for c in columns)
    write_row(sheet, [c.header for c in columns], font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP)


def write_help(
    sheet: Any, sections: Iterable[tuple[str, Sequence[Column]]], notes: Iterable[tuple[str, str]] = ()
) -> None:
    """A «how to fill this in» sheet: one line per column of each data sheet, then general notes.

    Every import is all or nothing, so that note comes first whatever the workbook.
    """
    set_widths(sheet, (14, 26, 10, 100))
    write_row(sheet, ["Trang", "Cột", "Bắt buộc", "Cách ghi"], font=HEADER_FONT, fill=HEADER_FILL)
    for sheet_name, columns in sections:
        for column in columns:
            write_row(sheet, [sheet_name, column.header, "Có" if column.required else "", column.help])
    write_row(sheet, [])
    for title, text in (ALL_OR_NOTHING, *notes):
        write_row(sheet, [title, "", "", text])


def workbook_bytes(workbook: Any) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download (``filename`` is ASCII: the app's export names are)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

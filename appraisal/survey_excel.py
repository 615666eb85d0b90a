"""Survey points by Excel: a template listing every participant of a period, and its all-or-nothing import.

Sheet «Điều tra xã hội học»: one row per agency (name, short name) and one column per survey part, headed
«code title (tối đa max)». Sets of several agency kinds share a column where their part reads the same.
Agencies are matched by name or short name (case, accents and spaces aside). Every problem is listed with
its row; any problem saves nothing. Values go through ``survey_set`` with source «import»: a changed value
needs no typed reason, an unchanged one records nothing. Formulas are not evaluated (``open_workbook``
reads stored values only).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import Assessment, Period
from criteria.models import Node
from organisations.models import Agency
from parindex.numbers import decimal_places, format_points, parse_decimal
from parindex.xlsx import (
    Column,
    ImportInvalid,
    RowError,
    cell_text,
    find_sheet,
    new_workbook,
    normalize,
    open_workbook,
    read_table,
    unreadable_as_invalid,
    workbook_bytes,
    write_header,
    write_help,
    write_row,
)

from .models import SurveyScore, SurveySource
from .rules import council_refusal
from .surveys import participants, survey_parts_by_set, survey_set

SHEET = "Điều tra xã hội học"
SHEET_HELP = "Hướng dẫn"
COL_NAME = "Tên cơ quan, đơn vị"
COL_SHORT = "Tên viết tắt"
MAX_ROWS = 2_000  # a province has a few hundred participants
_NAME_LENGTH = int(Agency._meta.get_field("name").max_length or 255)


@dataclass
class PartColumn:
    column: Column
    nodes: dict[int, Node] = field(default_factory=dict)  # index set id → that set's part under this header


@dataclass
class Layout:
    assessments: list[Assessment]
    parts: list[PartColumn]

    def columns(self) -> list[Column]:
        return [
            Column(
                "name",
                COL_NAME,
                True,
                44,
                "Tên đầy đủ của đơn vị tham gia kỳ (hoặc để trống và ghi tên viết tắt).",
                aliases=("Đơn vị", "Tên đơn vị", "Cơ quan, đơn vị"),
                max_length=_NAME_LENGTH,
            ),
            Column("short_name", COL_SHORT, False, 14, "Dùng khi không ghi tên đầy đủ.", max_length=_NAME_LENGTH),
            *(p.column for p in self.parts),
        ]


def _header(node: Node) -> str:
    return f"{node.code} {' '.join(node.title.split())} (tối đa {format_points(node.max_points)})"


def layout(period: Period) -> Layout:
    """The participants and the part columns of the period's workbook (two queries)."""
    assessments = list(participants(period))
    by_set = survey_parts_by_set({a.index_set_id for a in assessments})
    columns: dict[str, PartColumn] = {}
    for set_id, parts in sorted(by_set.items()):
        for node in parts:
            header = _header(node)
            if header not in columns:
                help_text = (
                    f"Số từ 0 đến {format_points(node.max_points)}, tối đa 2 chữ số thập phân; để trống: chưa có."
                )
                columns[header] = PartColumn(Column(f"part{len(columns)}", header, False, 18, help_text))
            columns[header].nodes[set_id] = node
    return Layout(assessments, list(columns.values()))


def build_template(period: Period) -> bytes:
    """Every participant, with the points stored now (blank where none): filled in and imported back."""
    shape = layout(period)
    stored = {
        (s.assessment_id, s.node_id): s.points for s in SurveyScore.objects.filter(assessment__period=period).order_by()
    }
    workbook = new_workbook()
    sheet = workbook.create_sheet(SHEET)
    columns = shape.columns()
    write_header(sheet, columns, freeze="C2")
    for assessment in shape.assessments:
        values: list[object] = [assessment.agency.name, assessment.agency.short_name]
        for part in shape.parts:
            node = part.nodes.get(assessment.index_set_id)
            values.append(stored.get((assessment.pk, node.pk)) if node is not None else None)
        write_row(sheet, values, number_formats=dict.fromkeys(range(3, len(values) + 1), "0.00"))
    notes = [
        ("Đơn vị", "Nhận theo tên hoặc tên viết tắt, không phân biệt hoa thường, dấu cách; mỗi đơn vị một dòng."),
        ("Sửa điểm đã có", "Điểm khác với điểm đang lưu được ghi vào lịch sử (nguồn: nhập từ Excel)."),
        ("Công thức", "Ô có công thức không được tính: hãy dán giá trị (Paste values)."),
    ]
    write_help(workbook.create_sheet(SHEET_HELP), [(SHEET, columns)], notes)
    return workbook_bytes(workbook)


@dataclass
class SurveyImportResult:
    changed: int = 0
    unchanged: int = 0


def _lookup(assessments: list[Assessment]) -> dict[str, list[Assessment]]:
    """Normalized name and short name → the participants so called (several: ambiguous)."""
    found: dict[str, list[Assessment]] = {}
    for assessment in assessments:
        keys = {normalize(assessment.agency.name), normalize(assessment.agency.short_name)} - {""}
        for key in keys:
            found.setdefault(key, []).append(assessment)
    return found


def _read(data: bytes, shape: Layout) -> list[tuple[int, dict[str, object]]]:
    workbook = open_workbook(data)
    errors: list[RowError] = []
    try:
        with unreadable_as_invalid():
            sheet = find_sheet(workbook, SHEET) or workbook.worksheets[0]
            rows = read_table(sheet, shape.columns(), errors, max_rows=MAX_ROWS)
    finally:
        workbook.close()
    if errors:
        raise ImportInvalid(errors)
    if not rows:
        raise ImportInvalid([RowError(None, None, "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")])
    return rows


def _values(
    rows: list[tuple[int, dict[str, object]]], shape: Layout
) -> tuple[list[tuple[Assessment, Node, Decimal]], list[RowError]]:
    """(sheet, part, points) for every filled cell, and every problem found with its row."""
    lookup = _lookup(shape.assessments)
    seen: dict[int, int] = {}
    errors: list[RowError] = []
    values: list[tuple[Assessment, Node, Decimal]] = []
    if not any(p.column.key in cells for _n, cells in rows[:1] for p in shape.parts):
        headers = "; ".join(f"«{p.column.header}»" for p in shape.parts) or "—"
        errors.append(RowError(None, None, f"Không có cột điểm điều tra nào; dùng tệp mẫu (các cột: {headers})."))
        return values, errors
    for number, cells in rows:
        name, short = cell_text(cells.get("name")), cell_text(cells.get("short_name"))
        column, typed = (COL_NAME, name) if name else (COL_SHORT, short)
        matches = lookup.get(normalize(typed), [])
        if not typed:
            errors.append(RowError(number, COL_NAME, "Ghi tên hoặc tên viết tắt của đơn vị."))
            continue
        if len(matches) != 1:
            problem = "trùng tên với nhiều đơn vị" if matches else "không phải là đơn vị tham gia kỳ này"
            errors.append(RowError(number, column, f"«{typed}» {problem}."))
            continue
        assessment = matches[0]
        if assessment.pk in seen:
            errors.append(
                RowError(number, column, f"Đơn vị «{assessment.agency.name}» đã có ở dòng {seen[assessment.pk]}.")
            )
            continue
        seen[assessment.pk] = number
        for part in shape.parts:
            raw = cells.get(part.column.key)
            if cell_text(raw) == "":
                continue
            node = part.nodes.get(assessment.index_set_id)
            refused, points = _cell_problem(raw, node)
            if refused is not None:
                errors.append(RowError(number, part.column.header, refused))
            elif node is not None and points is not None:
                values.append((assessment, node, points))
    return values, errors


def _cell_problem(raw: object, node: Node | None) -> tuple[str | None, Decimal | None]:
    if node is None:
        return "Bộ chỉ số của đơn vị này không có phần điều tra này; để trống ô.", None
    try:
        points = parse_decimal(raw)
    except ValueError:
        return f"«{cell_text(raw)}» không phải là số; ghi một số, ví dụ 18,5.", None
    if points < 0:
        return f"Điểm {format_points(points)} âm; điểm điều tra từ 0 trở lên.", None
    if points > node.max_points:
        return f"Điểm {format_points(points)} vượt điểm tối đa {format_points(node.max_points)} của phần này.", None
    if decimal_places(points) > 2:
        return f"«{cell_text(raw)}» có quá 2 chữ số thập phân.", None
    return None, points


def import_survey(*, period: Period, data: bytes, user: User) -> SurveyImportResult:
    """Check every row, then store every value in one transaction; ImportInvalid lists every problem."""
    shape = layout(period)
    values, errors = _values(_read(data, shape), shape)
    if errors:
        raise ImportInvalid(errors)
    result = SurveyImportResult()
    try:
        with transaction.atomic():
            locked = Period.objects.select_for_update().get(pk=period.pk)
            refusal = council_refusal(locked)
            if refusal is not None:
                raise ImportInvalid([RowError(None, None, refusal)])
            for assessment, node, points in values:
                saved = survey_set(
                    assessment=assessment, node=node, points=points, user=user, source=SurveySource.IMPORT
                )
                if saved is None:
                    result.unchanged += 1
                else:
                    result.changed += 1
    except ValidationError as exc:  # a rule only the service knows: the transaction is rolled back
        raise ImportInvalid([RowError(None, None, " ".join(exc.messages))]) from None
    return result

"""The progress list as a workbook (Sở Nội vụ's monthly follow-up report)."""

import io
from collections.abc import Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .models import Period
from .selectors import ProgressRow

HEADERS = [
    ("STT", 6),
    ("Cơ quan, đơn vị", 42),
    ("Trạng thái", 18),
    ("Tiêu chí đã chấm", 12),
    ("Tổng số tiêu chí", 12),
    ("Tỷ lệ đã chấm (%)", 12),
    ("Có tài liệu kiểm chứng (%)", 14),
    ("Điểm tự chấm", 12),
    ("Điểm tối đa áp dụng", 12),
    ("Chỉ số tạm tính (%)", 12),
    ("Hạn tự đánh giá", 18),  # the agency's own: its extension where it has one
    ("Đã gia hạn", 9),
    ("Còn (ngày)", 10),
    ("Quá hạn", 9),
]
_OVERDUE = PatternFill("solid", fgColor="F8D7DA")


def progress_workbook(period: Period, rows: Sequence[ProgressRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tiến độ"
    sheet.append([f"TIẾN ĐỘ TỰ ĐÁNH GIÁ CHỈ SỐ CCHC – {period.name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([f"Số liệu lúc {timezone.localtime():%H:%M ngày %d/%m/%Y}"])
    sheet.append([])
    sheet.append([h for h, _ in HEADERS])
    for index, (_header, width) in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=4, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[cell.column_letter].width = width
    for number, row in enumerate(rows, start=1):
        deadline = timezone.localtime(row.deadline).replace(tzinfo=None) if row.deadline else None
        sheet.append(
            [
                number,
                row.assessment.agency.name,
                str(row.assessment.get_state_display()),
                row.scored,
                row.leaves,
                row.scored_pct,
                row.evidence_pct,
                # Points only of a sheet the reader may open (a reviewer's export leaves drafts' points out).
                row.points if row.readable else None,
                row.max_points if row.readable else None,
                row.index,
                deadline,
                "Có" if row.extended else "",
                row.days_left,
                "Có" if row.overdue else "",
            ]
        )
        current = sheet.max_row
        sheet.cell(row=current, column=11).number_format = "dd/mm/yyyy hh:mm"
        for col in (8, 9, 10):
            sheet.cell(row=current, column=col).number_format = "0.00"
        if row.overdue:
            for cell in sheet[current]:
                cell.fill = _OVERDUE
    sheet.freeze_panes = "C5"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

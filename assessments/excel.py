"""The progress list as a workbook (Sở Nội vụ's monthly follow-up report)."""

from collections.abc import Sequence

from django.utils import timezone
from openpyxl.styles import Alignment, Font, PatternFill

from parindex.xlsx import cell, new_workbook, set_widths, workbook_bytes, write_row

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
_FORMATS = {8: "0.00", 9: "0.00", 10: "0.00", 11: "dd/mm/yyyy hh:mm"}


def progress_workbook(period: Period, rows: Sequence[ProgressRow]) -> bytes:
    workbook = new_workbook()
    sheet = workbook.create_sheet("Tiến độ")
    set_widths(sheet, (width for _header, width in HEADERS))
    sheet.freeze_panes = "C5"
    write_row(sheet, [cell(sheet, f"TIẾN ĐỘ TỰ ĐÁNH GIÁ CHỈ SỐ CCHC – {period.name}", font=Font(bold=True, size=13))])
    write_row(sheet, [f"Số liệu lúc {timezone.localtime():%H:%M ngày %d/%m/%Y}"])
    write_row(sheet, [])
    write_row(
        sheet,
        [h for h, _ in HEADERS],
        font=Font(bold=True),
        alignment=Alignment(wrap_text=True, vertical="center"),
    )
    for number, row in enumerate(rows, start=1):
        deadline = timezone.localtime(row.deadline).replace(tzinfo=None) if row.deadline else None
        write_row(
            sheet,
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
            ],
            fill=_OVERDUE if row.overdue else None,
            number_formats=_FORMATS,
        )
    return workbook_bytes(workbook)

"""The kinds of file a period can be exported as (issue 9, items 5-8). Every writer has one signature,
``writer(period, access, out, progress)``: it writes the figures ``access`` allows to the binary stream ``out``
and calls ``progress(done, total)`` as it goes. The background job (reports.jobs) runs any of them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assessments.models import Period
from parindex.xlsx import XLSX_CONTENT_TYPE

from .access import Access
from .docx import DOCX_CONTENT_TYPE, write_decision_docx
from .excel import write_period_workbook
from .pdf import write_decision_pdf

Writer = Callable[[Period, Access, BinaryIO, Callable[[int, int], None] | None], None]


@dataclass(frozen=True)
class ExportKind:
    label: str | Promise
    extension: str  # with its dot: ".xlsx"
    content_type: str
    writer: Writer


EXPORTS: dict[str, ExportKind] = {
    "xlsx": ExportKind(_("Bảng tính Excel kết quả của kỳ"), ".xlsx", XLSX_CONTENT_TYPE, write_period_workbook),
    # The decision with its annex: a province's annex runs to many pages, so it can be made in the background
    # too (the direct downloads, reports:decision_pdf/docx, also take the number, date and signer).
    "quyet-dinh-pdf": ExportKind(
        _("Quyết định công bố kèm Phụ lục (PDF)"), ".pdf", "application/pdf", write_decision_pdf
    ),
    "quyet-dinh-docx": ExportKind(
        _("Quyết định công bố kèm Phụ lục (Word)"), ".docx", DOCX_CONTENT_TYPE, write_decision_docx
    ),
}

"""The decision and its annex as a Word file, so the office can edit it before it is signed, as provinces do.

Same text as the PDF (reports/decision.py builds it once); the layout follows Nghị định 30/2020/NĐ-CP in
Word's terms: Times New Roman, the two-column header as a borderless table, page numbers centred at the
top from the second page, and the annex in its own landscape section, numbered on its own, with the table
header repeated on every page. Each ranking group's chart follows its table as in the PDF: the same SVG
(reports/ranking.py, printed_ranking_charts), drawn as PNG by reports/raster.py since Word files hold bitmaps.

Memory stays flat in the number of agencies: python-docx would hold every annex row as XML elements and every
chart as a PNG until the file is saved (+48 MiB at 800 agencies). It builds a skeleton instead, in which each
table has one row of numbered slots (⟦0⟧ …) between two comments and each chart is a one-pixel stand-in of
the chart's printed size; the file is then written from the skeleton entry by entry, the rows poured into
their table one after the other and each chart drawn when its picture is written (_write_filled).
"""

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_UNDERLINE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from assessments.models import Period
from parindex.xmltext import xml_safe

from .access import Access
from .decision import (
    ANNEX_DOMAINS_HEAD,
    ANNEX_HEAD_AFTER,
    ANNEX_HEAD_BEFORE,
    AnnexGroup,
    Decision,
    DecisionOptions,
    build_decision,
)
from .ranking import PrintedChart, printed_ranking_charts
from .raster import CSS_DPI, svg_size, svg_to_png

Progress = Callable[[int, int], None]
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def write_decision_docx(
    period: Period,
    access: Access,
    out: BinaryIO,
    progress: Progress | None = None,
    *,
    options: DecisionOptions | None = None,
) -> None:
    """The decision with the annex table of every ranking group, as .docx."""
    if progress is not None:
        progress(0, 2)
    decision = build_decision(period, access, options)
    document = Document()
    _styles(document)
    _decision_section(document, decision)
    later = Later()
    _annex_section(document, decision, later)
    skeleton = io.BytesIO()
    document.save(skeleton)
    del document
    if progress is not None:
        progress(1, 2)
    _write_filled(skeleton, later, out)
    if progress is not None:
        progress(2, 2)


# ---- what the skeleton leaves for later ----------------------------------------------------------------------


@dataclass
class Later:
    rows: list[list[list[str]]] = field(default_factory=list)  # per annex table, its rows' cell texts
    charts: dict[str, str] = field(default_factory=dict)  # a picture's entry in the file → the chart's SVG


ROWS_MARK = "parindex-rows-"  # the comments around a table's row of slots: «<!--parindex-rows-0-->»
SLOT = re.compile("⟦([0-9]+)⟧")


def _write_filled(skeleton: io.BytesIO, later: Later, out: BinaryIO) -> None:
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            if info.filename == "word/document.xml":
                with target.open(entry, "w") as stream:
                    _pour_rows(source.read(info).decode(), later.rows, stream)
            elif info.filename in later.charts:
                target.writestr(entry, svg_to_png(later.charts[info.filename]).data)
            else:
                target.writestr(entry, source.read(info))


def _pour_rows(xml: str, tables: list[list[list[str]]], stream: IO[bytes]) -> None:
    """document.xml with each table's row of slots repeated for its rows, written a few hundred rows at a time."""
    position = 0
    for index, rows in enumerate(tables):
        start_mark, end_mark = f"<!--{ROWS_MARK}{index}-->", f"<!--/{ROWS_MARK}{index}-->"
        start = xml.index(start_mark, position)
        end = xml.index(end_mark, start)
        stream.write(xml[position:start].encode())
        pieces = SLOT.split(xml[start + len(start_mark) : end])  # text, slot number, text, slot number, …
        for first in range(0, len(rows), 200):
            stream.write(
                "".join(
                    piece if odd == 0 else escape(xml_safe(row[int(piece)]))
                    for row in rows[first : first + 200]
                    for odd, piece in ((i % 2, piece) for i, piece in enumerate(pieces))
                ).encode()
            )
        position = end + len(end_mark)
    stream.write(xml[position:].encode())


# ---- set-up --------------------------------------------------------------------------------------------------


def _styles(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    # Word picks the font per script: naming it for every slot keeps Vietnamese in Times New Roman.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    paragraph = normal.paragraph_format
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(0)
    paragraph.line_spacing = 1.0
    section = document.sections[0]
    _page(section, landscape=False)


def _page(section: Any, *, landscape: bool) -> None:
    """A4; NĐ 30 margins (top, bottom 20 mm; left 30 mm; right 15 mm); the annex landscape."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(20), Mm(15)
        section.left_margin, section.right_margin = Mm(20), Mm(15)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    # The first page has no number; the number sits centred at the top from the second page on.
    section.different_first_page_header_footer = True


def _page_number_header(section: Any) -> None:
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _restart_numbering(section: Any) -> None:
    """NĐ 30: an annex's pages are numbered on their own."""
    number_type = OxmlElement("w:pgNumType")
    number_type.set(qn("w:start"), "1")
    section._sectPr.append(number_type)


# ---- paragraphs --------------------------------------------------------------------------------------------


def _para(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: Any = None,
    indent: bool = False,
    after: float = 0,
    before: float = 0,
) -> Any:
    paragraph = container.add_paragraph()
    if text:
        _run(paragraph, text, bold=bold, italic=italic, size=size)
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    if indent:
        fmt.first_line_indent = Mm(10)
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(before)
    return paragraph


def _run(paragraph: Any, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None) -> Any:
    run = paragraph.add_run(xml_safe(text))
    run.bold = bold or None
    run.italic = italic or None
    if size is not None:
        run.font.size = Pt(size)
    return run


def _rule(container: Any, width_mm: float, column_mm: float) -> None:
    """A short centred line (under the issuing body, under the title): a bottom border on an empty paragraph
    indented to the line's width, which stays in place when the office edits the text."""
    paragraph = container.add_paragraph()
    side = Mm((column_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    run = paragraph.add_run()
    run.font.size = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _widths(table: Any, widths: list[Any]) -> None:
    """Each column's width, on the table's grid and on every cell: Word reads the cells', LibreOffice the grid's
    (python-docx shares the width out evenly there, which LibreOffice drew as a name column of 16 mm)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _cell_text(cell: Any, lines: list[tuple[str, dict[str, Any]]], align: Any = CENTER) -> None:
    """Replace a cell's empty paragraph with these lines."""
    first = True
    for text, style in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = align
        _run(paragraph, text, **style)


# ---- the decision ------------------------------------------------------------------------------------------

TEXT_WIDTH = 165.0  # mm: A4 less the 30 + 15 mm margins
LEFT_COLUMN = 62.0
ANNEX_WIDTH = 262.0  # mm: A4 landscape less the 20 + 15 mm margins


def _decision_section(document: Any, d: Decision) -> None:
    section = document.sections[0]
    _page_number_header(section)
    if d.draft:
        _para(document, "DỰ THẢO", bold=True, size=12, after=4)

    header = document.add_table(rows=2, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    _widths(header, [Mm(LEFT_COLUMN), Mm(TEXT_WIDTH - LEFT_COLUMN)])
    body, nation = header.rows[0].cells
    _cell_text(body, [(d.issuing_body[0], {"bold": True, "size": 13}), (d.issuing_body[1], {"bold": True, "size": 13})])
    _rule(body, 20, LEFT_COLUMN)
    _cell_text(nation, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", {"bold": True, "size": 12.5})])
    motto = nation.add_paragraph()
    motto.alignment = CENTER
    run = _run(motto, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    run.font.underline = WD_UNDERLINE.SINGLE  # NĐ 30: a line under the motto, as long as the motto
    number, place = header.rows[1].cells
    _cell_text(number, [(d.number, {"size": 13})])
    _cell_text(place, [(d.place_date, {"italic": True, "size": 14})])
    for cell in header.rows[1].cells:
        cell.paragraphs[0].paragraph_format.space_before = Pt(8)

    _para(document, d.title, bold=True, align=CENTER, before=22)
    _para(document, d.summary, bold=True, align=CENTER)
    _rule(document, 50, TEXT_WIDTH)
    _para(document, d.authority, bold=True, align=CENTER, before=14, after=8)
    for basis in d.bases:
        _para(document, basis, italic=True, align=JUSTIFY, indent=True, after=6)
    _para(document, "QUYẾT ĐỊNH:", bold=True, align=CENTER, before=8, after=8)
    for article in d.articles:
        paragraph = _para(document, align=JUSTIFY, indent=True, after=6)
        _run(paragraph, f"Điều {article.number}. ", bold=True)
        _run(paragraph, article.text)
        for item in article.items:
            _para(document, item, align=JUSTIFY, indent=True, after=6)

    closing = document.add_table(rows=1, cols=2)
    closing.autofit = False
    recipients, signature = closing.rows[0].cells
    recipients.width = signature.width = Mm(TEXT_WIDTH / 2)
    _cell_text(
        recipients,
        [("Nơi nhận:", {"bold": True, "italic": True, "size": 12}), *((f"- {r}", {"size": 11}) for r in d.recipients)],
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    _cell_text(
        signature,
        [
            *((line, {"bold": True}) for line in d.signature.lines),
            *(("", {}) for _ in range(4)),  # room for the signature and the seal
            (d.signature.name, {"bold": True}),
        ],
    )
    closing.rows[0].cells[0].paragraphs[0].paragraph_format.space_before = Pt(10)
    signature.paragraphs[0].paragraph_format.space_before = Pt(10)


# ---- the annex ---------------------------------------------------------------------------------------------


def _annex_section(document: Any, d: Decision, later: Later) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    _restart_numbering(section)
    if d.draft:
        _para(document, "DỰ THẢO", bold=True, size=12, after=4)
    _para(document, d.annex_title[0], bold=True, align=CENTER)
    _para(document, d.annex_title[1], bold=True, align=CENTER)
    _para(document, d.annex_reference, italic=True, size=13, align=CENTER)
    _rule(document, 50, ANNEX_WIDTH)
    for group in d.annex_groups:
        _para(document, group.heading, bold=True, size=13, before=10, after=4)
        _annex_table(document, group, later)
        if group.legend:
            _para(document, group.legend, italic=True, size=10.5, align=JUSTIFY, before=3)
        for chart in printed_ranking_charts(group.results):
            _chart(document, chart, later)


CHART_MAX_HEIGHT = 160.0  # mm: as the PDF (styles.css, figure.chart svg), a chart and its title fit one page


def chart_size(svg: str) -> tuple[float, float]:
    """The printed width and height (mm) the PDF gives a chart: its own size (a 720 px wide SVG is 190,5 mm),
    smaller if it would be taller than CHART_MAX_HEIGHT, never wider than the annex text."""
    width, height = svg_size(svg)
    printed = min(width / CSS_DPI * 25.4, ANNEX_WIDTH, CHART_MAX_HEIGHT * width / height)
    return printed, printed * height / width


def _chart(document: Any, chart: PrintedChart, later: Later) -> None:
    """The chart centred under the group's table and legend, where the PDF has it; its PNG is drawn when the
    file is written, a one-pixel stand-in holding its place (python-docx keeps one copy of equal pictures, so
    each stand-in differs)."""
    from PIL import Image  # WeasyPrint's own dependency

    stand_in = io.BytesIO()
    Image.new("RGB", (1, 1), tuple(len(later.charts).to_bytes(3, "big"))).save(stand_in, "PNG")
    width, height = chart_size(chart.svg)
    paragraph = _para(document, align=CENTER, before=10)
    picture = paragraph.add_run().add_picture(stand_in, width=Mm(width), height=Mm(height))
    picture._inline.docPr.set("descr", chart.title)  # the alternative text Word reads out and checks for
    image = document.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed]
    later.charts[image.partname.lstrip("/")] = str(chart.svg)


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _keep_row(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _annex_table(document: Any, group: AnnexGroup, later: Later) -> None:
    domains = len(group.domain_codes)
    before, after = len(ANNEX_HEAD_BEFORE), len(ANNEX_HEAD_AFTER)
    columns = before + domains + after
    header_rows = 2 if domains else 1
    # The header, then one row of slots the group's rows are poured into (_write_filled); a group without
    # agencies keeps only its header.
    table = document.add_table(rows=header_rows + 1, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # The landscape text width is 262 mm: the agency's name takes what the figures leave. «STT» and «Trung bình»
    # in 11 pt need 12 and 22 mm with the cells' margins.
    figures = [16, 16, 16, 15, 15, 22, 14]
    name = max(40, ANNEX_WIDTH - 12 - 13 * domains - sum(figures))
    widths = [Mm(12), Mm(name), *[Mm(13)] * domains, *(Mm(w) for w in figures)]
    rows = table.rows

    top = rows[0].cells
    for position, head in enumerate(ANNEX_HEAD_BEFORE):
        _head_cell(top[position], head)
    for offset, head in enumerate(ANNEX_HEAD_AFTER):
        _head_cell(top[before + domains + offset], head)
    if domains:
        second = rows[1].cells
        _head_cell(top[before], ANNEX_DOMAINS_HEAD)
        for offset, code in enumerate(group.domain_codes):
            _head_cell(second[before + offset], code)
        top[before].merge(top[before + domains - 1])
        for column in [*range(before), *range(before + domains, columns)]:
            top[column].merge(second[column])
    for index in range(header_rows):
        _repeat_header(rows[index])

    slots = rows[header_rows]
    _keep_row(slots)
    for position, cell in enumerate(slots.cells):
        paragraph = cell.paragraphs[0]
        _run(
            paragraph, f"⟦{position}⟧", size=11, bold=position == before + domains + 4
        )  # the index, bold as in the PDF
        if position == 1:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        elif position in (0, columns - 1, columns - 2):
            paragraph.alignment = CENTER
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _widths(table, widths)
    slots._tr.addprevious(etree.Comment(f"{ROWS_MARK}{len(later.rows)}"))
    slots._tr.addnext(etree.Comment(f"/{ROWS_MARK}{len(later.rows)}"))
    later.rows.append(
        [
            [
                str(result.position),
                result.agency,
                *result.domains,
                result.points,
                result.survey,
                result.adjustment,
                result.total,
                result.index,
                result.band,
                result.rank,
            ]
            for result in group.rows
        ]
    )


def _head_cell(cell: Any, text: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = CENTER
    _run(paragraph, text, bold=True, size=11)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

"""The ranking charts of the Word decision's annex (issue 9, item 4: the same chart in the page, the PDF and the
Word file): the SVG of reports/charts.py drawn as PNG (reports/raster.py) and placed as the PDF places it,
read back from the .docx with python-docx and decoded with Pillow."""

import io
import os
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from docx.shared import Mm
from docx.table import Table
from PIL import Image

from appraisal.results import AgencyResult, Band, ResultGroup
from organisations.models import AgencyKind
from reports.access import ranking_access
from reports.charts import FONTS_DIR, TONES
from reports.docx import CHART_MAX_HEIGHT, chart_size, write_decision_docx
from reports.ranking import printed_ranking_charts
from reports.raster import svg_to_png

from .factories import make_agency
from .test_reports_documents import build_period, publish

D = Decimal
GREEN, RED = (tuple(int(TONES[band][i : i + 2], 16) for i in (1, 3, 5)) for band in (Band.GOOD, Band.WEAK))
CHART_PX = 1800  # a 720 px wide SVG at 240 dpi


@pytest.fixture
def published(db, users, agency, other_agency):
    commune = make_agency("UBND phường Minh Xuân", AgencyKind.COMMUNE)
    return publish(build_period(users, agency, other_agency, commune), users)


def docx_of(period, user) -> Document:
    out = io.BytesIO()
    write_decision_docx(period, ranking_access(user, period), out)
    return Document(io.BytesIO(out.getvalue()))


def annex_blocks(document) -> list[tuple[str, str]]:
    """The annex in reading order: ("text", a paragraph), ("table", its last agency), ("chart", its alt text)."""
    blocks: list[tuple[str, str]] = []
    started = False
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            kind, text = "table", block.rows[-1].cells[1].text
        elif block._p.xpath(".//a:blip"):
            kind, text = "chart", block._p.xpath(".//wp:docPr/@descr")[0]
        else:
            kind, text = "text", block.text
        started = started or text == "Phụ lục"
        if started and (kind != "text" or text):
            blocks.append((kind, text))
    return blocks


def pictures(document) -> list[tuple[bytes, int]]:
    """Each picture of the body: its image part's bytes and its width in the document (EMU)."""
    found = []
    for paragraph in document.paragraphs:
        for embed, width in zip(
            paragraph._p.xpath(".//a:blip/@r:embed"), paragraph._p.xpath(".//wp:extent/@cx"), strict=True
        ):
            found.append((document.part.related_parts[embed].blob, int(width)))
    return found


def bar_lengths(image: Image.Image, colour: tuple[int, ...]) -> list[int]:
    """The lengths (px) of the horizontal bars of ``colour``: the pixel rows holding at least 100 such pixels,
    grouped by their count (a bar's rows all have its length; the legend's swatch is shorter)."""
    rgb = image.convert("RGB")
    counts = []
    for y in range(rgb.height):
        row = rgb.crop((0, y, rgb.width, y + 1)).getcolors(rgb.width) or []
        counts.append(next((n for n, c in row if c == colour), 0))
    common = Counter(n for n in counts if n >= 100)
    return sorted((n for n, rows in common.items() if rows >= 10), reverse=True)  # a bar is ≥ 10 px tall


def test_word_annex_has_each_groups_chart_after_its_table_and_legend_as_the_pdf(published, users):
    document = docx_of(published, users["leadership"])
    blocks = annex_blocks(document)
    kinds = [kind for kind, _text in blocks]
    assert kinds[:3] == ["text"] * 3  # «Phụ lục», the title, the reference to the decision
    assert blocks[3:] == [
        ("text", "I. Sở, ban, ngành cấp tỉnh (2 cơ quan, đơn vị)"),
        ("table", "Sở Khoa học và Công nghệ"),
        ("text", blocks[5][1]),
        ("chart", "Chỉ số CCHC (%) – Sở, ban, ngành cấp tỉnh"),
        ("text", "II. UBND cấp xã (xã, phường, đặc khu) (1 cơ quan, đơn vị)"),
        ("table", "UBND phường Minh Xuân"),
        ("text", blocks[9][1]),
        ("chart", "Chỉ số CCHC (%) – UBND cấp xã (xã, phường, đặc khu)"),
    ]
    assert blocks[5][1].startswith("Ghi chú: Lĩnh vực 1:") and blocks[9][1].startswith("Ghi chú: Lĩnh vực 1:")
    # The text of the decision is unchanged by the charts: the annex tables still read as before.
    assert [c.text for c in document.tables[2].rows[2].cells][:2] == ["1", "Sở Tư pháp"]
    assert [c.text for c in document.tables[3].rows[-1].cells][-3:] == ["57,14", "Yếu", "1"]

    (departments, departments_width), (communes, communes_width) = pictures(document)
    for png, width in ((departments, departments_width), (communes, communes_width)):
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        image = Image.open(io.BytesIO(png))
        image.verify()  # a whole, valid PNG (CRCs and all), not only its signature
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width == CHART_PX
        # A short chart prints at its own size, 720 px = 190,5 mm, centred in the 262 mm of the landscape text.
        assert abs(width - Mm(190.5)) < Mm(0.1)

    # The bars are drawn with the figures: Sở Tư pháp 96,00 % and Sở Khoa học và Công nghệ 82,91 %, both Tốt
    # (green), the commune 57,14 %, Yếu (red); lengths in proportion on the same 0–100 % axis of both charts.
    justice, science = bar_lengths(Image.open(io.BytesIO(departments)), GREEN)
    (commune,) = bar_lengths(Image.open(io.BytesIO(communes)), RED)
    assert bar_lengths(Image.open(io.BytesIO(communes)), GREEN) == []
    assert justice > CHART_PX * 0.45  # the plot takes about half the chart's width
    assert science / justice == pytest.approx(82.91 / 96, abs=0.004)
    assert commune / justice == pytest.approx(57.14 / 96, abs=0.004)


def row(rank: int, index: str) -> AgencyResult:
    value = D(index)
    band = Band.GOOD if value >= 80 else Band.WEAK
    name = f"Ủy ban nhân dân xã Hòa Thuận Đông số {rank}"
    return AgencyResult(rank, rank, name, "commune", index=value, band=band, rank=rank, rank_of=68)


def test_a_large_group_prints_in_legible_parts_of_22_agencies():
    """68 communes with names long enough to wrap: four charts (22, 22, 22, 2), each no taller than the PDF's
    160 mm, the names still above 7 pt on paper (a 22-bar part prints them at 7,2 pt, 7,7 pt when they fit on
    one line; a part that needs no shrinking prints them at 9 pt)."""
    group = ResultGroup("commune", "UBND cấp xã", [row(n, f"{99 - n / 2:.2f}") for n in range(1, 69)])
    charts = printed_ranking_charts(group)
    assert [chart.bars for chart in charts] == [22, 22, 22, 2]
    assert [chart.title for chart in charts] == [
        "Chỉ số CCHC (%) – UBND cấp xã (1–22/68)",
        "Chỉ số CCHC (%) – UBND cấp xã (23–44/68)",
        "Chỉ số CCHC (%) – UBND cấp xã (45–66/68)",
        "Chỉ số CCHC (%) – UBND cấp xã (67–68/68)",
    ]
    # The last part: ranks 67 and 68 (their full names in the chart's description), nothing of the part before.
    assert "67. Ủy ban nhân dân xã Hòa Thuận Đông số 67: 65,50 %" in charts[3].svg
    assert "66. Ủy ban" not in charts[3].svg
    first = svg_to_png(charts[0].svg)
    assert first.width == CHART_PX
    width, height = chart_size(charts[0].svg)
    assert height == pytest.approx(CHART_MAX_HEIGHT)  # as tall as a page allows
    assert width / height == pytest.approx(first.width / first.height, abs=0.002)  # the PNG's own proportions
    name_points = 12 * width / 720 / 25.4 * 72  # a name is 12 px of the 720 px chart
    assert name_points > 7
    green = bar_lengths(Image.open(io.BytesIO(first.data)), GREEN)
    assert len(green) == 22  # every bar of the part drawn, each its own length (99,5 % down by 0,5)


FONT_PROBE = """
import hashlib
import django
django.setup()
from decimal import Decimal
from reports.charts import Bar, bar_chart
from reports.raster import svg_to_png
bars = [Bar("1. Ủy ban nhân dân xã Hòa Thuận Đông", Decimal("82.91"), tone="good")]
print(hashlib.sha256(svg_to_png(bar_chart(bars, title="Chỉ số CCHC (%) – Tổng hợp")).data).hexdigest())
"""


def _probe(tmp_path: Path, name: str, dirs: str) -> str:
    """The chart drawn in a fresh process whose fontconfig knows only the fonts of ``dirs``."""
    config = tmp_path / f"{name}.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig>{dirs}<cachedir>{tmp_path / name}</cachedir></fontconfig>"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "DJANGO_SETTINGS_MODULE": "parindex.settings"}
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", FONT_PROBE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_chart_text_is_set_in_the_bundled_tinos_on_a_machine_without_fonts(tmp_path: Path):
    """cairo asks fontconfig for «Tinos»; on a machine that has no fonts (no fonts-croscore) it would draw its
    own fallback face with empty boxes for «ủ», «ố», «Đ». reports/raster.py adds static/fonts/tinos, so the
    chart comes out exactly as where fontconfig itself lists that directory."""
    without_fonts = _probe(tmp_path, "none", "")
    tinos_listed = _probe(tmp_path, "tinos", f"<dir>{FONTS_DIR}</dir>")
    assert len(without_fonts) == 64 and without_fonts == tinos_listed

"""The one charts module (issue 9, item 4): server-drawn SVG, the same markup in a page, a PDF and a Word file.

Why hand-written SVG: the page, WeasyPrint and a rasteriser for .docx must draw the same chart, so the output
uses only what all three read — presentation attributes (no CSS variables, no stylesheets, no
foreignObject), a white background rectangle, an explicit ``width``/``height`` in px and a ``viewBox`` (a page
scales it with ``svg.chart {width: 100%; height: auto}``).

Conventions of every function here:

- Returns a ``SafeString`` holding one standalone ``<svg>`` with ``xmlns``, ``role="img"`` and a ``<title>`` and
  ``<desc>`` as its first children (the accessible name and a textual summary of every figure); each bar or
  cell carries its own ``<title>`` (a tooltip with the full, unshortened name).
- Text is escaped (an agency name may hold ``<`` or ``&``); figures are written with a decimal comma and two
  places ("82,91"), as Vietnamese documents write them, whatever the active language.
- ``font_family`` defaults to ``PRINT_FONT`` (Tinos, metric-compatible with Times New Roman, for the PDF and
  Word); pages pass ``SCREEN_FONT``. Sizes are chosen to stay readable at A4 width (≥ 9 pt once a 720 px
  chart is printed 17 cm wide).
- ``tone`` is a band key of ``appraisal.results.Band`` ("good", "fair", "average", "weak") to colour by band,
  or "primary", "secondary", "accent"; empty means the next colour of a colour-blind-safe palette
  (Okabe–Ito).
- The output depends only on the arguments: the same figures give byte-identical SVG (tests compare).
- No data gives a small chart saying «Chưa có số liệu», never an exception.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from appraisal.results import Band
from parindex.xmltext import xml_safe

PRINT_FONT = "Tinos, 'Times New Roman', serif"
FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "tinos"  # the print font's files, bundled with the project
SCREEN_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

HUNDRED = Decimal(100)
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"
EMPTY_CELL = "#f1f3f5"

# Band colours, darker than Bootstrap's badges so a bar keeps ≥ 3:1 contrast on white (WCAG 1.4.11).
TONES: dict[str, str] = {
    Band.GOOD: "#1a7f37",
    Band.FAIR: "#0b5ed7",
    Band.AVERAGE: "#b35c00",
    Band.WEAK: "#b02a37",
    "primary": "#0072b2",
    "secondary": "#8a8f94",
    "accent": "#e69f00",
}
# Okabe–Ito, distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")

# Heat map: ColorBrewer YlOrRd reversed — a low share is dark red, a full one pale yellow; lightness rises with
# the value, so the order reads without colour too. The stops crowd above 50 % where real figures lie.
HEAT_STOPS: tuple[tuple[int, str], ...] = (
    (0, "#800026"),
    (50, "#bd0026"),
    (60, "#e31a1c"),
    (70, "#fc4e2a"),
    (80, "#fd8d3c"),
    (85, "#feb24c"),
    (90, "#fed976"),
    (95, "#ffeda0"),
    (100, "#ffffcc"),
)

CHAR_WIDTH = 0.52  # average glyph width in em of Times/Tinos, for line wrapping (no font metrics on the server)
SANS_CHAR_WIDTH = 0.6  # sans faces are wider; bold names of a highlighted bar too
PAD = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    highlight: bool = False
    tone: str = ""


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | None]
    tone: str = ""


# ---- formatting ----------------------------------------------------------------------------------------


def figure(value: Decimal | None, places: int = 2) -> str:
    """A figure as a Vietnamese document writes it: "82,91", "1.234,50", "—" for none."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _tick(value: Decimal) -> str:
    """An axis tick without trailing zeros: 0, 25, 12,5."""
    normal = value.normalize()
    places = max(0, -int(normal.as_tuple().exponent))
    return figure(value, places)


def _n(x: float) -> str:
    """A coordinate: one decimal at most, so output is short and identical from run to run."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _e(text: object) -> str:
    return str(escape(xml_safe(str(text))))


def _wrap(text: str, max_chars: int, max_lines: int) -> list[str]:
    """Word-wrap to at most ``max_lines`` lines of ``max_chars``; what does not fit ends in «…»."""
    max_chars = max(max_chars, 4)
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:  # a word longer than a line is cut
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:max_chars])
            word = word[max_chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], last[: max_chars - 1].rstrip() + "…"]
    return lines or [""]


def _em(font_family: str) -> float:
    """The average glyph width (in em) the layout assumes for this family: sans faces are wider than Tinos."""
    return SANS_CHAR_WIDTH if "sans-serif" in font_family else CHAR_WIDTH


def _chars(width: float, font_size: float, font_family: str = PRINT_FONT) -> int:
    return int(width / (font_size * _em(font_family)))


def _colour(tone: str, index: int) -> str:
    return TONES.get(tone) or PALETTE[index % len(PALETTE)]


def _svg(width: float, height: float, title: str, desc: str, body: list[str], font_family: str) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{_n(width)}" '
        f'height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" font-family="{_e(font_family)}" '
        f'font-size="12" fill="{TEXT}">'
        f"<title>{_e(title)}</title><desc>{_e(desc)}</desc>"
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 — every piece of text went through _e


def _no_data(title: str, width: int, font_family: str) -> SafeString:
    message = _("Chưa có số liệu")
    body = [f'<text x="{_n(width / 2)}" y="44" text-anchor="middle" font-size="14" fill="{MUTED}">{_e(message)}</text>']
    if title:
        body.insert(0, f'<text x="{PAD}" y="18" font-size="14" font-weight="bold">{_e(title)}</text>')
    return _svg(width, 64, title or message, message, body, font_family)


def _title_line(title: str, y: float) -> str:
    return f'<text x="{PAD}" y="{_n(y)}" font-size="14" font-weight="bold">{_e(title)}</text>'


def _legend(
    items: Sequence[tuple[str, str]], x0: float, y: float, width: float, font_family: str
) -> tuple[list[str], float]:
    """Swatches with their labels, wrapping onto more rows; returns the markup and the height used. Widths are
    reckoned in the chart's own face (a screen's sans is wider than Tinos), and a label longer than a whole row
    (a long agency name) is cut with «…» rather than run past the chart's edge."""
    body: list[str] = []
    x, row = x0, 0
    glyph = 11 * _em(font_family)
    fits = max(4, int((width - PAD - x0 - 15) / glyph))
    for colour, full in items:
        label = _wrap(full, fits, 1)[0]
        needed = 16 + len(label) * glyph + 14
        if x > x0 and x + needed > width - PAD:
            x, row = x0, row + 1
        top = y + row * 18
        body.append(
            f'<rect x="{_n(x)}" y="{_n(top)}" width="11" height="11" fill="{colour}"/>'
            f'<text x="{_n(x + 15)}" y="{_n(top + 10)}" font-size="11">{_e(label)}</text>'
        )
        x += needed
    return body, (row + 1) * 18 if items else 0


def _scale(max_value: Decimal) -> Decimal:
    return max_value if max_value > 0 else HUNDRED


def _length(value: Decimal | None, max_value: Decimal, span: float) -> float:
    if value is None or value <= 0:
        return 0.0
    return float(min(value, max_value) / max_value) * span


def _axis(x0: float, span: float, top: float, bottom: float, max_value: Decimal, unit: str) -> list[str]:
    """Vertical grid lines at fifths of the scale, labelled under the plot."""
    body = []
    for i in range(6):
        value = max_value * i / 5
        x = x0 + span * i / 5
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(x)}" y="{_n(bottom + 13)}" font-size="10" fill="{MUTED}" text-anchor="middle">'
            f"{_e(_tick(value))}{_e(unit) if i == 5 else ''}</text>"
        )
    return body


# ---- bar chart -----------------------------------------------------------------------------------------


def bar_chart(
    bars: Sequence[Bar],
    *,
    max_value: Decimal = HUNDRED,
    unit: str = "%",
    title: str = "",
    reference: Decimal | None = None,
    reference_label: str = "",
    width: int = 720,
    font_family: str = PRINT_FONT,
) -> SafeString:
    """Horizontal bars, one per agency in the given order, the value at each bar's end.

    Below 520 px of ``width`` (a phone), names go on their own line above each bar so bars keep the width.
    ``reference`` draws a dashed line (a group average, the 75 % threshold) labelled ``reference_label``.
    A bar tinted by band gets a legend of the bands shown.
    """
    if not bars:
        return _no_data(title, width, font_family)
    max_value = _scale(max_value)
    compact = width < 520
    font = 12
    line = 14
    value_room = 58  # "100,00 %" after the longest bar
    label_width = 0.0 if compact else round(width * 0.36)
    x0 = PAD + (0 if compact else label_width + 8)
    span = width - x0 - value_room - PAD
    max_chars = _chars(width - 2 * PAD if compact else label_width, font, font_family)

    body: list[str] = []
    y = 6.0
    if title:
        body.append(_title_line(title, y + 14))
        y += 24
    bands = [tone for tone in Band.values if any(bar.tone == tone for bar in bars)]
    if bands:
        legend, used = _legend([(TONES[b], str(Band(b).label)) for b in bands], PAD, y, width, font_family)
        body += legend
        y += used + 4
    if reference is not None:
        y += 14  # room for the reference label above the plot
    plot_top = y
    rows: list[str] = []
    for bar in bars:
        lines = _wrap(bar.label, max_chars, 2)
        bar_height = 14.0 if compact else 16.0
        row_height = (len(lines) * line + bar_height + 8) if compact else max(28.0, len(lines) * line + 4)
        bar_top = y + (len(lines) * line + 2 if compact else (row_height - bar_height) / 2)
        text_top = y + (line - 3 if compact else (row_height - len(lines) * line) / 2 + line - 3)
        length = _length(bar.value, max_value, span)
        colour = _colour(bar.tone, 0)
        weight = ' font-weight="bold"' if bar.highlight else ""
        outline = f' stroke="{TEXT}" stroke-width="2"' if bar.highlight else ""
        tip = f"{bar.label}: {figure(bar.value)} {unit}".rstrip()
        if bar.tone in Band.values:
            tip += f" ({Band(bar.tone).label})"
        label_x = PAD if compact else PAD + label_width
        anchor = "start" if compact else "end"
        texts = "".join(
            f'<text x="{_n(label_x)}" y="{_n(text_top + i * line)}" text-anchor="{anchor}"{weight}>{_e(text)}</text>'
            for i, text in enumerate(lines)
        )
        rows.append(
            f"<g><title>{_e(tip)}</title>{texts}"
            f'<rect class="bar" x="{_n(x0)}" y="{_n(bar_top)}" width="{_n(length)}" height="{_n(bar_height)}" '
            f'fill="{colour}"{outline}/>'
            # A white plate behind the figure, so a reference line crossing it does not strike it through.
            f'<rect x="{_n(x0 + length + 2)}" y="{_n(bar_top)}" width="{_n(value_room - 6)}" '
            f'height="{_n(bar_height)}" fill="#ffffff"/>'
            f'<text x="{_n(x0 + length + 4)}" y="{_n(bar_top + bar_height - 4)}" font-size="{font}"{weight}>'
            f"{_e(figure(bar.value))}</text></g>"
        )
        y += row_height
    plot_bottom = y + 2
    body += _axis(x0, span, plot_top - 2, plot_bottom, max_value, unit)
    if reference is not None:  # under the bars and their figures, which stay readable across it
        x = x0 + _length(reference, max_value, span)
        label = f"{reference_label} {figure(reference)} {unit}".strip()
        anchor = "end" if x > x0 + span * 0.6 else "start"
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(plot_top - 4)}" x2="{_n(x)}" y2="{_n(plot_bottom)}" stroke="{TEXT}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{_n(x + (-3 if anchor == "end" else 3))}" y="{_n(plot_top - 6)}" font-size="11" '
            f'text-anchor="{anchor}">{_e(label)}</text>'
        )
    body += rows
    height = plot_bottom + 20
    desc = "; ".join(f"{bar.label}: {figure(bar.value)} {unit}".rstrip() for bar in bars)
    if reference is not None:
        desc += f". {reference_label} {figure(reference)} {unit}".rstrip()
    return _svg(width, height, title or _("Biểu đồ thanh"), desc, body, font_family)


# ---- grouped bar chart ---------------------------------------------------------------------------------


def grouped_bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    max_value: Decimal = HUNDRED,
    unit: str = "%",
    title: str = "",
    width: int = 720,
    font_family: str = PRINT_FONT,
) -> SafeString:
    """For each category (a domain) one bar per series (this agency, the group's average, last year), with a
    legend; a missing value (None) draws no bar and writes «—». Category names sit above their bars."""
    if not categories or not series:
        return _no_data(title, width, font_family)
    max_value = _scale(max_value)
    line = 14
    bar_height = 12.0
    value_room = 58
    x0 = PAD + 4
    span = width - x0 - value_room - PAD
    max_chars = _chars(width - 2 * PAD, 12, font_family)
    colours = [_colour(s.tone, i) for i, s in enumerate(series)]

    body: list[str] = []
    y = 6.0
    if title:
        body.append(_title_line(title, y + 14))
        y += 24
    legend, used = _legend(list(zip(colours, (s.label for s in series), strict=True)), PAD, y, width, font_family)
    body += legend
    y += used + 4
    plot_top = y
    groups: list[str] = []
    for c, category in enumerate(categories):
        lines = _wrap(category, max_chars, 2)
        parts = [
            f'<text x="{PAD}" y="{_n(y + line - 3 + i * line)}" font-weight="bold">{_e(text)}</text>'
            for i, text in enumerate(lines)
        ]
        y += len(lines) * line + 2
        for s, (one, colour) in enumerate(zip(series, colours, strict=True)):
            value = one.values[c] if c < len(one.values) else None
            length = _length(value, max_value, span)
            parts.append(
                f"<g><title>{_e(f'{category} — {one.label}: {figure(value)} {unit}'.rstrip())}</title>"
                f'<rect class="bar" x="{_n(x0)}" y="{_n(y)}" width="{_n(length)}" height="{_n(bar_height)}" '
                f'fill="{colour}"/>'
                f'<text x="{_n(x0 + length + 4)}" y="{_n(y + bar_height - 2)}" font-size="11">'
                f"{_e(figure(value))}</text></g>"
            )
            y += bar_height + (2 if s < len(series) - 1 else 0)
        y += 10
        groups.append(f"<g>{''.join(parts)}</g>")
    plot_bottom = y - 6
    body += _axis(x0, span, plot_top, plot_bottom, max_value, unit)
    body += groups
    desc = "; ".join(
        f"{category}: " + ", ".join(f"{s.label} {figure(s.values[c] if c < len(s.values) else None)}" for s in series)
        for c, category in enumerate(categories)
    )
    return _svg(width, plot_bottom + 20, title or _("Biểu đồ thanh nhóm"), desc, body, font_family)


# ---- heat map ------------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def heat_colour(value: Decimal) -> str:
    """The fill of a cell worth ``value`` % (clamped to 0–100), interpolated between HEAT_STOPS."""
    share = float(min(max(value, Decimal(0)), HUNDRED))
    for (low, low_colour), (high, high_colour) in pairwise(HEAT_STOPS):
        if share <= high:
            t = (share - low) / (high - low)
            a, b = _rgb(low_colour), _rgb(high_colour)
            r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
            return f"#{r:02x}{g:02x}{bl:02x}"
    return HEAT_STOPS[-1][1]


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG), to pick black or white text on a cell."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(fill: str) -> str:
    # Whichever of black and white contrasts more with the fill.
    return "#ffffff" if (1.05 / (_luminance(fill) + 0.05)) > ((_luminance(fill) + 0.05) / 0.05) else "#000000"


def heat_map(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[Decimal | None]],
    *,
    title: str = "",
    font_family: str = PRINT_FONT,
) -> SafeString:
    """A table of cells coloured by their % (rows: agencies, columns: domains), each figure printed in it,
    «—» where there is none, with the colour scale's legend underneath."""
    if not row_labels or not column_labels:
        return _no_data(title, 560, font_family)
    label_width = 260.0
    cell_width = 80.0  # three lines of about 12 characters for a column's name
    cell_height = 30.0
    line = 13
    width = max(PAD + label_width + 6 + cell_width * len(column_labels) + PAD, 520.0)
    x0 = PAD + label_width + 6

    body: list[str] = []
    y = 6.0
    if title:
        body.append(_title_line(title, y + 14))
        y += 24
    headers = [_wrap(label, _chars(cell_width - 4, 11, font_family), 3) for label in column_labels]
    head_lines = max(len(h) for h in headers)
    for c, (label, lines) in enumerate(zip(column_labels, headers, strict=True)):
        cx = x0 + c * cell_width + cell_width / 2
        top = y + (head_lines - len(lines)) * line  # bottom-aligned above the column
        texts = "".join(
            f'<text x="{_n(cx)}" y="{_n(top + line - 2 + i * line)}" font-size="11" text-anchor="middle" '
            f'font-weight="bold">{_e(text)}</text>'
            for i, text in enumerate(lines)
        )
        body.append(f"<g><title>{_e(label)}</title>{texts}</g>")
    y += head_lines * line + 4
    max_chars = _chars(label_width, 12, font_family)
    for r, row_label in enumerate(row_labels):
        lines = _wrap(row_label, max_chars, 2)
        first = y + (cell_height - len(lines) * line) / 2 + line - 3
        texts = "".join(
            f'<text x="{_n(PAD + label_width)}" y="{_n(first + i * line)}" text-anchor="end">{_e(text)}</text>'
            for i, text in enumerate(lines)
        )
        body.append(f"<g><title>{_e(row_label)}</title>{texts}</g>")
        row = values[r] if r < len(values) else []
        for c, column in enumerate(column_labels):
            value = row[c] if c < len(row) else None
            fill = EMPTY_CELL if value is None else heat_colour(value)
            data = "" if value is None else f' data-value="{_e(Decimal(value))}"'
            x = x0 + c * cell_width
            body.append(
                f"<g><title>{_e(f'{row_label} — {column}: {figure(value)} %')}</title>"
                f'<rect class="cell" x="{_n(x)}" y="{_n(y)}" width="{_n(cell_width)}" height="{_n(cell_height)}" '
                f'fill="{fill}" stroke="#ffffff" stroke-width="1"{data}/>'
                f'<text x="{_n(x + cell_width / 2)}" y="{_n(y + cell_height / 2 + 4)}" font-size="11" '
                f'text-anchor="middle" fill="{MUTED if value is None else _ink(fill)}">{_e(figure(value))}</text></g>'
            )
        y += cell_height
    # The legend: one swatch per stop, labelled with its %.
    y += 12
    body.append(f'<text x="{PAD}" y="{_n(y + 11)}" font-size="11">{_e(_("Tỷ lệ điểm đạt (%):"))}</text>')
    swatch = 34.0
    lx = PAD + 118.0
    for share, colour in HEAT_STOPS:
        body.append(
            f'<rect x="{_n(lx)}" y="{_n(y)}" width="{_n(swatch)}" height="14" fill="{colour}" stroke="{GRID}"/>'
            f'<text x="{_n(lx + swatch / 2)}" y="{_n(y + 27)}" font-size="10" text-anchor="middle">{share}</text>'
        )
        lx += swatch
    desc = "; ".join(
        f"{row_label}: "
        + ", ".join(
            f"{column} {figure(values[r][c] if r < len(values) and c < len(values[r]) else None)}"
            for c, column in enumerate(column_labels)
        )
        for r, row_label in enumerate(row_labels)
    )
    return _svg(width, y + 36, title or _("Bản đồ nhiệt"), desc, body, font_family)

"""The charts module draws well-formed standalone SVG: figures with a decimal comma, names escaped, bars and
cells counted, heat colours ordered by value, identical output for identical input, and no data drawn as a
chart that says so."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from reports.charts import (
    HEAT_STOPS,
    PRINT_FONT,
    SCREEN_FONT,
    Bar,
    Series,
    _luminance,
    _wrap,
    bar_chart,
    figure,
    grouped_bar_chart,
    heat_colour,
    heat_map,
)

D = Decimal
NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 — our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert float(root.get("width", "0")) > 0 and float(root.get("height", "0")) > 0
    # <title> and <desc> first: the accessible name and the figures in words.
    assert [child.tag.split("}")[1] for child in root[:2]] == ["title", "desc"]
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_figure_writes_decimal_comma_two_places_half_up():
    assert figure(D("82.905")) == "82,91"
    assert figure(D("82.9049")) == "82,90"
    assert figure(D(100)) == "100,00"
    assert figure(D("1234.5")) == "1.234,50"
    assert figure(None) == "—"


def test_bar_chart_one_bar_per_agency_with_values_and_reference():
    bars = [
        Bar("Sở Nội vụ", D("82.905"), tone="fair"),
        Bar("Sở Tài chính", D("90.02"), tone="good", highlight=True),
        Bar("UBND xã An Bình", D("61.5"), tone="weak"),
    ]
    svg = bar_chart(bars, title="Khối sở, ban, ngành", reference=D("75"), reference_label="Ngưỡng")
    root = parse(svg)
    rects = root.findall(".//s:rect[@class='bar']", NS)
    assert len(rects) == 3
    words = texts(root)
    assert "82,91" in words and "90,02" in words and "61,50" in words
    assert "Sở Nội vụ" in words
    assert "Ngưỡng 75,00 %" in words
    assert root.findtext("s:title", namespaces=NS) == "Khối sở, ban, ngành"
    assert "Sở Tài chính: 90,02 %" in (root.findtext("s:desc", namespaces=NS) or "")
    # Bars coloured by band; the highlighted bar is outlined; lengths follow the values.
    assert rects[1].get("fill") != rects[2].get("fill")
    assert rects[1].get("stroke") and not rects[0].get("stroke")
    widths = [float(r.get("width", "0")) for r in rects]
    assert widths[1] > widths[0] > widths[2] > 0
    assert abs(widths[0] / widths[1] - 82.905 / 90.02) < 0.01
    # A legend names the bands shown.
    assert {"Tốt", "Khá", "Yếu"} <= set(words)
    assert "Trung bình" not in words


def test_bar_chart_escapes_names_and_keeps_the_full_name_in_the_tooltip():
    long = "Ban Quản lý các khu công nghiệp, khu kinh tế và khu chế xuất tỉnh <script>&amp; Hải Phòng mở rộng"
    svg = bar_chart([Bar("<script>&", D(50)), Bar(long, D("70.1"))], width=720)
    assert "<script>" not in svg
    root = parse(svg)
    words = texts(root)
    assert "<script>&" in words  # read back unescaped: it was escaped in the markup
    tips = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert f"{long}: 70,10 %" in tips
    assert any(w.endswith("…") for w in words)  # shortened on the chart, whole in the tooltip


def test_bar_chart_clamps_a_value_past_the_scale_but_prints_it():
    root = parse(bar_chart([Bar("A", D("104.5")), Bar("B", D(-3))], max_value=D(100)))
    first, second = root.findall(".//s:rect[@class='bar']", NS)
    assert "104,50" in texts(root)
    assert float(second.get("width", "1")) == 0
    assert float(first.get("width", "0")) > 0


def test_bar_chart_on_a_phone_puts_names_above_the_bars():
    svg = bar_chart([Bar("Sở Giáo dục và Đào tạo", D(88))], width=360, font_family=SCREEN_FONT)
    root = parse(svg)
    assert root.get("width") == "360"
    name = next(t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text == "Sở Giáo dục và Đào tạo")
    bar = root.find(".//s:rect[@class='bar']", NS)
    assert bar is not None
    assert float(name.get("y", "0")) < float(bar.get("y", "0"))
    assert "sans-serif" in (root.get("font-family") or "")


def test_output_is_deterministic_and_print_font_by_default():
    bars = [Bar("Sở A", D("82.91")), Bar("Sở B", D("75"))]
    assert bar_chart(bars) == bar_chart(list(bars))
    assert parse(bar_chart(bars)).get("font-family") == PRINT_FONT


def test_grouped_bar_chart_bars_per_category_and_series_with_a_legend():
    categories = ["I. Công tác chỉ đạo, điều hành", "II. Thủ tục hành chính"]
    series = [
        Series("Sở Nội vụ", [D("82.905"), D(90)], tone="primary"),
        Series("Trung bình khối", [D("78.5"), None], tone="secondary"),
        Series("Năm trước", [D(70), D("66.666")]),
    ]
    root = parse(grouped_bar_chart(categories, series, title="So sánh"))
    assert len(root.findall(".//s:rect[@class='bar']", NS)) == 6
    words = texts(root)
    assert {"Sở Nội vụ", "Trung bình khối", "Năm trước"} <= set(words)  # legend
    assert {"82,91", "78,50", "66,67", "—"} <= set(words)
    assert "I. Công tác chỉ đạo, điều hành" in words


def test_heat_map_cells_values_and_colour_order():
    rows = ["Sở A", "Sở <B> & C"]
    columns = ["I", "II", "III"]
    values = [[D("82.905"), D(40), None], [D(100), D("55.5"), D(0)]]
    svg = heat_map(rows, columns, values, title="Bản đồ nhiệt")
    root = parse(svg)
    cells = root.findall(".//s:rect[@class='cell']", NS)
    assert len(cells) == 6
    words = texts(root)
    assert {"82,91", "40,00", "—", "100,00", "55,50", "0,00"} <= set(words)
    assert "Sở <B> & C" in words
    assert cells[2].get("data-value") is None  # no figure: a grey cell
    # Lightness rises strictly with the share across the whole scale.
    shades = [_luminance(heat_colour(D(v))) for v in range(0, 101, 5)]
    assert shades == sorted(shades) and len(set(shades)) == len(shades)
    coloured = sorted(
        (D(c.get("data-value", "0")), _luminance(c.get("fill", ""))) for c in cells if c.get("data-value")
    )
    assert [lum for _v, lum in coloured] == sorted(lum for _v, lum in coloured)
    assert heat_colour(D(-5)) == HEAT_STOPS[0][1] and heat_colour(D(120)) == HEAT_STOPS[-1][1]


def test_heat_map_text_contrasts_with_its_cell():
    root = parse(heat_map(["A"], ["I", "II"], [[D(0), D(100)]]))
    inks = [t.get("fill") for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text in {"0,00", "100,00"}]
    assert inks == ["#ffffff", "#000000"]


def test_empty_input_draws_a_no_data_chart():
    for svg in (
        bar_chart([], title="Khối xã"),
        grouped_bar_chart([], []),
        grouped_bar_chart(["I"], []),
        heat_map([], ["I"], []),
    ):
        root = parse(svg)
        assert "Chưa có số liệu" in texts(root)
        assert not root.findall(".//s:rect[@class='bar']", NS)


def test_wrap_keeps_words_and_marks_what_is_cut():
    assert _wrap("Ủy ban nhân dân phường Hồng Bàng", 16, 2) == ["Ủy ban nhân dân", "phường Hồng Bàng"]
    assert _wrap("một hai ba bốn năm sáu bảy", 8, 2)[-1].endswith("…")
    assert _wrap("", 10, 2) == [""]


def test_legend_reckons_in_the_screen_face_and_cuts_a_name_longer_than_a_row():
    """A phone's chart (360 px, the screen's sans face): each legend label starts after its swatch and, at the sans
    face's 0,6 em a glyph, ends inside the chart; a name too long for a whole row is cut with «…»."""
    name = "Ban Quản lý các khu công nghiệp, khu kinh tế và khu chế xuất tỉnh Minh Xuân (cơ quan thí điểm)"
    series = [Series(name, [D(80)], tone="primary"), Series("Trung bình khối", [D(70)], tone="secondary")]
    for width in (360, 720):
        root = parse(grouped_bar_chart(["Lĩnh vực 1"], series, width=width, font_family=SCREEN_FONT))
        labels = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("font-size") == "11"][:2]
        assert [t.text for t in labels][1] == "Trung bình khối"
        first = labels[0].text or ""
        for label in labels:
            right = float(label.get("x", "0")) + len(label.text or "") * 11 * 0.6
            assert right <= width - 10 + 0.01, (width, label.text)
        if width == 360:
            assert first.endswith("…") and name.startswith(first[:-1])
        else:
            assert first == name  # fits a desktop row whole
        # Too wide to share a row, the second label wraps below the first instead of overlapping it.
        assert float(labels[1].get("y", "0")) > float(labels[0].get("y", "0"))

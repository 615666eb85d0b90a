"""The decision with its annex, and one agency's scorecard, as PDF (WeasyPrint).

Each writer takes the period and the reader's Access (reports/access.py decides what may be shown), writes
the file to ``out`` and reports its steps to ``progress`` (done, total) — the same signature as the other
exports, so a background job can run any of them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation

from assessments.models import Period
from parindex.numbers import format_points

from .access import Access, Source
from .charts import FONTS_DIR, PRINT_FONT
from .decision import (
    ANNEX_DOMAINS_HEAD,
    ANNEX_HEAD_AFTER,
    ANNEX_HEAD_BEFORE,
    DecisionOptions,
    build_decision,
)
from .pdf_join import PdfJoin
from .pdf_parts import Block, annex_blocks, annex_parts, pieces
from .ranking import printed_ranking_charts
from .scorecard import Scorecard, build_scorecard, scorecard_chart

Progress = Callable[[int, int], None]

STATIC_DIR = Path(settings.BASE_DIR) / "static"
STYLES = Path(settings.BASE_DIR) / "templates" / "reports" / "pdf" / "styles.css"


def _step(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


@cache
def _renderer() -> tuple[Any, Any, Any]:
    """WeasyPrint, its font configuration and the parsed stylesheet, once per process: parsing the CSS and
    loading four font files is a fixed cost every document would otherwise pay again."""
    import weasyprint  # a heavy import (Pango through cffi), paid only by a process that prints
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class FontsOnly(URLFetcher):
        """The documents need the bundled fonts and nothing else: any other URL (a name typed by a user that
        reached the HTML, a file path) is refused rather than fetched."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if not url.startswith(FONTS_DIR.as_uri() + "/"):
                raise ValueError(f"refused: {url}")
            return super().fetch(url, headers)

    fetcher = FontsOnly()
    fonts = FontConfiguration()
    css = weasyprint.CSS(
        string=STYLES.read_text(encoding="utf-8"),
        base_url=STATIC_DIR.as_uri() + "/",
        font_config=fonts,
        url_fetcher=fetcher,
    )
    return weasyprint, fonts, (css, fetcher)


def _render(html: str, *extra_css: str) -> Any:
    """The laid-out document; ``extra_css`` comes after the stylesheet and wins over it."""
    weasyprint, fonts, (css, fetcher) = _renderer()
    sheets = [css, *(weasyprint.CSS(string=rule, font_config=fonts, url_fetcher=fetcher) for rule in extra_css)]
    document = weasyprint.HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.render(stylesheets=sheets, font_config=fonts)


def html_to_pdf(html: str, out: BinaryIO) -> None:
    _render(html).write_pdf(out)


def _decision_context(period: Period, access: Access, options: DecisionOptions | None) -> dict[str, Any]:
    decision = build_decision(period, access, options)
    groups = [(group, printed_ranking_charts(group.results)) for group in decision.annex_groups]
    return {
        "d": decision,
        "blocks": annex_blocks(groups),
        "heads_before": ANNEX_HEAD_BEFORE,
        "heads_after": ANNEX_HEAD_AFTER,
        "domains_head": ANNEX_DOMAINS_HEAD,
    }


def decision_html(period: Period, access: Access, options: DecisionOptions | None = None) -> str:
    """The whole decision as one HTML document (what write_decision_pdf prints, in parts)."""
    context = _decision_context(period, access, options)
    return render_to_string("reports/pdf/decision.html", {**context, "body": True, "pieces": pieces(context["blocks"])})


def write_decision_pdf(
    period: Period,
    access: Access,
    out: BinaryIO,
    progress: Progress | None = None,
    *,
    options: DecisionOptions | None = None,
) -> None:
    """The decision publishing the period's results, with the annex table of every ranking group: laid out a
    few pages at a time (reports/pdf_parts.py), in the same memory whatever the number of agencies."""
    context = _decision_context(period, access, options)
    blocks = context["blocks"]
    _step(progress, 0, len(blocks))

    def render(part: Sequence[Block], first_page: int) -> Any:
        """The decision itself comes with the annex's first part; styles.css numbers the annex's pages from its
        first (unnumbered), and a part going on carries the count on."""
        first = part[0] is blocks[0]
        html = render_to_string(
            "reports/pdf/decision.html", {**context, "body": first, "pieces": pieces(part), "continued": not first}
        )
        numbering = (
            f"@page :nth(1 of annex) {{ counter-reset: page {first_page}; @top-center {{ content: counter(page); }} }}"
        )
        return _render(html, *([] if first else [numbering]))

    joined: PdfJoin | None = None
    for part, done, total in annex_parts(blocks, render):
        if joined is None and done == total:
            out.write(part)  # the whole decision in one part, a document of its own
        else:
            joined = joined or PdfJoin(out)
            joined.add(part)  # written out now: the file is never held whole
        _step(progress, done, total)
    if joined is not None:
        joined.finish()


SOURCE_NOTES = {
    Source.PUBLISHED: "Kết quả đã công bố.",
    Source.LIVE: "Kết quả tạm tính từ dữ liệu hiện tại, chưa công bố.",
    Source.SELF: "Tính từ điểm tự chấm của đơn vị; chưa có kết quả thẩm định và điều tra xã hội học.",
}


@dataclass(frozen=True)
class PrintedDomain:
    code: str
    title: str
    points: str
    max: str
    percent: str
    rank: str  # «3/20», "" where the reader may not see other agencies


@dataclass(frozen=True)
class PrintedLeaf:
    code: str
    title: str
    max: str
    points: str
    lost: str
    comment: str  # the newest comment of each round, «Vòng 1: …»; none for an agency before publication


def _of(points: Decimal, maximum: Decimal) -> str:
    return f"{format_points(points)}/{format_points(maximum)}"


def _percent(value: Decimal | None) -> str:
    return format_points(value, places=2) if value is not None else "—"


def scorecard_context(card: Scorecard) -> dict[str, object]:
    """The scorecard of the analysis page (reports/scorecard.py) as the printed page writes it: Vietnamese
    figures with decimal commas, whatever the reader's language."""
    row, own = card.row, card.is_self  # before publication an agency sees its self points alone
    figures: list[tuple[str, str]] = [
        (
            "Điểm tự chấm" if own else "Điểm thẩm định",
            f"{format_points(row.points)}/{format_points(row.applicable_max)}",
        ),
        (
            "Điểm điều tra xã hội học",
            "—" if own or not row.survey_max else _of(row.survey_points, row.survey_max),
        ),
        ("Điểm thưởng", "—" if own else format_points(row.bonus)),
        ("Điểm trừ", "—" if own else format_points(row.penalty)),
        ("Tổng điểm", format_points(row.total)),
        ("Chỉ số (%)", _percent(row.index)),
        ("Xếp loại", row.band_label),
    ]
    if card.access.sees_others:
        figures.append(("Xếp hạng trong khối", f"{row.rank}/{row.rank_of}"))
    domains = [
        PrintedDomain(
            d.code,
            d.title,
            format_points(d.points),
            format_points(d.max),
            _percent(d.share) if d.max else "—",
            f"{d.rank}/{row.rank_of}" if card.access.sees_others else "",
        )
        for d in card.domains
    ]
    lost = [
        PrintedLeaf(
            leaf.code,
            leaf.title,
            format_points(leaf.max),
            format_points(leaf.final),
            format_points(leaf.lost),
            "; ".join(f"Vòng {entry.round}: {entry.comment}" for entry in leaf.comments),
        )
        for leaf in card.lost
    ]
    return {
        "card": card,
        "year": card.period.year,
        "agency_name": row.agency_name,
        "group_label": card.group.label,
        "figures": figures,
        "domains": domains,
        "lost": lost,
        "sees_others": card.access.sees_others,
        "comments": not own,
        "note": SOURCE_NOTES[card.access.source],
        "issuer": f"Ủy ban nhân dân {settings.PARINDEX_PROVINCE_KIND} {settings.PARINDEX_PROVINCE}",
        "chart": scorecard_chart(card, width=720, font_family=PRINT_FONT),
    }


def scorecard_html(period: Period, access: Access, agency_id: int) -> str:
    with translation.override("vi"):  # a printed scorecard reads like the decision it accompanies
        card = build_scorecard(period, agency_id, access)
        if card is None:
            raise Http404
        return render_to_string("reports/pdf/scorecard.html", scorecard_context(card))


def write_scorecard_pdf(
    period: Period, access: Access, agency_id: int, out: BinaryIO, progress: Progress | None = None
) -> None:
    """One agency's scorecard (A4 portrait)."""
    _step(progress, 0, 2)
    html = scorecard_html(period, access, agency_id)
    _step(progress, 1, 2)
    html_to_pdf(html, out)
    _step(progress, 2, 2)

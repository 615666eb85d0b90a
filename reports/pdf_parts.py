"""The decision's annex printed a few pages at a time, so a province of any size prints in the same memory.

WeasyPrint keeps every page of a document laid out until the PDF is written: about 7 MiB a page of the
annex table (its boxes and their Pango layouts), so one rendering of 800 agencies peaked 320 MiB above the
process. Here the annex is a flow of blocks that never split across pages (the title, a group's heading, a
table row, the legend, a chart: styles.css keeps each one whole) and is rendered a part at a time:

- a part is the next blocks worth about PART_PAGES pages; rendered alone, its pages are kept except the last,
  which the next part starts again from its first block (``Page.anchors`` says which blocks each page holds:
  every block carries an id). Each kept page is therefore as full as in one rendering of the whole annex,
  and a part that starts in a table repeats the table's header, as a page break in it does;
- the next part's page numbers go on from the kept pages (styles.css numbers the annex on its own);
- the decision itself comes first in the first part; each part is written as a PDF of its own, and added to
  the joined file as soon as it is made (reports/pdf_join.py). An annex short enough for one part
  (LAST_PART) is printed in one rendering, as a single document.

The page left over is laid out twice; parts are sized from the pages already printed so that it holds a few
blocks (PART_OVERSHOOT), not a page's worth.
"""

import gc
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .decision import AnnexGroup, AnnexRow
from .ranking import PrintedChart

PART_PAGES = 4  # pages a part aims at (~7 MiB of layout a page); more pages, fewer fonts embedded again per part
LAST_PART = 1.5  # what is left is printed in one part when it is no more than this many parts' worth
PART_OVERSHOOT = 2.0  # rows a part takes beyond its estimate, so its last (dropped) page holds only a few
FIRST_RATE = 15.0  # rows to a landscape annex page, before any page is printed
CHART_WEIGHT = 6.0  # a chart's page takes the memory of about six rows: a part holds more of them


@dataclass(frozen=True)
class Block:
    """A piece of the annex that stays on one page. ``weight`` is the memory its layout takes, in table rows,
    for sizing parts."""

    anchor: str
    kind: str  # "title", "heading", "row", "legend", "chart"
    group: AnnexGroup | None
    row: AnnexRow | None = None
    chart: PrintedChart | None = None
    weight: float = 1.0


def annex_blocks(groups: Sequence[tuple[AnnexGroup, list[PrintedChart]]]) -> list[Block]:
    blocks = [Block("b0", "title", None, weight=4)]
    for group, charts in groups:
        blocks.append(Block(f"b{len(blocks)}", "heading", group, weight=2))
        blocks += [Block(f"b{len(blocks) + i}", "row", group, row=row) for i, row in enumerate(group.rows)]
        if group.legend:
            blocks.append(Block(f"b{len(blocks)}", "legend", group, weight=2))
        blocks += [
            Block(f"b{len(blocks) + i}", "chart", group, chart=c, weight=CHART_WEIGHT) for i, c in enumerate(charts)
        ]
    return blocks


@dataclass(frozen=True)
class Piece:
    """What the template prints: a block, or a table of consecutive rows of one group."""

    kind: str
    anchor: str
    group: AnnexGroup | None
    rows: tuple[tuple[str, AnnexRow], ...] = ()
    chart: PrintedChart | None = None


def pieces(blocks: Sequence[Block]) -> list[Piece]:
    out: list[Piece] = []
    for block in blocks:
        if block.kind != "row":
            out.append(Piece(block.kind, block.anchor, block.group, chart=block.chart))
            continue
        assert block.row is not None
        last = out[-1] if out else None
        if last is not None and last.kind == "table" and last.group is block.group:
            out[-1] = Piece("table", last.anchor, last.group, (*last.rows, (block.anchor, block.row)))
        else:
            out.append(Piece("table", block.anchor, block.group, ((block.anchor, block.row),)))
    return out


# render(blocks, first_page_number) -> WeasyPrint Document of those blocks, its annex pages numbered on from it
Render = Callable[[Sequence[Block], int], Any]


def annex_parts(blocks: Sequence[Block], render: Render) -> Iterator[tuple[bytes, int, int]]:
    """The parts as PDF bytes, each with the number of blocks printed so far and in all. The first part's pages
    before its first block hold the decision itself and are not counted among the annex's."""
    position = {block.anchor: index for index, block in enumerate(blocks)}
    start, page_number, rate, reach = 0, 1, FIRST_RATE, 1
    frozen = gc.isenabled()
    if frozen:
        # What the process held before is set aside from the collections between parts, which then walk only
        # what the parts made: in a process holding much (a web server, the benchmark) a full collection took
        # 0,17 s a part.
        gc.freeze()
    try:
        while start < len(blocks):
            end, taken, budget = start, 0.0, rate * PART_PAGES * reach + PART_OVERSHOOT
            if sum(block.weight for block in blocks[start:]) <= budget * LAST_PART:
                budget = float("inf")  # the rest in one go: a part for the few blocks left costs more than it saves
            while end < len(blocks) and taken < budget:
                taken += blocks[end].weight
                end += 1
            document = render(blocks[start:end], page_number)
            on_page = [sorted(position[name] for name in page.anchors if name in position) for page in document.pages]
            if end == len(blocks):
                keep, next_start = len(on_page), end
            else:
                keep, next_start = len(on_page) - 1, (on_page[-1] or [start])[0]
            if keep < 1 or next_start <= start or not any(on_page[:keep]):
                # All of it fitted on one page (or the last page starts no block): the part must reach further.
                del document
                reach *= 2
                continue
            buffer = io.BytesIO()
            document.copy(document.pages[:keep]).write_pdf(buffer)
            del document
            if next_start < len(blocks):
                gc.collect()  # the boxes hold reference cycles: this part's layout is freed before the next is made
            rate = _rows_per_page(blocks, on_page[:keep]) or rate
            decision_pages = next(i for i, page in enumerate(on_page) if page) if start == 0 else 0
            start, page_number, reach = next_start, page_number + keep - decision_pages, 1
            yield buffer.getvalue(), start, len(blocks)
    finally:
        if frozen:
            gc.unfreeze()


def _rows_per_page(blocks: Sequence[Block], on_page: list[list[int]]) -> float | None:
    """The rows on a page of nothing but table rows (a full page: only a part's last page is ever partial)."""
    full = [
        sum(blocks[i].weight for i in page) for page in on_page if page and all(blocks[i].kind == "row" for i in page)
    ]
    return sum(full) / len(full) if full else None

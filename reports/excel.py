"""The period workbook (issue 9, item 5): a ranking sheet per ranking group, a sheet per domain (agencies × the
domain's leaves, final points), the agency × leaf matrix (self, round 1, round 2, final) and the survey, bonus
and penalty sheet.

The figures of the ranking come from ``access.results`` only, so the workbook shows exactly what the reader may
see: the frozen snapshot once published, the live figures before (and only to the live readers that
reports.access lets through). Leaf-level values are read from the scores; after publication they are the final
appraisal, which cannot change any more.

Memory is flat in the number of agencies: the workbook is write-only (rows stream to temporary files), and the
leaf values come from one query over every score of the period, iterated in (agency, tree) order. That one pass
fills the matrix and every domain sheet at once (write-only sheets accept rows in any interleaving), buffering
only the current agency's leaves of one domain. Queries: those of the results (six live, one published), the
domains and leaves of the period's sets, the scores (with round 1 and round 2 as subqueries), the survey
points, the bonus and penalty rows: ten at most, whatever the number of agencies.

Every cell goes through parindex.xlsx.cell: text starting with = + - @ stays text.
"""

import heapq
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db.models import FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from appraisal.models import Adjustment, AdjustmentKind, AppraisalEntry, AppraisalRound, SurveyScore
from appraisal.results import AgencyResult, DomainResult, ResultGroup
from assessments.models import Period, Score
from criteria.models import Node
from organisations.models import AgencyKind
from parindex.xlsx import HEADER_FILL, HEADER_FONT, cell, header_height, new_workbook, set_widths, write_row

from .access import Access, Source

Progress = Callable[[int, int], None]

# Computed figures (totals, index) show two decimals; Excel writes the reader's separator: 82,91 on a Vietnamese
# system. A leaf's points are shown as entered, in Excel's General format (1,5; 2; 0,25), as the criteria sets and
# the scoring sheet write them, and whole numbers (STT) need no format: these cells are most of the workbook,
# and openpyxl writes a cell with a style about twice as slowly as a plain value (benchmarks.reports).
POINTS = "#,##0.00"
HEADER_ROW = 4  # rows 1-3: title, subject, source of the figures
TITLE_FONT = Font(bold=True, size=13)
NOTE_FONT = Font(italic=True, color="555555")
WRAP_HEADER = Alignment(wrap_text=True, vertical="center", horizontal="center")
NOT_APPLICABLE = "—"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# ---- sheet set-up ------------------------------------------------------------------------------------------


def sheet_name(wanted: str, used: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters, no leading or trailing apostrophe."""
    base = _SHEET_NAME_FORBIDDEN.sub("-", wanted).strip().strip("'")[:31].strip() or "Trang"
    name, number = base, 2
    while name.casefold() in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)].rstrip() + suffix, number + 1
    used.add(name.casefold())
    return name


@dataclass
class _Sheet:
    """A write-only sheet with its title block and header written; rows are counted for the autofilter."""

    ws: Any
    columns: int
    formats: dict[int, str]
    rows: int = HEADER_ROW

    def add(self, values: list[object]) -> None:
        write_row(self.ws, values, number_formats=self.formats)
        self.rows += 1

    def finish(self) -> None:
        """The autofilter over the header and data rows (written when the workbook is saved)."""
        self.ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(self.columns)}{max(self.rows, HEADER_ROW + 1)}"


def _new_sheet(
    workbook: Any,
    used: set[str],
    name: str,
    *,
    title: str,
    subject: str,
    source: str,
    headers: list[tuple[str, int]],
    formats: dict[int, str],
    freeze: str,
) -> _Sheet:
    ws = workbook.create_sheet(sheet_name(name, used))
    set_widths(ws, (width for _header, width in headers))  # a write-only sheet takes widths before any row
    ws.freeze_panes = freeze
    # Print set-up: A4 landscape, as wide as one page, the header row repeated, the title on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.oddHeader.center.text = _header_footer_text(f"{title} – {subject}")
    ws.oddFooter.center.text = _("Trang &P/&N")
    write_row(ws, [cell(ws, title, font=TITLE_FONT)])
    write_row(ws, [cell(ws, subject, font=Font(bold=True))])
    write_row(ws, [cell(ws, source, font=NOTE_FONT)])
    ws.row_dimensions[HEADER_ROW].height = header_height(headers)
    write_row(ws, [h for h, _width in headers], font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP_HEADER)
    return _Sheet(ws, len(headers), formats)


def _header_footer_text(text: str) -> str:
    # «&» starts a code in a page header; a literal one is written twice. Excel caps the whole header at 255.
    return text.replace("&", "&&")[:200]


# ---- the figures -------------------------------------------------------------------------------------------


@dataclass
class _Domain:
    pk: int
    code: str
    title: str
    set_id: int
    set_kind: str
    leaves: list["_Leaf"] = field(default_factory=list)


@dataclass
class _Leaf:
    pk: int
    code: str
    title: str
    max_points: Decimal
    domain_id: int


def _domains_and_leaves(period: Period) -> tuple[list[_Domain], dict[int, _Leaf]]:
    """The scored (non-survey) domains of the period's sets in tree order, each with its leaves. One query."""
    domains: dict[int, _Domain] = {}
    leaves: dict[int, _Leaf] = {}
    for pk, code, title, max_points, depth, is_leaf, domain_id, set_id, kind in (
        Node.objects.filter(index_set__in=period.index_sets.values("index_set"), is_survey=False)
        .filter(Q(depth=1) | Q(is_leaf=True))
        .order_by("index_set", "position")
        .values_list(
            "pk",
            "code",
            "title",
            "max_points",
            "depth",
            "is_leaf",
            "domain_id",
            "index_set_id",
            "index_set__agency_kind",
        )
    ):
        if depth == 1:
            domains[pk] = _Domain(pk, code, title, set_id, kind)
        if is_leaf:
            leaves[pk] = _Leaf(pk, code, title, max_points, domain_id or pk)
    for leaf in leaves.values():
        if leaf.domain_id in domains:
            domains[leaf.domain_id].leaves.append(leaf)
    return list(domains.values()), leaves


def _latest(round_: int) -> Subquery:
    """The points of the newest appraisal entry of the score in that round: the round's value."""
    return Subquery(
        AppraisalEntry.objects.filter(score=OuterRef("pk"), round=round_).order_by("-at", "-pk").values("points")[:1]
    )


def _as_float(expression: Any) -> Cast:
    # A leaf's points go to the workbook as the double Excel stores (openpyxl writes a Decimal through float
    # too): read as such, the tens of thousands of them skip Django's Decimal conversion, a tenth of the export.
    # The column holds two decimals already (PostgreSQL's numeric; on SQLite, Django rounds before writing).
    return Cast(expression, FloatField())


def _score_rows(period: Period) -> Iterator[tuple[Any, ...]]:
    """Every non-survey score of the period, agency by agency, in tree order: one streamed query."""
    return (
        Score.objects.filter(assessment__period=period, node__is_survey=False)
        .order_by("assessment__agency__name", "assessment_id", "node__position")
        .values_list(
            "assessment_id",
            "node_id",
            _as_float("self_points"),
            _as_float("appraised_points"),
            "not_applicable",
            _as_float(_latest(AppraisalRound.FIRST)),
            _as_float(_latest(AppraisalRound.SECOND)),
        )
        .iterator(chunk_size=2000)
    )


def _local_date(value: Any) -> Any:
    return timezone.localdate(value) if value is not None else None


# ---- the workbook ------------------------------------------------------------------------------------------


class _Counter:
    """Calls ``progress(done, total)`` as units of work are written; never reports past the total."""

    def __init__(self, total: int, progress: Progress | None):
        self.total, self.done, self.progress = max(total, 1), 0, progress
        self._report()

    def step(self, units: int = 1) -> None:
        self.done = min(self.done + units, self.total)
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total)


def write_period_workbook(period: Period, access: Access, out: BinaryIO, progress: Progress | None = None) -> None:
    """Write the period's workbook to ``out``, with the figures ``access`` allows; ``progress(done, total)``."""
    if access.source == Source.SELF or not access.sees_others:
        # One agency's own view has no rankings and no other agency's leaves: never a workbook of the period.
        raise PermissionDenied(_("Chỉ xuất được kết quả mà bạn được xem toàn bộ."))
    groups = access.results(period)
    results = {row.assessment_id: row for group in groups for row in group.rows}
    domains, leaves = _domains_and_leaves(period)
    counter = _Counter(2 * len(results) + sum(len(row.domains) for row in results.values()) + 1, progress)

    title = _("KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH – %(period)s") % {"period": period.name.upper()}
    source = _source_line(access)
    workbook = new_workbook()
    used: set[str] = set()
    for group in groups:
        _ranking_sheet(workbook, used, group, title=title, source=source)
        counter.step(len(group.rows))
    _leaf_sheets(workbook, used, period, domains, leaves, results, counter, title=title, source=source)
    _survey_sheet(workbook, used, period, results, title=title, source=source)
    counter.step()
    workbook.save(out)


def _source_line(access: Access) -> str:
    publication = access.publication
    if publication is not None:
        line = _("Kết quả đã công bố ngày %(date)s") % {
            "date": date_format(timezone.localtime(publication.published_at), "d/m/Y")
        }
        if publication.decision:
            line += _(" theo %(decision)s") % {"decision": publication.decision}
        return line + "."
    return _("Kết quả tạm tính lúc %(time)s, chưa công bố: chỉ dùng nội bộ.") % {
        "time": timezone.localtime().strftime("%H:%M %d/%m/%Y")
    }


# ---- ranking: one sheet per group ---------------------------------------------------------------------------


def _ranking_sheet(workbook: Any, used: set[str], group: ResultGroup, *, title: str, source: str) -> None:
    heads = group.domain_heads
    headers = [
        (_("STT"), 6),
        (_("Cơ quan, đơn vị"), 42),
        *((_("LV %(code)s") % {"code": d.code}, 9) for d in heads),
        (_("Điểm thẩm định"), 11),
        (_("Điều tra XHH"), 10),
        (_("Điểm thưởng"), 9),
        (_("Điểm trừ"), 9),
        (_("Tổng điểm"), 10),
        (_("Chỉ số (%)"), 10),
        (_("Xếp loại"), 12),
        (_("Xếp hạng"), 10),
    ]
    first_number = 3 + len(heads)
    formats = dict.fromkeys(range(3, first_number + 6), POINTS)
    sheet = _new_sheet(
        workbook,
        used,
        _("XH %(group)s") % {"group": group.label},
        title=title,
        subject=_("Xếp hạng khối: %(group)s (%(count)s đơn vị)") % {"group": group.label, "count": len(group.rows)},
        source=source,
        headers=headers,
        formats=formats,
        freeze=f"C{HEADER_ROW + 1}",
    )
    for number, row in enumerate(group.rows, start=1):
        sheet.add(
            [
                number,
                row.agency_name,
                *_aligned(row.domains, heads),
                row.points,
                row.survey_points,
                row.bonus,
                row.penalty,
                row.total,
                row.index,
                row.band_label,
                f"{row.rank}/{row.rank_of}",
            ]
        )
    sheet.finish()


def _aligned(domains: list[DomainResult], heads: list[DomainResult]) -> list[Decimal | None]:
    """The row's domain points under the group's columns (by code; a group mixing sets leaves gaps empty)."""
    by_code = {d.code: d.points for d in domains}
    return [by_code.get(h.code) for h in heads]


# ---- leaves: a sheet per domain and the matrix, in one pass over the scores ----------------------------------


@dataclass
class _DomainSheet:
    domain: _Domain
    sheet: _Sheet
    column_of: dict[int, int]  # leaf pk → index among the leaf columns
    number: int = 0


def _leaf_sheets(
    workbook: Any,
    used: set[str],
    period: Period,
    domains: list[_Domain],
    leaves: dict[int, _Leaf],
    results: dict[int, AgencyResult],
    counter: _Counter,
    *,
    title: str,
    source: str,
) -> None:
    several_sets = len({d.set_id for d in domains}) > 1
    by_domain: dict[int, _DomainSheet] = {}
    for domain in domains:
        by_domain[domain.pk] = _domain_sheet(workbook, used, domain, several_sets, title=title, source=source)
    matrix = _new_sheet(
        workbook,
        used,
        _("Điểm từng tiêu chí"),
        title=title,
        subject=_("Điểm từng tiêu chí của từng đơn vị: tự chấm, thẩm định vòng 1, vòng 2 và điểm cuối cùng"),
        source=source,
        headers=[
            (_("STT"), 6),
            (_("Cơ quan, đơn vị"), 36),
            (_("Mã"), 9),
            (_("Tiêu chí"), 60),
            (_("Điểm tối đa"), 9),
            (_("Tự chấm"), 9),
            (_("Thẩm định vòng 1"), 10),
            (_("Thẩm định vòng 2"), 10),
            (_("Điểm cuối cùng"), 10),
            (_("Không áp dụng"), 9),
        ],
        formats={},  # leaf points as entered (see POINTS)
        freeze=f"C{HEADER_ROW + 1}",
    )
    number = 0
    for assessment_id, scores in itertools.groupby(_score_rows(period), key=lambda s: s[0]):
        result = results.get(assessment_id)
        if result is None:  # a sheet outside the published snapshot (added after publication): not shown
            continue
        domain_values: dict[int, dict[int, Any]] = {}
        for _aid, node_id, self_points, appraised, not_applicable, round_1, round_2 in scores:
            leaf = leaves.get(node_id)
            if leaf is None:
                continue
            final = appraised if appraised is not None else self_points
            number += 1
            matrix.add(
                [
                    number,
                    result.agency_name,
                    leaf.code,
                    leaf.title,
                    leaf.max_points,
                    self_points,
                    round_1,
                    round_2,
                    None if not_applicable else final,
                    _("Có") if not_applicable else None,  # None: no cell at all, "" would write an empty one
                ]
            )
            domain_values.setdefault(leaf.domain_id, {})[node_id] = NOT_APPLICABLE if not_applicable else final
        counter.step()
        figures = {d.code: d for d in result.domains}
        for domain_id, values in domain_values.items():
            target = by_domain.get(domain_id)
            if target is None:
                continue
            _domain_row(target, result, values, figures.get(target.domain.code))
            counter.step()
    matrix.finish()
    for target in by_domain.values():
        target.sheet.finish()


def _domain_sheet(
    workbook: Any, used: set[str], domain: _Domain, several_sets: bool, *, title: str, source: str
) -> _DomainSheet:
    kind = _kind_short(domain.set_kind) if several_sets else ""
    leaf_columns = [(f"{leaf.code}\n({_points_text(leaf.max_points)})", 8) for leaf in domain.leaves]
    headers = [
        (_("STT"), 6),
        (_("Cơ quan, đơn vị"), 36),
        *leaf_columns,
        (_("Tổng lĩnh vực"), 10),
        (_("Tối đa áp dụng"), 10),
        (_("Hạng trong khối"), 10),
    ]
    last_number = 2 + len(leaf_columns) + 2
    subject = _("Lĩnh vực %(code)s. %(title)s") % {"code": domain.code, "title": domain.title}
    if kind:
        subject += f" ({kind})"
    sheet = _new_sheet(
        workbook,
        used,
        f"LV {domain.code} {kind}".strip(),
        title=title,
        subject=subject,
        source=source + " " + _("Điểm cuối cùng của từng tiêu chí (tối đa trong ngoặc); «—»: không áp dụng."),
        headers=headers,
        formats={last_number - 1: POINTS, last_number: POINTS},  # the domain's total and max
        freeze=f"C{HEADER_ROW + 1}",
    )
    return _DomainSheet(domain, sheet, {leaf.pk: i for i, leaf in enumerate(domain.leaves)})


def _domain_row(
    target: _DomainSheet, result: AgencyResult, values: dict[int, Any], figures: DomainResult | None
) -> None:
    cells: list[Any] = [None] * len(target.column_of)
    for node_id, value in values.items():
        index = target.column_of.get(node_id)
        if index is not None:
            cells[index] = value
    target.number += 1
    target.sheet.add(
        [
            target.number,
            result.agency_name,
            *cells,
            figures.points if figures else None,
            figures.max if figures else None,
            f"{figures.rank}/{result.rank_of}" if figures and figures.rank else None,
        ]
    )


def _kind_short(kind: str) -> str:
    shorts: dict[str, str] = {
        AgencyKind.DEPARTMENT: _("sở"),
        AgencyKind.COMMUNE: _("xã"),
        AgencyKind.DISTRICT: _("huyện"),
    }
    return shorts.get(kind, kind)


def _points_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


# ---- survey, bonus and penalty ----------------------------------------------------------------------------


def _survey_sheet(
    workbook: Any, used: set[str], period: Period, results: dict[int, AgencyResult], *, title: str, source: str
) -> None:
    sheet = _new_sheet(
        workbook,
        used,
        _("Điều tra XHH, thưởng, trừ"),
        title=title,
        subject=_("Điểm điều tra xã hội học, điểm thưởng và điểm trừ của từng đơn vị"),
        source=source + " " + _("Điểm thưởng, điểm trừ đã hủy được ghi để đối chiếu, không được tính."),
        headers=[
            (_("STT"), 6),
            (_("Cơ quan, đơn vị"), 36),
            (_("Loại"), 14),
            (_("Nội dung, lý do"), 48),
            (_("Văn bản căn cứ"), 24),
            (_("Điểm"), 9),
            (_("Điểm tối đa"), 9),
            (_("Tình trạng"), 24),
            (_("Ngày ghi nhận"), 12),
        ],
        formats={6: POINTS, 7: POINTS, 9: "dd/mm/yyyy"},
        freeze=f"C{HEADER_ROW + 1}",
    )
    survey = (
        SurveyScore.objects.filter(assessment__period=period)
        .order_by("assessment__agency__name", "assessment_id", "node__position")
        .values_list(
            "assessment__agency__name",
            "assessment_id",
            "node__code",
            "node__title",
            "points",
            "max_points",
            "updated_at",
        )
        .iterator(chunk_size=2000)
    )
    adjustments = (
        Adjustment.objects.filter(assessment__period=period)
        .order_by("assessment__agency__name", "assessment_id", "created_at", "pk")
        .values_list(
            "assessment__agency__name",
            "assessment_id",
            "kind",
            "points",
            "reason",
            "document",
            "created_at",
            "withdrawn_at",
            "withdrawn_reason",
        )
        .iterator(chunk_size=2000)
    )
    # Both streams are in agency order: merged, each agency's survey parts come before its bonus and penalty.
    merged = heapq.merge(
        ((name, aid, 0, row) for name, aid, *row in survey),
        ((name, aid, 1, row) for name, aid, *row in adjustments),
        key=lambda item: (item[0], item[1], item[2]),
    )
    number = 0
    row: Any
    for _name, assessment_id, part, row in merged:
        result = results.get(assessment_id)
        if result is None:
            continue
        number += 1
        if part == 0:
            code, node_title, points, maximum, at = row
            values: list[object] = [
                _("Điều tra XHH"),
                f"{code}. {node_title}",
                None,
                points,
                maximum,
                _("Đang tính"),
                _local_date(at),
            ]
        else:
            kind, points, reason, document, at, withdrawn_at, withdrawn_reason = row
            status = (
                _("Đã hủy ngày %(date)s: %(reason)s")
                % {"date": date_format(timezone.localtime(withdrawn_at), "d/m/Y"), "reason": withdrawn_reason}
                if withdrawn_at is not None
                else _("Đang tính")
            )
            values = [str(AdjustmentKind(kind).label), reason, document, points, None, status, _local_date(at)]
        sheet.add([number, result.agency_name, *values])
    sheet.finish()

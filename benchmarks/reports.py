"""Reports at province scale: the ranking computation, the ranking page, the exports, and their memory.

    .venv/bin/python -m benchmarks.reports [--sizes 50,200,800] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench .venv/bin/python -m benchmarks.reports

A generated province per size (benchmarks/province.py), each in its own throwaway database: agencies in three
ranking groups on the demo's two sets, two periods (last year's published); PostgreSQL's statistics are then
gathered (ANALYZE), as autovacuum does on a database in use. Everything is measured on this
year's period, in appraisal, as the administrator sees it (live figures). Each figure is printed beside a
reference measured in the same run, so the ratios hold on any machine: after one warm-up run of each, ours
and its reference run in turn ``--repeat`` times (a machine busy with something else slows both alike), and
the medians are compared.

- ranking computation: ``period_results``; target ≤ 100 ms, in a number of queries that does not grow.
- ranking page: ``reports:ranking`` through the test Client (the whole middleware stack, logged in as the
  administrator) against a trivial page through the same stack (benchmarks/urls.py: a view returning a
  few bytes, no template, no query of its own; the session and the user are still read).
- Excel: ``write_period_workbook`` (the export job's writer: queries, sheets, styles) against bare openpyxl
  write-only writing the same values (our workbook read back: same sheets, rows and values, no style, no
  query); target ≤ 1.5×. Also against bare openpyxl writing them with our number formats, the part of the
  time that is openpyxl's cost of a formatted cell rather than ours.
- PDF: ``write_decision_pdf`` (the decision and its annex: queries, charts, template, WeasyPrint laying the
  annex out a few pages at a time, each part written out as it comes: reports/pdf_parts.py, reports/pdf_join.py)
  against WeasyPrint alone laying out and writing the whole decision's HTML in one rendering, with the same
  stylesheet and fonts loaded once beforehand (as our writer keeps them per process); per page; target ≤ 1.2×.
  The page count is that of WeasyPrint's rendered document.
- memory: each export (Excel, decision PDF, decision Word) run once in a fresh process on the same database.
  The figure is that process's peak resident memory (Linux's VmHWM) above its resident memory once ready
  (Django loaded, the writer's libraries warmed up: WeasyPrint's fonts, pypdf, cairo and fontconfig for the
  Word file's charts; the peak reset), so it counts C allocations too (lxml, Pango, cairo), which tracemalloc
  would not see. Target: flat in the agency count.
"""

import argparse
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from benchmarks import django_setup, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
EXPORT_KINDS = {"xlsx": "Excel", "quyet-dinh-pdf": "decision PDF", "quyet-dinh-docx": "decision Word"}
RANKING_TARGET_MS = 100
EXCEL_TARGET = 1.5
PDF_TARGET = 1.2


# ---- timing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    ms: float
    queries: int  # of the warm-up run


@dataclass(frozen=True)
class Compared:
    ours: Timed
    bare: Timed

    @property
    def ratio(self) -> float:
        return self.ours.ms / self.bare.ms


def run_ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def interleaved(actions: list[Callable[[], object]], repeat: int) -> list[Timed]:
    """Each action once as a warm-up, its queries counted, then ``repeat`` rounds running each in turn; the
    median time of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []
    for action in actions:
        with CaptureQueriesContext(connection) as ctx:
            action()
        queries.append(len(ctx.captured_queries))  # read now: each request clears the connection's log
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for action, samples in zip(actions, times, strict=True):
            samples.append(run_ms(action))
    return [Timed(statistics.median(samples), count) for samples, count in zip(times, queries, strict=True)]


def compare(ours: Callable[[], object], bare: Callable[[], object], repeat: int) -> Compared:
    return Compared(*interleaved([ours, bare], repeat))


def _scratch() -> BinaryIO:
    """Where an export writes, as the export job does (reports/jobs.py): a temporary file."""
    return tempfile.TemporaryFile()


# ---- ranking: the computation and the page ------------------------------------------------------------------


@dataclass(frozen=True)
class RankingReport:
    computation: Timed
    groups: int
    ranked: int
    page: Compared  # against the trivial page


def measure_ranking(user: Any, period: Any, repeat: int) -> RankingReport:
    """``period_results``; then the ranking page against the trivial page, through the test Client."""
    from django.test import Client, override_settings
    from django.urls import reverse

    from appraisal.results import period_results
    from benchmarks.urls import TRIVIAL_URL

    groups = period_results(period)
    [computation] = interleaved([lambda: period_results(period)], repeat)
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        client = Client()
        client.force_login(user)
        ranking_url = reverse("reports:ranking", args=[period.pk])
        last_ranked = groups[-1].rows[-1].agency_name

        def get(url: str, must_show: str) -> Callable[[], object]:
            def action() -> object:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                assert must_show in response.content.decode(), (url, must_show)
                return response

            return action

        page = compare(get(ranking_url, last_ranked), get(TRIVIAL_URL, f"ok {user.pk}"), repeat)
    return RankingReport(computation, len(groups), sum(len(g.rows) for g in groups), page)


# ---- Excel ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetCells:
    """A sheet's values, row by row, and the number formats (other than General) of its non-empty cells."""

    title: str
    rows: list[list[object]]
    formats: list[dict[int, str]]  # per row: 0-based column → format


def workbook_cells(stream: BinaryIO) -> list[SheetCells]:
    """What a workbook holds, read back (trailing empty cells dropped)."""
    from openpyxl import load_workbook

    workbook = load_workbook(stream, read_only=True)
    sheets = []
    for ws in workbook.worksheets:
        rows, formats = [], []
        for cells in ws.iter_rows():
            row = [c.value for c in cells]
            while row and row[-1] is None:
                row.pop()
            rows.append(row)
            formats.append(
                {
                    i: c.number_format
                    for i, c in enumerate(cells)
                    if c.value is not None and c.number_format not in (None, "General")
                }
            )
        sheets.append(SheetCells(ws.title, rows, formats))
    workbook.close()
    return sheets


def write_bare_workbook(sheets: list[SheetCells], out: BinaryIO, *, formats: bool = False) -> None:
    """Bare openpyxl write-only: the same values appended as they are; with ``formats``, a cell carrying its
    number format where ours has one, as openpyxl's documentation does it. No other style, no set-up."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        for values, row_formats in zip(sheet.rows, sheet.formats, strict=True):
            row: list[object] = values
            if formats and row_formats:
                row = list(values)
                for index, number_format in row_formats.items():
                    formatted = WriteOnlyCell(ws, value=values[index])
                    formatted.number_format = number_format
                    row[index] = formatted
            ws.append(row)
    workbook.save(out)


@dataclass(frozen=True)
class ExcelReport:
    ours: Timed
    bare: Timed  # the values alone
    formatted: Timed  # the values with our number formats
    sheets: int
    rows: int
    cells: int  # non-empty
    formatted_cells: int

    @property
    def ratio(self) -> float:
        return self.ours.ms / self.bare.ms

    @property
    def formatted_ratio(self) -> float:
        return self.ours.ms / self.formatted.ms


def measure_excel(period: Any, access: Any, repeat: int) -> ExcelReport:
    from reports.excel import write_period_workbook

    def ours() -> None:
        with _scratch() as out:
            write_period_workbook(period, access, out)

    with _scratch() as out:
        write_period_workbook(period, access, out)
        out.seek(0)
        sheets = workbook_cells(out)

    def bare(formats: bool) -> Callable[[], None]:
        def write() -> None:
            with _scratch() as out:
                write_bare_workbook(sheets, out, formats=formats)

        return write

    mine, plain, formatted = interleaved([ours, bare(False), bare(True)], repeat)
    return ExcelReport(
        mine,
        plain,
        formatted,
        sheets=len(sheets),
        rows=sum(len(s.rows) for s in sheets),
        cells=sum(1 for s in sheets for row in s.rows for value in row if value is not None),
        formatted_cells=sum(len(f) for s in sheets for f in s.formats),
    )


# ---- PDF --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfReport:
    compared: Compared
    pages: int

    def per_page(self, timed: Timed) -> float:
        return timed.ms / self.pages


def measure_pdf(period: Any, access: Any, repeat: int) -> PdfReport:
    """Our decision PDF against WeasyPrint alone on the HTML our writer produces."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from reports.pdf import STATIC_DIR, STYLES, decision_html, write_decision_pdf

    def ours() -> None:
        with _scratch() as out:
            write_decision_pdf(period, access, out)

    html = decision_html(period, access)
    base_url = STATIC_DIR.as_uri() + "/"
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=STYLES.read_text(encoding="utf-8"), base_url=base_url, font_config=fonts)
    pages = [0]

    def bare() -> None:
        document = weasyprint.HTML(string=html, base_url=base_url).render(stylesheets=[css], font_config=fonts)
        with _scratch() as out:
            document.write_pdf(out)
        pages[0] = len(document.pages)

    return PdfReport(compare(ours, bare, repeat), pages[0])


# ---- memory: each export once in a fresh process ------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    ready_mib: float  # resident once ready to export
    peak_mib: float  # the peak during the export
    seconds: float
    file_kib: float

    @property
    def growth_mib(self) -> float:
        return self.peak_mib - self.ready_mib


def _memory_mib(name: str) -> float:
    """VmRSS (resident now) or VmHWM (its peak) of this process, from Linux's /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {name} in /proc/self/status")


def _reset_peak() -> None:
    """Start VmHWM again from what is resident now. ru_maxrss cannot be reset, and a child started by
    subprocess may even count its parent's memory in it (what was resident when it replaced its image)."""
    Path("/proc/self/clear_refs").write_text("5")


def measure_memory(kind: str, period: Any, user: Any) -> Memory:
    """Run ``kind``'s export in a fresh process on the current database (its data must be committed)."""
    from django.db import connection

    command = [
        sys.executable,
        "-m",
        "benchmarks.reports",
        "--memory-of",
        kind,
        "--period",
        str(period.pk),
        "--user",
        str(user.pk),
        "--database",
        str(connection.settings_dict["NAME"]),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"memory of {kind} failed:\n{done.stderr}")
    return Memory(**json.loads(done.stdout.strip().splitlines()[-1]))


def _warm_up(kind: str) -> None:
    """What a process pays once whatever the size: the libraries imported, WeasyPrint's fonts loaded."""
    import io

    if kind == "xlsx":
        from parindex.xlsx import new_workbook

        new_workbook().save(io.BytesIO())
    elif kind == "quyet-dinh-pdf":
        from reports.pdf import html_to_pdf
        from reports.pdf_join import PdfJoin

        page = io.BytesIO()
        html_to_pdf("<p>Quyết định</p>", page)
        joined = PdfJoin(io.BytesIO())
        joined.add(page.getvalue())  # pypdf imported
        joined.finish()
    else:
        from docx import Document

        from reports.charts import bar_chart
        from reports.raster import svg_to_png

        Document().save(io.BytesIO())
        svg_to_png(bar_chart([], title="Chỉ số CCHC (%)"))  # cairo loaded, fontconfig's fonts read


def memory_child(kind: str, period_pk: int, user_pk: int, database: str) -> None:
    """The fresh process of ``measure_memory``: prints one JSON line."""
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import translation

    connection.settings_dict["NAME"] = database  # the parent's throwaway (or test) database
    from assessments.models import Period
    from reports.access import ranking_access
    from reports.exports import EXPORTS

    with translation.override(settings.LANGUAGE_CODE):  # as the export job (reports.jobs.run_export)
        period = Period.objects.get(pk=period_pk)
        access = ranking_access(get_user_model().objects.get(pk=user_pk), period)
        _warm_up(kind)
        gc.collect()
        _reset_peak()
        ready = _memory_mib("VmRSS")
        start = time.perf_counter()
        with _scratch() as out:
            EXPORTS[kind].writer(period, access, out, None)
            written = out.tell()
        seconds = time.perf_counter() - start
    figures = {"ready_mib": ready, "peak_mib": _memory_mib("VmHWM"), "seconds": seconds, "file_kib": written / 1024}
    print(json.dumps(figures))


# ---- one size -----------------------------------------------------------------------------------------------


@dataclass
class SizeReport:
    size: int
    database: str
    generated_s: float
    ranking: RankingReport
    excel: ExcelReport
    pdf: PdfReport
    memory: dict[str, Memory] = field(default_factory=dict)  # by export kind


def measure_size(size: int, repeat: int, *, memory: bool = True) -> SizeReport:
    """Generate a province of ``size`` agencies in the current (empty) database and measure everything."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import translation

    from benchmarks.province import generate
    from reports.access import ranking_access

    start = time.perf_counter()
    with transaction.atomic():
        _last, current, people = generate(size)
    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum keeps them on a database in use: just after a bulk insert it
        # would still expect the empty tables and sort the score sums on disk (ranking ~1,5× slower at 800).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    generated = time.perf_counter() - start
    admin = people["admin"]
    access = ranking_access(admin, current)  # type: ignore[arg-type]
    ranking = measure_ranking(admin, current, repeat)
    with translation.override(settings.LANGUAGE_CODE):  # the exports are written as the job writes them
        excel = measure_excel(current, access, repeat)
        pdf = measure_pdf(current, access, repeat)
    report = SizeReport(size, connection.vendor, generated, ranking, excel, pdf)
    if memory:
        report.memory = {kind: measure_memory(kind, current, admin) for kind in EXPORT_KINDS}
    return report


# ---- what is printed ----------------------------------------------------------------------------------------


def size_lines(r: SizeReport) -> list[str]:
    ranking, excel, pdf = r.ranking, r.excel, r.pdf
    page = ranking.page
    lines = [
        f"== {r.size} agencies, {r.database} (generated in {r.generated_s:.1f} s)",
        f"  ranking computation:   {ranking.computation.ms:8.1f} ms  {ranking.computation.queries:2d} queries  "
        f"{ranking.groups} groups, {ranking.ranked} agencies  (target ≤ {RANKING_TARGET_MS} ms, queries constant)",
        f"  trivial page:          {page.bare.ms:8.1f} ms  {page.bare.queries:2d} queries  "
        "(benchmarks/urls.py: same middleware, logged in, no template)",
        f"  ranking page:          {page.ours.ms:8.1f} ms  {page.ours.queries:2d} queries  "
        f"{page.ratio:.1f}× trivial  (target: close to a trivial page; queries constant)",
        f"  Excel export:          {excel.ours.ms:8.1f} ms  {excel.ours.queries:2d} queries  "
        f"{excel.sheets} sheets, {excel.rows} rows, {excel.cells} cells ({excel.formatted_cells} with a number format)",
        f"    bare openpyxl:       {excel.bare.ms:8.1f} ms  {excel.ratio:.2f}× bare  (target ≤ {EXCEL_TARGET}×)",
        f"    bare + our formats:  {excel.formatted.ms:8.1f} ms  {excel.formatted_ratio:.2f}× bare with formats",
        f"  decision PDF:          {pdf.compared.ours.ms:8.1f} ms  {pdf.compared.ours.queries:2d} queries  "
        f"{pdf.pages} pages, {pdf.per_page(pdf.compared.ours):.1f} ms/page",
        f"    bare WeasyPrint:     {pdf.compared.bare.ms:8.1f} ms  {pdf.per_page(pdf.compared.bare):.1f} ms/page  "
        f"{pdf.compared.ratio:.2f}× bare  (target ≤ {PDF_TARGET}×)",
    ]
    for kind, label in EXPORT_KINDS.items():
        m = r.memory.get(kind)
        if m is not None:
            lines.append(
                f"  peak memory, {label + ':':14} {m.growth_mib:+7.1f} MiB over {m.ready_mib:.0f} MiB ready  "
                f"({m.seconds:.1f} s, {m.file_kib:.0f} KiB file; target: flat in the agency count)"
            )
    return lines


def summary_lines(reports: list[SizeReport]) -> list[str]:
    """One table: a row per figure, a column per size, the target last."""

    def row(name: str, figure: Callable[[SizeReport], str], target: str = "") -> tuple[str, list[str], str]:
        return name, [figure(r) for r in reports], target

    rows = [
        row("ranking computation (ms)", lambda r: f"{r.ranking.computation.ms:.1f}", f"≤ {RANKING_TARGET_MS}"),
        row("ranking queries", lambda r: str(r.ranking.computation.queries), "constant"),
        row("ranking page (ms)", lambda r: f"{r.ranking.page.ours.ms:.1f}"),
        row("ranking page / trivial page", lambda r: f"{r.ranking.page.ratio:.1f}×", "close to 1×"),
        row("ranking page queries", lambda r: str(r.ranking.page.ours.queries), "constant"),
        row("Excel export (ms)", lambda r: f"{r.excel.ours.ms:.0f}"),
        row("Excel / bare openpyxl", lambda r: f"{r.excel.ratio:.2f}×", f"≤ {EXCEL_TARGET}×"),
        row("Excel / bare with formats", lambda r: f"{r.excel.formatted_ratio:.2f}×"),
        row("decision PDF pages", lambda r: str(r.pdf.pages)),
        row("decision PDF (ms/page)", lambda r: f"{r.pdf.per_page(r.pdf.compared.ours):.0f}"),
        row("PDF / bare WeasyPrint", lambda r: f"{r.pdf.compared.ratio:.2f}×", f"≤ {PDF_TARGET}×"),
    ]

    def growth(kind: str) -> Callable[[SizeReport], str]:
        return lambda r: f"+{r.memory[kind].growth_mib:.1f}" if kind in r.memory else "–"

    rows += [row(f"peak memory, {label} (MiB)", growth(kind), "flat") for kind, label in EXPORT_KINDS.items()]
    width = max(len(name) for name, _figures, _target in rows)
    lines = [
        "== summary (" + ", ".join(sorted({r.database for r in reports})) + ")",
        "  " + " " * width + "".join(f"{r.size:>9} ag." for r in reports) + "   target",
    ]
    lines += [
        f"  {name:{width}}" + "".join(f"{f:>13}" for f in figures) + f"   {target}" for name, figures, target in rows
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200,800")
    parser.add_argument("--repeat", type=int, default=5)
    # Internal: the fresh process of one memory measurement (measure_memory).
    parser.add_argument("--memory-of", choices=sorted(EXPORT_KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--period", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_of:
        memory_child(args.memory_of, args.period, args.user, args.database)
        return
    django_setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    print(f"benchmarks.reports: medians of {args.repeat} interleaved runs after a warm-up")
    reports = []
    for size in (int(s) for s in args.sizes.split(",")):
        with throwaway_database():
            reports.append(measure_size(size, args.repeat))
        print("\n" + "\n".join(size_lines(reports[-1])), flush=True)
    print("\n" + "\n".join(summary_lines(reports)))


if __name__ == "__main__":
    main()

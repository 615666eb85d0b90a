"""benchmarks.reports still measures what it prints: at two tiny provinces every line of its report is there with
sane figures, and nothing that must stay constant grows with the number of agencies. (The figures themselves
are the benchmark's business, not the test's: times are only checked to be real measurements.)"""

import re

import pytest
from django.core.management import call_command

from benchmarks.reports import EXPORT_KINDS, measure_size, size_lines, summary_lines

NUMBER = r"(\d+(?:\.\d+)?)"
# Each line of one size's report: its figures, in order.
LINES = {
    "ranking computation": rf"ranking computation:\s+{NUMBER} ms\s+(\d+) queries\s+3 groups, (\d+) agencies",
    "trivial page": rf"trivial page:\s+{NUMBER} ms\s+(\d+) queries",
    "ranking page": rf"ranking page:\s+{NUMBER} ms\s+(\d+) queries\s+{NUMBER}× trivial",
    "Excel export": rf"Excel export:\s+{NUMBER} ms\s+(\d+) queries\s+(\d+) sheets, (\d+) rows, (\d+) cells",
    "bare openpyxl": rf"bare openpyxl:\s+{NUMBER} ms\s+{NUMBER}× bare\s+\(target ≤ 1.5×\)",
    "bare with formats": rf"bare \+ our formats:\s+{NUMBER} ms\s+{NUMBER}× bare with formats",
    "decision PDF": rf"decision PDF:\s+{NUMBER} ms\s+(\d+) queries\s+(\d+) pages, {NUMBER} ms/page",
    "bare WeasyPrint": rf"bare WeasyPrint:\s+{NUMBER} ms\s+{NUMBER} ms/page\s+{NUMBER}× bare\s+\(target ≤ 1.2×\)",
}
MEMORY = rf"peak memory, {{label}}:\s+\+\s*{NUMBER} MiB over {NUMBER} MiB ready\s+\({NUMBER} s, {NUMBER} KiB file"


def figures(lines: list[str], pattern: str) -> list[float]:
    found = [m for line in lines if (m := re.search(pattern, line))]
    assert len(found) == 1, (pattern, lines)
    return [float(value) for value in found[0].groups()]


@pytest.mark.django_db(transaction=True)  # committed: the memory is measured in separate processes
def test_the_reports_benchmark_prints_every_figure_and_constant_query_counts():
    small = measure_size(4, repeat=1, memory=False)
    call_command("flush", interactive=False, verbosity=0)
    larger = measure_size(7, repeat=1)

    reports = {4: size_lines(small), 7: size_lines(larger)}
    parsed = {
        size: {name: figures(lines, pattern) for name, pattern in LINES.items()} for size, lines in reports.items()
    }
    for size, found in parsed.items():
        assert found["ranking computation"][2] == size
        times = [found[name][0] for name in LINES]
        assert all(ms > 0 for ms in times), (size, times)
        sheets, rows, cells = found["Excel export"][2:]
        assert sheets >= 5 and rows > 4 * sheets and cells > rows  # ranking, domain, matrix and survey sheets
        assert found["decision PDF"][2] >= 2  # the decision and its annex
        # A ratio printed is the quotient of the times printed beside it.
        assert found["ranking page"][2] == pytest.approx(found["ranking page"][0] / found["trivial page"][0], rel=0.06)
        assert found["bare openpyxl"][1] == pytest.approx(
            found["Excel export"][0] / found["bare openpyxl"][0], rel=0.06
        )
    # Query counts do not grow with the province.
    for name, position in (("ranking computation", 1), ("ranking page", 1), ("Excel export", 1), ("decision PDF", 1)):
        assert parsed[4][name][position] == parsed[7][name][position], name
    assert parsed[7]["Excel export"][3] > parsed[4]["Excel export"][3]  # more agencies, more rows

    assert not any("peak memory" in line for line in reports[4])  # not asked for at that size
    for label in EXPORT_KINDS.values():
        growth, ready, seconds, kib = figures(reports[7], MEMORY.format(label=label))
        assert ready > 20 and growth >= 0 and seconds > 0 and kib > 1, (label, growth, ready, seconds, kib)

    summary = summary_lines([small, larger])
    assert summary[0].startswith("== summary (") and re.search(r"4 ag\.\s+7 ag\.\s+target", summary[1])
    assert len(summary) == 2 + 11 + len(EXPORT_KINDS)
    assert re.search(r"ranking queries\s+(\d+)\s+\1\s+constant", "\n".join(summary))
    memory_rows = [line for line in summary if line.lstrip().startswith("peak memory")]
    assert all(re.search(r"–\s+\+\d+\.\d\s+flat$", line) for line in memory_rows), memory_rows

"""Reports at province scale: the ranking computation, the ranking page, the exports, and their memory.

    .venv/bin/python -m benchmarks.reports [--sizes 50,200,800] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex .venv/bin/python -m benchmarks.reports

A generated province (benchmarks/province.py): agencies in three ranking groups on the demo's two sets,
two periods (last year's published). Every figure is printed with a reference measured in the same run,
so the ratios hold on any machine. Targets (issue 9): ranking ≤ 100 ms in a constant number of queries;
the ranking page close to a trivial page; memory flat in the agency count.
"""

import argparse
import statistics
import time
from collections.abc import Callable

from benchmarks import django_setup, throwaway_database


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200,800")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    django_setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for size in sizes:
        with throwaway_database():
            from appraisal.results import period_results
            from benchmarks.province import generate

            start = time.perf_counter()
            with transaction.atomic():
                _last, current, _people = generate(size)
            print(f"\n== {size} agencies (generated in {time.perf_counter() - start:.1f} s)")
            with CaptureQueriesContext(connection) as ctx:
                groups = period_results(current)
            rows = sum(len(g.rows) for g in groups)
            ms = median_ms(lambda: period_results(current), args.repeat)  # noqa: B023 (called at once)
            print(
                f"  ranking computation: {ms:7.1f} ms  {len(ctx.captured_queries)} queries  "
                f"{len(groups)} groups, {rows} agencies  (target ≤ 100 ms)"
            )


if __name__ == "__main__":
    main()

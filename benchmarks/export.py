"""Time of the criteria set export (build_workbook) for sets of about 1 000, 5 000 and 10 000 nodes.

    .venv/bin/python -m benchmarks.export            (SQLite, a throwaway test database)

Linear means the time per node stays the same: the last column (ms per 1 000 nodes) should be flat,
and the 10 000 / 1 000 ratio close to 10 (it was ~48 with the quadratic export).
"""

import time
from decimal import Decimal

from benchmarks import django_setup, throwaway_database


def main() -> None:
    django_setup()

    with throwaway_database():
        from criteria.excel import build_workbook
        from criteria.services import index_set_create
        from criteria.tree import NodeRow

        times = {}
        for domains in (10, 50, 100):  # x (1 + 100) nodes: 1 010, 5 050, 10 100
            rows = []
            for d in range(1, domains + 1):
                rows.append(NodeRow(code=str(d), title=f"Lĩnh vực {d}", max_points=Decimal(100)))
                rows.extend(
                    NodeRow(
                        code=f"{d}.{c}",
                        title=f"Tiêu chí {d}.{c}: nội dung dài vừa phải như trong quyết định",
                        max_points=Decimal(1),
                        method="manual",
                        guidance="Hướng dẫn chấm điểm",
                    )
                    for c in range(1, 101)
                )
            index_set = index_set_create(name=f"Bộ {domains}", agency_kind="department", year_from=2026, rows=rows)
            start = time.perf_counter()
            size = len(build_workbook(index_set))
            times[len(rows)] = elapsed = time.perf_counter() - start
            per_thousand = elapsed / len(rows) * 1e6
            print(f"  {len(rows):6d} nodes: {elapsed:6.2f} s  {size / 1024:7.0f} KiB  {per_thousand:6.0f} ms/1000")
        counts = sorted(times)
        print(f"  ratio {counts[-1]} / {counts[0]} nodes: {times[counts[-1]] / times[counts[0]]:.1f}× (linear: ~10×)")


if __name__ == "__main__":
    main()

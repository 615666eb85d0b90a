"""Server time of the scoring sheet and of a leaf save, median of repeated requests, with query counts.

    .venv/bin/python -m benchmarks.sheet [--repeat 30]            (SQLite, a throwaway test database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex .venv/bin/python -m benchmarks.sheet

Uses the department sample set from fixtures/ (about 120 leaves). A trivial authenticated page
(the "my assessments" list) is timed in the same run, so the ratios hold on any machine.
"""

import argparse
import datetime
import statistics
import time
from collections.abc import Callable

from benchmarks import django_setup, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponseBase
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with throwaway_database():
        from assessments.models import Agency
        from assessments.services import period_open, period_save
        from criteria.jsonio import load_index_set_file
        from demo.data import FIXTURES, load_agencies, load_users

        index_set = load_index_set_file(FIXTURES / "indexset_department.json")
        load_agencies()
        load_users()
        agencies = list(Agency.objects.filter(is_active=True, kind="department"))
        deadline = timezone.now() + datetime.timedelta(days=30)
        period = period_save(
            year=2026, name="Benchmark", index_sets=[index_set], agencies=agencies, self_assessment_deadline=deadline
        )
        period_open(period=period)
        assessment = period.assessments.get(agency__name="Sở Khoa học và Công nghệ")
        leaves = assessment.scores.filter(node__is_survey=False).count()
        client = Client()
        client.force_login(assessment.agency.role_assignments.get(role="officer").user)
        score = assessment.scores.get(node__method="manual", node__code="1.5.1")

        def timed(fn: Callable[[], HttpResponseBase]) -> tuple[float, int]:
            samples, queries = [], 0
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    response = fn()
                    samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
                queries = len(ctx)
            return statistics.median(samples), queries

        sheet_url = reverse("assessments:sheet", args=[assessment.pk])
        save_url = reverse("assessments:leaf_save", args=[assessment.pk, score.pk])
        trivial = timed(lambda: client.get(reverse("assessments:mine")))
        sheet = timed(lambda: client.get(sheet_url))
        state = {"v": score.version}

        def save() -> HttpResponseBase:
            response = client.post(
                save_url, {"version": state["v"], "self_points": "0,5" if state["v"] % 2 else "0,25"}
            )
            state["v"] += 1
            return response

        saved = timed(save)
        print(f"database: {connection.vendor}; sheet of {leaves} self-scored leaves; median of {args.repeat} requests")
        print(f"  trivial authenticated page: {trivial[0]:7.1f} ms  {trivial[1]:3d} queries")
        for label, (ms, queries) in (("scoring sheet (GET):", sheet), ("leaf save (POST):", saved)):
            print(f"  {label:27} {ms:7.1f} ms  {queries:3d} queries  ({ms / trivial[0]:.1f}× trivial)")
        print("  reference peer (CISO Assistant, 170 nodes): ~380 ms, 688 queries; trivial ~15 ms (25×)")


if __name__ == "__main__":
    main()

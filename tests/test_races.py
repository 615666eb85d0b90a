"""Workflow rules under concurrency: real parallel connections (threads), on SQLite and PostgreSQL alike.

Each thread has its own database connection, so these tests need committed data (``transaction=True``).
Before the services locked the sheet, 20 parallel submits recorded 20 submissions on PostgreSQL and a
score saved while the head submitted could land after the submission.
"""

import itertools
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection

from assessments.models import Assessment, AssessmentState, Evidence, Score, ScoreChange, Transition
from assessments.scoring import LeafInput
from assessments.services import (
    ScoreEdit,
    StaleScore,
    assessment_mark_ready,
    assessment_recall,
    assessment_submit,
    score_save,
)
from assessments.workflow import WorkflowError
from evidence.services import evidence_add_document

from .factories import assessment_of, fill_sheet, open_period

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def run_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Run the jobs in threads released together by a barrier; each result is the value or the exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # the test inspects what each request met
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    close_old_connections()
    return results


@pytest.fixture
def sheet(agency, other_agency, users):
    assessment = assessment_of(open_period(agency, other_agency), agency)
    fill_sheet(assessment, users["officer"])
    return assessment


def kinds(results: list[object]) -> Counter[str]:
    return Counter("ok" if r is None else type(r).__name__ for r in results)


def test_parallel_submits_record_exactly_one_submission(sheet, users):
    results = run_at_once([lambda: assessment_submit(assessment=sheet, user=users["head"])] * THREADS)
    assert kinds(results) == {"ok": 1, "WorkflowError": THREADS - 1}
    assert Transition.objects.filter(assessment=sheet, action="submit").count() == 1
    assert Assessment.objects.get(pk=sheet.pk).state == AssessmentState.SUBMITTED


def test_parallel_recalls_record_exactly_one_recall(sheet, users):
    assessment_submit(assessment=sheet, user=users["head"])
    results = run_at_once([lambda: assessment_recall(assessment=sheet, user=users["head"])] * THREADS)
    assert kinds(results) == {"ok": 1, "WorkflowError": THREADS - 1}
    assert Transition.objects.filter(assessment=sheet, action="recall").count() == 1
    assert Assessment.objects.get(pk=sheet.pk).state == AssessmentState.DRAFT


def test_submit_and_recall_at_once_leave_a_consistent_history(sheet, users):
    """Half submit, half recall: whatever the order, the transitions recorded chain from state to state."""
    jobs = [lambda: assessment_submit(assessment=sheet, user=users["head"])] * (THREADS // 2) + [
        lambda: assessment_recall(assessment=sheet, user=users["head"])
    ] * (THREADS // 2)
    run_at_once(jobs)
    chain = list(Transition.objects.filter(assessment=sheet).order_by("at", "pk").values_list("from_state", "to_state"))
    for (_, to_state), (from_state, _) in itertools.pairwise(chain):
        assert to_state == from_state
    assert chain[-1][1] == Assessment.objects.get(pk=sheet.pk).state


def test_saves_racing_a_submit_land_before_it_or_are_refused(sheet, users):
    """Officers keep saving their leaves while the head submits: no score change may follow the submission."""
    scores = list(sheet.scores.select_related("node").filter(node__method="manual", node__is_survey=False))
    assert scores, "the compact set has manual leaves"

    def keep_saving(score: Score) -> object:
        version, saved = score.version, 0
        for i in range(40):
            points = score.max_points * (i % 2)  # 0 or the max: valid whatever the leaf's step
            try:
                score = score_save(
                    score=score,
                    edit=ScoreEdit(value=LeafInput(self_points=points), note="Thuyết minh"),
                    version=version,
                    user=users["officer"],
                )
            except WorkflowError:
                return ("refused after", saved)
            except StaleScore as stale:
                score = stale.current
            version = score.version
            saved += 1
        return ("never refused", saved)

    jobs: list[Callable[[], object]] = [lambda s=s: keep_saving(s) for s in scores for _ in range(2)]
    jobs.append(lambda: assessment_submit(assessment=sheet, user=users["head"]))
    results = run_at_once(jobs)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, WorkflowError)], results
    submitted = Transition.objects.get(assessment=sheet, action="submit")
    late = ScoreChange.objects.filter(score__assessment=sheet, changed_at__gt=submitted.at)
    assert not late.exists(), list(late.values("score__node__code", "changed_at"))
    # Every save the services accepted is in the history; none after the sheet was submitted.
    assert Assessment.objects.get(pk=sheet.pk).state == AssessmentState.SUBMITTED


def test_mark_ready_and_evidence_racing_a_submit_never_follow_it(sheet, users):
    score = sheet.scores.get(node__code="1.1")
    jobs: list[Callable[[], object]] = [
        lambda: evidence_add_document(assessment=sheet, score=score, user=users["officer"], doc_number="12/KH-UBND")
    ] * 4
    jobs += [lambda: assessment_mark_ready(assessment=sheet, user=users["officer"])] * 4
    jobs.append(lambda: assessment_submit(assessment=sheet, user=users["head"]))
    run_at_once(jobs)
    submitted = Transition.objects.get(assessment=sheet, action="submit")
    assert not Transition.objects.filter(assessment=sheet, at__gt=submitted.at).exists()
    assert not Evidence.objects.filter(assessment=sheet, uploaded_at__gt=submitted.at).exists()

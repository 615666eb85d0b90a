"""The services decide *when*: each transition and write is checked against the stored state, whoever calls
it (a view, the demo, a shell), and a refused one records nothing. History cannot be erased."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentState,
    Evidence,
    Period,
    Score,
    ScoreChange,
    Transition,
    TransitionAction,
)
from assessments.scoring import LeafInput
from assessments.services import (
    ScoreEdit,
    assessment_extend,
    assessment_mark_ready,
    assessment_recall,
    assessment_submit,
    score_save,
)
from assessments.workflow import TRANSITIONS, WorkflowError, state_refusal
from evidence.services import evidence_add_document
from parindex.appendonly import HistoryIsAppendOnly

from .factories import assessment_of, fill_sheet, open_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(agency, other_agency):
    return assessment_of(open_period(agency, other_agency), agency)


def counts(assessment: Assessment) -> tuple[int, int, int, str]:
    return (
        Transition.objects.filter(assessment=assessment).count(),
        ScoreChange.objects.filter(score__assessment=assessment).count(),
        Evidence.objects.filter(assessment=assessment).count(),
        Assessment.objects.get(pk=assessment.pk).state,
    )


def save_points(assessment: Assessment, user, points: str = "0.5") -> Score:
    score = assessment.scores.get(node__code="1.1")
    return score_save(
        score=score, edit=ScoreEdit(value=LeafInput(self_points=Decimal(points))), version=score.version, user=user
    )


def test_the_table_covers_every_action_and_refuses_every_other_state():
    assert set(TRANSITIONS) == set(TransitionAction.values)
    for action, step in TRANSITIONS.items():
        for state in set(AssessmentState.values) - step.sources:
            a = Assessment(state=state, period=Period(state="open", self_assessment_deadline=None))
            assert state_refusal(a, action) is not None, (action, state)


def test_recalling_a_draft_is_refused_and_records_nothing(assessment, users):
    # Before: the service recorded a draft → draft "recall".
    before = counts(assessment)
    with pytest.raises(WorkflowError, match="Chỉ rút lại được bản đã gửi"):
        assessment_recall(assessment=assessment, user=users["head"])
    assert counts(assessment) == before


def test_submitting_twice_is_refused_the_second_time(assessment, users):
    fill_sheet(assessment, users["officer"])
    assessment_submit(assessment=assessment, user=users["head"])
    before = counts(assessment)
    with pytest.raises(WorkflowError):
        assessment_submit(assessment=assessment, user=users["head"])
    assert counts(assessment) == before == (before[0], before[1], 0, "submitted")


def test_scores_evidence_and_ready_are_refused_on_a_submitted_sheet(assessment, users):
    fill_sheet(assessment, users["officer"])
    assessment_submit(assessment=assessment, user=users["head"])
    stale = Assessment.objects.get(pk=assessment.pk)
    stale.state = AssessmentState.DRAFT  # what a request read before the head submitted
    before = counts(assessment)
    with pytest.raises(WorkflowError, match="đã gửi"):
        save_points(stale, users["officer"])
    with pytest.raises(WorkflowError):
        evidence_add_document(
            assessment=stale, score=stale.scores.get(node__code="1.1"), user=users["officer"], doc_number="1/KH"
        )
    with pytest.raises(WorkflowError):
        assessment_mark_ready(assessment=stale, user=users["officer"])
    assert counts(assessment) == before


def test_a_save_after_the_deadline_is_refused(assessment, users):
    Period.objects.filter(pk=assessment.period_id).update(
        self_assessment_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    before = counts(assessment)
    with pytest.raises(WorkflowError, match="quá hạn"):
        save_points(assessment, users["officer"])
    assert counts(assessment) == before


def test_an_extension_earlier_than_the_common_deadline_is_refused(assessment, users):
    common = assessment.period.self_assessment_deadline
    with pytest.raises(Exception, match="gia hạn phải sau hạn đó"):
        assessment_extend(assessment=assessment, user=users["admin"], until=common - datetime.timedelta(days=1))
    assert Assessment.objects.get(pk=assessment.pk).deadline_extended_to is None
    assert not Transition.objects.filter(assessment=assessment).exists()
    assessment_extend(assessment=assessment, user=users["admin"], until=common + datetime.timedelta(days=3))
    assert Assessment.objects.get(pk=assessment.pk).deadline_extended_to == common + datetime.timedelta(days=3)


def test_history_rows_cannot_be_changed_or_deleted(assessment, users):
    save_points(assessment, users["officer"])
    assessment_mark_ready(assessment=assessment, user=users["officer"])
    change, transition = ScoreChange.objects.get(), Transition.objects.get()
    for obj, qs in ((change, ScoreChange.objects.all()), (transition, Transition.objects.all())):
        with pytest.raises(HistoryIsAppendOnly):
            obj.save()
        with pytest.raises(HistoryIsAppendOnly):
            obj.delete()
        with pytest.raises(HistoryIsAppendOnly):
            qs.delete()
        with pytest.raises(HistoryIsAppendOnly):
            qs.update(note="") if obj is transition else qs.update(changes={})
    assert (ScoreChange.objects.count(), Transition.objects.count()) == (1, 1)


@pytest.mark.parametrize("entered", ["score", "transition", "evidence"])
def test_an_assessment_with_anything_entered_cannot_be_deleted(assessment, users, entered):
    if entered == "score":
        save_points(assessment, users["officer"])
    elif entered == "transition":
        assessment_mark_ready(assessment=assessment, user=users["officer"])
    else:
        evidence_add_document(
            assessment=assessment, score=assessment.scores.first(), user=users["officer"], doc_number="1/KH"
        )
    before = counts(assessment)
    with pytest.raises(ProtectedError):
        Assessment.objects.get(pk=assessment.pk).delete()
    with pytest.raises(ProtectedError):
        Period.objects.get(pk=assessment.period_id).delete()
    assert counts(assessment) == before and Score.objects.filter(assessment=assessment).count() > 0


def test_a_person_named_in_history_cannot_be_deleted(assessment, users):
    save_points(assessment, users["officer"])
    with pytest.raises(ProtectedError):
        users["officer"].delete()
    assert ScoreChange.objects.get().changed_by == users["officer"]


def test_extension_page_refuses_an_earlier_date_and_names_the_new_one(client, users, assessment):
    client.force_login(users["admin"])
    url = reverse("assessments:extend", args=[assessment.pk])
    common = timezone.localtime(assessment.period.self_assessment_deadline)
    earlier = common - datetime.timedelta(days=2)
    response = client.post(url, {"until": f"{earlier:%d/%m/%Y %H:%M}"}, follow=True)
    assert "gia hạn phải sau hạn đó" in response.text and "Đã gia hạn" not in response.text
    assert Assessment.objects.get(pk=assessment.pk).deadline_extended_to is None
    later = common + datetime.timedelta(days=5)
    response = client.post(url, {"until": f"{later:%d/%m/%Y %H:%M}"}, follow=True)
    assert f"đến {later:%d/%m/%Y %H:%M}" in response.text
    assert Assessment.objects.get(pk=assessment.pk).deadline_extended_to is not None


def test_a_save_that_meets_a_submission_shows_why_and_keeps_the_typed_value(client, users, assessment, monkeypatch):
    """The page was loaded as a draft; the head submitted before the save reached the service."""
    fill_sheet(assessment, users["officer"])
    stale = Assessment.objects.select_related("period", "agency", "index_set").get(pk=assessment.pk)
    assessment_submit(assessment=assessment, user=users["head"])
    monkeypatch.setattr("assessments.views.get_assessment_for_user", lambda *args: stale)
    score = assessment.scores.get(node__code="1.1")
    client.force_login(users["officer"])
    response = client.post(
        reverse("assessments:leaf_save", args=[assessment.pk, score.pk]),
        {"version": str(score.version), "self_points": "0,5", "note": "Ghi chú mới"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "đã gửi" in response.text and "Ghi chú mới" in response.text
    assert Score.objects.get(pk=score.pk).note == "Thuyết minh"

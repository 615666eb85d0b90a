"""The council's core writes through the services: who may appraise which leaf, in which round, and what
the database keeps (entries appended, the score's current appraisal, the version)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appraisal.assignments import AssignmentMap
from appraisal.models import AppraisalEntry, ExplanationRequest, ReviewAssignment
from appraisal.services import (
    AppraisalEdit,
    appraisal_save,
    assignment_save,
    explanation_request,
    period_start_appraisal,
    uncovered_leaves,
)
from assessments.models import AssessmentState, PeriodState, Score
from assessments.services import StaleScore
from assessments.workflow import WorkflowError
from organisations.models import Role

from .factories import appraisal_period, make_user, open_period

D = Decimal


@pytest.fixture
def period(users, agency, other_agency):
    return appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])


def leaf(period, agency, code="1.1"):
    return Score.objects.select_related("node").get(
        assessment__period=period, assessment__agency=agency, node__code=code
    )


@pytest.mark.django_db
def test_start_moves_every_sheet_into_round_one(period):
    assert period.state == PeriodState.APPRAISAL
    assert set(period.assessments.values_list("state", flat=True)) == {AssessmentState.UNDER_APPRAISAL}


@pytest.mark.django_db
def test_an_entry_is_appended_and_becomes_the_current_appraisal(period, users, agency):
    score = leaf(period, agency)
    appraisal_save(
        score=score,
        edit=AppraisalEdit(points=D("0.25"), comment="Thiếu văn bản"),
        version=score.version,
        user=users["reviewer"],
    )
    score.refresh_from_db()
    first = score.version
    appraisal_save(score=score, edit=AppraisalEdit(points=D("0.5")), version=score.version, user=users["reviewer"])
    score.refresh_from_db()
    assert (score.appraised_points, score.appraisal_round, score.version) == (D("0.5"), 1, first + 1)
    assert list(AppraisalEntry.objects.filter(score=score).values_list("points", "comment")) == [
        (D("0.25"), "Thiếu văn bản"),
        (D("0.5"), ""),
    ]
    with pytest.raises(StaleScore):
        appraisal_save(score=score, edit=AppraisalEdit(points=D(0)), version=first, user=users["reviewer"])
    assert AppraisalEntry.objects.filter(score=score).count() == 2


@pytest.mark.django_db
def test_points_outside_the_leaf_are_refused(period, users, agency):
    score = leaf(period, agency)
    for points in (D(-1), score.max_points + 1, D("0.1")):
        with pytest.raises(ValidationError):
            appraisal_save(
                score=score, edit=AppraisalEdit(points=points), version=score.version, user=users["reviewer"]
            )
    assert not AppraisalEntry.objects.exists()


@pytest.mark.django_db
def test_an_unassigned_leaf_and_the_reviewers_own_agency_are_refused(period, users, agency, other_agency):
    score = leaf(period, agency)
    stranger = make_user("thamdinh.khac", Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        appraisal_save(score=score, edit=AppraisalEdit(points=D(0)), version=score.version, user=stranger)
    # A reviewer of the agency whose sheet it is, even when the leaf is assigned to them by name.
    insider = make_user("thamdinh.noibo", Role.REVIEWER, agency)
    assignment_save(period=period, node=score.node, reviewer=insider, user=users["admin"])
    with pytest.raises(PermissionDenied):
        appraisal_save(score=score, edit=AppraisalEdit(points=D(0)), version=score.version, user=insider)
    # ... who may still appraise the same leaf on another agency's sheet.
    other = leaf(period, other_agency)
    appraisal_save(score=other, edit=AppraisalEdit(points=D(0)), version=other.version, user=insider)
    assert list(AppraisalEntry.objects.values_list("score_id", "reviewer_id")) == [(other.pk, insider.pk)]


@pytest.mark.django_db
def test_deepest_assignment_wins_and_an_agency_row_wins_on_its_node(users, agency, other_agency):
    period = open_period(agency, other_agency)
    admin = users["admin"]
    nodes = {n.code: n for n in period.index_sets.get().index_set.nodes.all()}
    domain, criterion = nodes["2"], nodes["2.1.1"]
    first = make_user("tdv1", Role.REVIEWER)
    second = make_user("tdv2", Role.REVIEWER)
    third = make_user("tdv3", Role.REVIEWER)
    assignment_save(period=period, node=domain, reviewer=first, user=admin)
    assignment_save(period=period, node=criterion, reviewer=second, user=admin)
    assignment_save(period=period, node=domain, reviewer=third, for_agency=other_agency, user=admin)
    amap = AssignmentMap.for_period(period)
    leaf_11, leaf_12 = nodes["2.1.1.1"], nodes["2.1.2"]
    assert amap.resolve(leaf_11.pk, agency.pk).row.reviewer == second
    assert amap.resolve(leaf_11.pk, other_agency.pk).row.reviewer == second  # deeper beats agency-specific
    assert amap.resolve(leaf_12.pk, agency.pk).row.reviewer == first
    assert amap.resolve(leaf_12.pk, other_agency.pk).row.reviewer == third
    assert ReviewAssignment.objects.filter(period=period).count() == 3


@pytest.mark.django_db
def test_appraisal_cannot_start_with_uncovered_leaves(users, agency):
    period = open_period(agency)
    with pytest.raises(ValidationError, match="chưa có người thẩm định"):
        period_start_appraisal(period=period, user=users["admin"])
    assert uncovered_leaves(period)
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN


@pytest.mark.django_db
def test_requests_only_in_round_one_by_the_leafs_reviewer(period, users, agency):
    score = leaf(period, agency)
    explanation_request(score=score, kind="explain", text="Cung cấp kế hoạch", user=users["reviewer"])
    with pytest.raises(PermissionDenied):
        explanation_request(score=score, kind="explain", text="x", user=make_user("td.x", Role.REVIEWER))
    assert list(ExplanationRequest.objects.values_list("text", flat=True)) == ["Cung cấp kế hoạch"]


@pytest.mark.django_db
def test_no_appraisal_once_the_period_is_finalised(period, users, agency):
    score = leaf(period, agency)
    type(period).objects.filter(pk=period.pk).update(state=PeriodState.FINALISED)
    with pytest.raises(WorkflowError):
        appraisal_save(score=score, edit=AppraisalEdit(points=D(0)), version=score.version, user=users["reviewer"])
    assert not AppraisalEntry.objects.exists()

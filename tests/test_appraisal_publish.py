"""Finalisation and publication: the open items, the refusals, the frozen snapshot, unpublishing with a
reason, the public ranking; and who may reach each URL, asserting its effect on the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appraisal.explaining import explanation_answer, explanation_send, return_for_explanation
from appraisal.models import ExplanationRequest, Publication, PublishedResult
from appraisal.publishing import (
    period_checklist,
    period_finalise,
    period_publish,
    period_set_public_ranking,
    period_unpublish,
)
from appraisal.services import AppraisalEdit, appraisal_save, explanation_request
from assessments.models import AssessmentState, Period, PeriodState, Score, Transition, TransitionAction
from assessments.services import assessment_transition
from assessments.workflow import WorkflowError
from organisations.models import Role

from .factories import appraisal_period, make_user
from .test_appraisal_results import appraise, give_survey

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def period(users, agency, other_agency):
    return appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])


@pytest.fixture
def ready(period, users, agency, other_agency):
    """Everything appraised and every survey part entered: nothing open."""
    appraise(period, users["reviewer"], {"1.1": D(1)}, agency=agency)
    appraise(period, users["reviewer"], agency=other_agency)
    give_survey(period, D("1.5"))
    return period


def state(period: Period) -> tuple:
    """What the actions change: the period, its sheets, publications, snapshot rows, transitions."""
    period.refresh_from_db()
    return (
        period.state,
        period.public_ranking,
        tuple(period.assessments.order_by("pk").values_list("state", flat=True)),
        tuple(Publication.objects.filter(period=period).values_list("pk", "unpublished_at", "unpublish_reason")),
        PublishedResult.objects.filter(publication__period=period).count(),
        Transition.objects.filter(assessment__period=period).count(),
    )


# ---- the checklist and finalisation -----------------------------------------------------------------------


def test_checklist_names_every_open_item(period, users, agency, other_agency):
    score = Score.objects.get(assessment__period=period, assessment__agency=agency, node__code="1.1")
    explanation_request(score=score, kind="explain", text="Bổ sung kế hoạch", user=users["reviewer"])
    sheet = period.assessments.get(agency=agency)
    assessment_transition(sheet, TransitionAction.RETURN, users["admin"])
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=3))
    period.refresh_from_db()
    give_survey(period, D(1), agency=other_agency)

    checklist = period_checklist(period)
    assert [(i.agency_name, i.count) for i in checklist.unappraised] == [(agency.name, 5), (other_agency.name, 5)]
    assert [(i.agency_name, i.count) for i in checklist.unanswered] == [(agency.name, 1)]
    assert [(i.agency_name, i.count) for i in checklist.without_survey] == [(agency.name, 1)]
    # Past the explanation deadline the agency can no longer answer: not an open item any more.
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() - datetime.timedelta(days=1))
    period.refresh_from_db()
    assert period_checklist(period).unanswered == []
    assert ExplanationRequest.objects.count() == 1


def test_a_returned_sheet_answered_but_not_sent_is_open_until_the_deadline(ready, users, agency, client):
    """Every request answered is not the end of the explanation: until its head sends it (or the deadline
    passes) the agency may still change its answers and add evidence, so the period cannot be finalised."""
    score = Score.objects.get(assessment__period=ready, assessment__agency=agency, node__code="1.1")
    request = explanation_request(score=score, kind="explain", text="Bổ sung kế hoạch", user=users["reviewer"])
    Period.objects.filter(pk=ready.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=3))
    ready.refresh_from_db()
    return_for_explanation(period=ready, user=users["admin"])
    explanation_answer(request=request, text="Kế hoạch số 15/KH đã ban hành", user=users["officer"])

    checklist = period_checklist(ready)
    assert checklist.unanswered == []
    assert [(i.agency_name, i.count) for i in checklist.unsent] == [(agency.name, 1)]
    assert not checklist.is_clear
    before = state(ready)
    with pytest.raises(ValidationError) as refused:
        period_finalise(period=ready, user=users["admin"])
    assert "1 đơn vị đã trả lời đủ yêu cầu giải trình nhưng chưa gửi, và còn hạn giải trình." in refused.value.messages
    assert state(ready) == before
    # The publication page names the sheet, with a link to its explanation.
    client.force_login(users["admin"])
    page = client.get(reverse("appraisal:publication", args=[ready.pk])).text
    assert "đã trả lời đủ, chưa gửi giải trình" in page
    assert reverse("appraisal:answer", args=[score.assessment_id]) in page

    # Once the head sends it, nothing is open (round 2 may follow, but round 1 stands for every leaf).
    explanation_send(assessment=score.assessment, user=users["head"])
    assert period_checklist(ready).is_clear


def test_an_unsent_explanation_past_its_deadline_is_not_open(ready, users, agency):
    score = Score.objects.get(assessment__period=ready, assessment__agency=agency, node__code="1.1")
    request = explanation_request(score=score, kind="explain", text="Bổ sung kế hoạch", user=users["reviewer"])
    Period.objects.filter(pk=ready.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=3))
    ready.refresh_from_db()
    return_for_explanation(period=ready, user=users["admin"])
    explanation_answer(request=request, text="Kế hoạch số 15/KH đã ban hành", user=users["officer"])
    Period.objects.filter(pk=ready.pk).update(explanation_deadline=timezone.now() - datetime.timedelta(minutes=1))
    ready.refresh_from_db()
    # The agency can no longer change anything: what it answered is what round 2 works from.
    assert period_checklist(ready).is_clear
    assert period_finalise(period=ready, user=users["admin"]) == 2


def test_finalise_is_refused_with_open_items_listed(period, users, agency):
    appraise(period, users["reviewer"], agency=agency)  # the other agency is left unappraised
    before = state(period)
    with pytest.raises(ValidationError) as refused:
        period_finalise(period=period, user=users["admin"])
    text = " ".join(refused.value.messages)
    assert "Còn 5 tiêu chí chưa thẩm định ở 1 đơn vị." in text
    assert "2 đơn vị chưa có điểm điều tra xã hội học." in text
    assert state(period) == before


def test_finalise_locks_every_council_write(ready, users, agency):
    assert period_finalise(period=ready, user=users["admin"]) == 2
    ready.refresh_from_db()
    assert ready.state == PeriodState.FINALISED and ready.finalised_at is not None
    assert set(ready.assessments.values_list("state", flat=True)) == {AssessmentState.APPRAISED}
    assert Transition.objects.filter(action=TransitionAction.FINALISE).count() == 2
    score = Score.objects.get(assessment__period=ready, assessment__agency=agency, node__code="1.1")
    with pytest.raises(WorkflowError, match="đã chốt"):
        appraisal_save(score=score, edit=AppraisalEdit(points=D(0)), version=score.version, user=users["reviewer"])
    with pytest.raises(WorkflowError):
        explanation_request(score=score, kind="explain", text="x", user=users["reviewer"])
    score.refresh_from_db()
    assert score.appraised_points == D(1)
    with pytest.raises(ValidationError, match="đang thẩm định"):
        period_finalise(period=ready, user=users["admin"])


# ---- publication ------------------------------------------------------------------------------------------


def test_publish_is_refused_unless_finalised(ready, users):
    before = state(ready)
    with pytest.raises(ValidationError, match="đã chốt"):
        period_publish(period=ready, user=users["admin"])
    assert state(ready) == before


def test_publish_freezes_a_snapshot_that_later_changes_cannot_move(ready, users, agency, other_agency, client):
    period_finalise(period=ready, user=users["admin"])
    publication = period_publish(period=ready, user=users["admin"], decision="12/QĐ-UBND")
    ready.refresh_from_db()
    assert ready.state == PeriodState.PUBLISHED
    assert set(ready.assessments.values_list("state", flat=True)) == {AssessmentState.PUBLISHED}
    saved = {r.agency_id: r for r in PublishedResult.objects.filter(publication=publication)}
    # agency: 1.1 appraised 1 + 2.1.2 self 1 + survey 1,5 = 3,5 / 7 = 50 %; the other the same less 1.1.
    assert (saved[agency.pk].total, saved[agency.pk].index, saved[agency.pk].rank) == (D("3.5"), D(50), 1)
    assert (saved[other_agency.pk].index, saved[other_agency.pk].rank, saved[other_agency.pk].rank_of) == (
        D("35.71"),
        2,
        2,
    )
    assert saved[agency.pk].domains[0]["points"] == "1.00"

    period_set_public_ranking(period=ready, public=True)
    url = reverse("public:ranking", args=[ready.pk])
    assert "50,00" in client.get(url).text
    # A change after publication (writes are refused, so straight through the ORM) moves nothing published.
    Score.objects.filter(assessment__period=ready, assessment__agency=other_agency).update(appraised_points=1)
    page = client.get(url).text
    assert "35,71" in page and "92,86" not in page
    client.force_login(users["officer"])
    assert "35,71" in client.get(reverse("appraisal:results", args=[ready.pk])).text


def test_unpublish_needs_a_reason_and_records_it(ready, users):
    period_finalise(period=ready, user=users["admin"])
    period_publish(period=ready, user=users["admin"])
    before = state(ready)
    for reason in ("", "   "):
        with pytest.raises(ValidationError, match="lý do"):
            period_unpublish(period=ready, user=users["admin"], reason=reason)
    assert state(ready) == before
    publication = period_unpublish(period=ready, user=users["admin"], reason="Sai điểm điều tra của một đơn vị")
    ready.refresh_from_db()
    assert ready.state == PeriodState.FINALISED
    assert (
        publication.unpublish_reason == "Sai điểm điều tra của một đơn vị"
        and publication.unpublished_by == users["admin"]
    )
    assert set(ready.assessments.values_list("state", flat=True)) == {AssessmentState.APPRAISED}
    assert set(Transition.objects.filter(action=TransitionAction.UNPUBLISH).values_list("note", flat=True)) == {
        "Sai điểm điều tra của một đơn vị"
    }
    # Published again: a second publication, the first one kept with its reason.
    period_publish(period=ready, user=users["admin"])
    assert Publication.objects.filter(period=ready).count() == 2
    assert PublishedResult.objects.filter(publication__period=ready).count() == 4


def test_public_page_only_when_published_and_public(ready, users, client):
    url = reverse("public:ranking", args=[ready.pk])
    period_set_public_ranking(period=ready, public=True)
    assert client.get(url).status_code == 404  # in appraisal: nothing published
    period_finalise(period=ready, user=users["admin"])
    period_publish(period=ready, user=users["admin"])
    period_set_public_ranking(period=ready, public=False)
    assert client.get(url).status_code == 404
    period_set_public_ranking(period=ready, public=True)
    response = client.get(url)
    assert response.status_code == 200
    assert "Sở Khoa học và Công nghệ" in response.text and "1/2" in response.text
    # Only the ranking: no points per domain, no survey, no link into the app.
    assert "Điều tra XHH" not in response.text and "/danh-gia/" not in response.text


# ---- the permission matrix -------------------------------------------------------------------------------

ROLES = [
    "admin",
    "reviewer",
    "other_reviewer",
    "own_reviewer",
    "leadership",
    "head",
    "officer",
    "other_officer",
    "no_role",
]


@pytest.fixture
def people(users, agency):
    return {
        **users,
        "other_reviewer": make_user("thamdinh.khac", Role.REVIEWER),
        "own_reviewer": make_user("thamdinh.noibo", Role.REVIEWER, agency),
    }


def _expected(role: str, admin: int) -> int:
    return admin if role == "admin" else 403


# name → (method, the period's state before, POST data, the state the period should reach when admin acts)
ACTIONS = {
    "finalise": ("appraisal", {"confirm": "1"}, PeriodState.FINALISED),
    "publish": ("finalised", {"confirm": "1", "decision": "5/QĐ-UBND"}, PeriodState.PUBLISHED),
    "unpublish": ("published", {"confirm": "1", "reason": "Sai sót"}, PeriodState.FINALISED),
    "public_ranking_toggle": ("published", {"public": "1"}, PeriodState.PUBLISHED),
}
READS = ["publication", "results"]


def _bring(period: Period, target: str, admin) -> None:
    if target in ("finalised", "published"):
        period_finalise(period=period, user=admin)
    if target == "published":
        period_publish(period=period, user=admin)


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_actions_matrix(client, ready, people, role, name):
    start, data, reached = ACTIONS[name]
    _bring(ready, start, people["admin"])
    before = state(ready)
    client.force_login(people[role])
    response = client.post(reverse(f"appraisal:{name}", args=[ready.pk]), data)
    after = state(ready)
    if role == "admin":
        assert response.status_code == 302 and response["Location"] == reverse("appraisal:publication", args=[ready.pk])
        assert after != before and after[0] == reached
        if name == "public_ranking_toggle":
            assert after[1] is True
    else:
        assert response.status_code == 403, role
        assert after == before, role


@pytest.mark.parametrize("name", ["finalise", "publish", "unpublish"])
def test_actions_without_confirmation_only_ask(client, ready, people, name):
    start, data, _reached = ACTIONS[name]
    _bring(ready, start, people["admin"])
    before = state(ready)
    client.force_login(people["admin"])
    response = client.post(
        reverse(f"appraisal:{name}", args=[ready.pk]), {k: v for k, v in data.items() if k != "confirm"}
    )
    assert response.status_code == 200 and 'name="confirm" value="1"' in response.text
    for key, value in data.items():
        if key != "confirm":
            assert f'name="{key}" value="{value}"' in response.text  # carried to the confirmed post
    assert state(ready) == before


def test_unpublish_without_reason_is_refused_on_the_page(client, ready, people):
    _bring(ready, "published", people["admin"])
    before = state(ready)
    client.force_login(people["admin"])
    response = client.post(
        reverse("appraisal:unpublish", args=[ready.pk]), {"confirm": "1", "reason": " "}, follow=True
    )
    assert "Ghi lý do hủy công bố." in response.text
    assert state(ready) == before


def test_publication_page_matrix(client, period, people, agency):
    appraise(period, people["reviewer"], agency=agency)
    url = reverse("appraisal:publication", args=[period.pk])
    for role in ROLES:
        client.force_login(people[role])
        response = client.get(url)
        assert response.status_code == _expected(role, 200), role
        assert ("Sở Tư pháp</a>: 5 tiêu chí" in response.text) == (role == "admin"), role


def test_published_results_matrix(client, ready, people):
    """After publication every role sees the snapshot; a user without any role does not."""
    _bring(ready, "published", people["admin"])
    url = reverse("appraisal:results", args=[ready.pk])
    for role in ROLES:
        client.force_login(people[role])
        response = client.get(url)
        expected = 404 if role == "no_role" else 200
        assert response.status_code == expected, role
        assert ("Kết quả đã công bố" in response.text) == (expected == 200), role


def test_public_page_needs_no_login_and_shows_the_same_to_everyone(client, ready, people):
    _bring(ready, "published", people["admin"])
    period_set_public_ranking(period=ready, public=True)
    url = reverse("public:ranking", args=[ready.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 200 and "50,00" in anonymous.text
    for role in ROLES:
        client.force_login(people[role])
        assert "50,00" in client.get(url).text, role

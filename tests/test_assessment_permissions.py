"""Every assessment URL × every role → the expected status (an outsider gets 404, never a glimpse)."""

import pytest
from django.urls import reverse

from assessments.models import Assessment

from .factories import assessment_of, open_period

pytestmark = pytest.mark.django_db

ROLES = ["admin", "reviewer", "leadership", "head", "officer", "other_officer", "no_role"]


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


VIEW = row(200, 404, 404, 200, 200, 404, 404)  # a draft: its agency and the administrator
DRAFT = {
    ("get", "sheet"): VIEW,
    ("get", "leaf"): VIEW,
    ("get", "totals"): VIEW,
    ("get", "history"): VIEW,
    ("get", "submit"): VIEW,
    ("post", "leaf_save"): row(403, 404, 404, 200, 200, 404, 404),
    ("post", "mark_ready"): row(403, 404, 404, 302, 302, 404, 404),
    ("post", "submit"): row(403, 404, 404, 302, 403, 404, 404),
    ("post", "recall"): row(403, 404, 404, 403, 403, 404, 404),
    ("post", "extend"): row(302, 404, 404, 403, 403, 404, 404),
    ("get", "mine"): row(200, 200, 200, 200, 200, 200, 200),
    ("get", "periods"): row(200, 403, 200, 403, 403, 403, 403),
    ("get", "period_add"): row(200, 403, 403, 403, 403, 403, 403),
    ("get", "period_edit"): row(200, 403, 403, 403, 403, 403, 403),
    ("post", "period_edit"): row(200, 403, 403, 403, 403, 403, 403),  # 200: the form with its errors
    ("post", "period_open"): row(302, 403, 403, 403, 403, 403, 403),
    ("get", "progress"): row(200, 403, 200, 403, 403, 403, 403),
    ("get", "progress_export"): row(200, 403, 200, 403, 403, 403, 403),
}
SUBMITTED_VIEW = row(200, 200, 200, 200, 200, 404, 404)  # once submitted: province-wide readers too


@pytest.fixture
def assessment(agency, other_agency):
    return assessment_of(open_period(agency, other_agency), agency)


def url(name: str, assessment: Assessment) -> str:
    if name in {"mine", "periods", "period_add"}:
        return reverse(f"assessments:{name}")
    if name in {"period_open", "period_edit", "progress", "progress_export"}:
        return reverse(f"assessments:{name}", args=[assessment.period_id])
    if name == "leaf":
        return reverse("assessments:leaf", args=[assessment.pk, assessment.scores.first().pk])
    if name == "leaf_save":
        return reverse("assessments:leaf_save", args=[assessment.pk, assessment.scores.get(node__code="1.1").pk])
    return reverse(f"assessments:{name}", args=[assessment.pk])


DATA = {"leaf_save": {"version": "1", "self_points": "1"}, "extend": {"until": "01/01/2099 08:00"}}


@pytest.mark.parametrize(("method", "name"), list(DRAFT))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_on_a_draft(client, users, assessment, method, name, role):
    client.force_login(users[role])
    response = getattr(client, method)(url(name, assessment), DATA.get(name, {}))
    assert response.status_code == DRAFT[(method, name)][role]


@pytest.mark.parametrize("name", ["sheet", "leaf", "totals", "history", "submit"])
@pytest.mark.parametrize("role", ROLES)
def test_matrix_on_a_submitted_assessment(client, users, assessment, name, role):
    Assessment.objects.filter(pk=assessment.pk).update(state="submitted")
    client.force_login(users[role])
    assert client.get(url(name, assessment)).status_code == SUBMITTED_VIEW[role]


@pytest.mark.parametrize(("method", "name"), list(DRAFT))
def test_anonymous_is_sent_to_login(client, assessment, method, name):
    response = getattr(client, method)(url(name, assessment), DATA.get(name, {}))
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_other_agency_cannot_reach_a_leaf_through_its_own_assessment(client, users, assessment, other_agency):
    theirs = Assessment.objects.get(agency=other_agency)
    mine = assessment.scores.get(node__code="1.1")
    client.force_login(users["other_officer"])
    # their own assessment id with our score id: the score is not in that assessment
    response = client.post(
        reverse("assessments:leaf_save", args=[theirs.pk, mine.pk]), {"version": "1", "self_points": "1"}
    )
    assert response.status_code == 404
    assert assessment.scores.get(node__code="1.1").self_points is None

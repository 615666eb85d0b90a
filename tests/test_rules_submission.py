"""One rule for «what blocks submission»: the summary page lists exactly what assessment_submit refuses."""

import dataclasses

import pytest
from django.urls import reverse

from assessments.models import Assessment, AssessmentState, Evidence, EvidenceLink
from assessments.selectors import submission_check
from assessments.services import submission_problems
from criteria.services import index_set_create

from .factories import assessment_of, compact_rows, open_period

pytestmark = pytest.mark.django_db

ASKS_FOR_EVIDENCE = {"1.1", "1.2", "1.3", "2.1.1.1", "2.1.2"}


@pytest.fixture
def assessment(agency, other_agency) -> Assessment:
    """Every self-scored leaf asks for evidence; each is in a different state:

    1.1 scored, no evidence, explained in a note  → does not block
    1.2 «không áp dụng»                           → does not block
    1.3 not scored                                → blocks, as unscored only
    2.1.1.1 scored, no evidence, no note          → blocks, as unexplained
    2.1.2 scored, evidence attached, no note      → does not block
    """
    rows = [
        dataclasses.replace(row, evidence_required="Văn bản") if row.code in ASKS_FOR_EVIDENCE else row
        for row in compact_rows()
    ]
    index_set = index_set_create(name="Bộ cần tài liệu", agency_kind="department", year_from=2026, rows=rows)
    a = assessment_of(open_period(agency, other_agency, index_set=index_set), agency)
    scores = {s.node.code: s for s in a.scores.select_related("node")}
    for code, points, note in (
        ("1.1", 1, "Kế hoạch ban hành trong văn bản chung"),
        ("2.1.1.1", 1, ""),
        ("2.1.2", 1, ""),
    ):
        scores[code].self_points, scores[code].note = points, note
        scores[code].save()
    scores["1.2"].not_applicable, scores["1.2"].not_applicable_reason = True, "Không phát sinh"
    scores["1.2"].save()
    evidence = Evidence.objects.create(assessment=a, kind="document", doc_number="05/BC", doc_summary="Báo cáo")
    EvidenceLink.objects.create(evidence=evidence, score=scores["2.1.2"])
    return a


def codes(leaves) -> list[str]:
    return [leaf.node.code for leaf in leaves]


def test_the_summary_page_lists_exactly_what_blocks_submission(client, users, assessment):
    client.force_login(users["head"])
    page = client.get(reverse("assessments:submit", args=[assessment.pk]))
    assert codes(page.context["unscored"]) == ["1.3"]
    # 1.1 has no evidence but a note: the page used to list it, though submission does not stop on it.
    assert codes(page.context["unexplained"]) == ["2.1.1.1"]
    assert page.context["problems"] == submission_problems(assessment)
    assert submission_problems(assessment) == [
        "Còn 1 tiêu chí chưa chấm: 1.3.",
        "1 tiêu chí yêu cầu tài liệu kiểm chứng nhưng chưa có tài liệu và chưa có thuyết minh: 2.1.1.1.",
    ]
    assert (
        'href="{}#leaf-{}"'.format(
            reverse("assessments:sheet", args=[assessment.pk]), assessment.scores.get(node__code="2.1.1.1").pk
        )
        in page.text
    )


def test_submission_follows_the_same_lists(client, users, assessment):
    client.force_login(users["head"])
    url = reverse("assessments:submit", args=[assessment.pk])
    client.post(url, {"confirm": "1"})
    assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.DRAFT
    # Scored, 1.3 still has no evidence and no note: it moves from one list to the other.
    assessment.scores.filter(node__code="1.3").update(self_points=1)
    check = submission_check(assessment)
    assert (check.unscored_codes, check.unexplained_codes) == ([], ["1.3", "2.1.1.1"])
    assessment.scores.filter(node__code__in=["1.3", "2.1.1.1"]).update(note="Văn bản đang trình ký")
    check = submission_check(assessment)
    assert (check.unscored, check.unexplained) == ([], [])
    page = client.get(url)
    assert (page.context["unscored"], page.context["unexplained"], page.context["problems"]) == ([], [], [])
    client.post(url, {"confirm": "1"})
    assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.SUBMITTED


def test_the_check_reuses_leaves_already_loaded(assessment, django_assert_num_queries):
    from assessments.selectors import sheet_leaves

    leaves = sheet_leaves(assessment)
    with django_assert_num_queries(0):
        check = submission_check(assessment, leaves)
    assert (check.unscored_codes, check.unexplained_codes) == (["1.3"], ["2.1.1.1"])

"""Irreversible actions (open a period, submit a sheet, remove evidence) act only on confirm=1, which the
browser's dialog adds (static/js/confirm.js); without it the server asks, saying what follows, and changes
nothing. The dialog itself is tested in tests/test_browser_confirm.py."""

import html

import pytest
from django.urls import reverse

from assessments.models import Assessment, AssessmentState, Evidence, EvidenceLink, Period, PeriodState, Transition
from assessments.services import period_save
from evidence.services import evidence_add_document, evidence_link

from .factories import assessment_of, fill_sheet, make_index_set, open_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(agency, other_agency):
    return assessment_of(open_period(agency, other_agency), agency)


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_submit_without_confirmation_asks_and_changes_nothing(client, users, assessment):
    fill_sheet(assessment, users["officer"])
    client.force_login(users["head"])
    url = reverse("assessments:submit", args=[assessment.pk])
    response = client.post(url)
    assert response.status_code == 200
    page = text(response)
    assert "Gửi bản tự đánh giá của Sở Khoa học và Công nghệ tới Sở Nội vụ?" in page
    assert "không ai sửa được điểm, thuyết minh hay tài liệu kiểm chứng" in page
    assert "Lãnh đạo đơn vị có thể rút lại để sửa trước hạn" in page
    assert 'name="confirm" value="1"' in page
    assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.DRAFT
    assert not Transition.objects.filter(action="submit").exists()

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.SUBMITTED


def test_the_summary_page_asks_before_submitting_with_the_same_text(client, users, assessment):
    fill_sheet(assessment, users["officer"])
    client.force_login(users["head"])
    page = text(client.get(reverse("assessments:submit", args=[assessment.pk])))
    assert 'data-confirm="Gửi bản tự đánh giá của Sở Khoa học và Công nghệ tới Sở Nội vụ?' in page
    assert "js/confirm" in page


def test_an_officer_still_gets_403_not_a_confirmation(client, users, assessment):
    client.force_login(users["officer"])
    assert client.post(reverse("assessments:submit", args=[assessment.pk])).status_code == 403


@pytest.fixture
def setup_period(agency, other_agency):
    import datetime

    from django.utils import timezone

    return period_save(
        year=2027,
        name="Kỳ đánh giá 2027",
        index_sets=[make_index_set(name="Bộ 2027", year_from=2027)],
        agencies=[agency, other_agency],
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=30),
    )


def test_opening_a_period_without_confirmation_asks_and_changes_nothing(
    client, users, setup_period, django_assert_num_queries
):
    client.force_login(users["admin"])
    url = reverse("assessments:period_open", args=[setup_period.pk])
    # session, user, roles, the period, the unread notices for the menu's badge; nothing written
    with django_assert_num_queries(5):
        response = client.post(url)
    assert response.status_code == 200
    page = text(response)
    assert "Mở kỳ «Kỳ đánh giá 2027»?" in page
    assert "Mỗi đơn vị tham gia sẽ có bản tự đánh giá" in page and "không gửi thư báo" in page
    period = Period.objects.get(pk=setup_period.pk)
    assert (period.state, period.opened_at) == (PeriodState.SETUP, None)
    assert not Assessment.objects.filter(period=period).exists()

    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert Period.objects.get(pk=setup_period.pk).state == PeriodState.OPEN
    assert Assessment.objects.filter(period=setup_period).count() == 2


def test_the_periods_page_asks_before_opening(client, users, setup_period):
    client.force_login(users["admin"])
    page = text(client.get(reverse("assessments:periods")))
    assert 'data-confirm="Mở kỳ «Kỳ đánh giá 2027»?' in page and "js/confirm" in page


def test_removing_evidence_without_confirmation_asks_in_the_panel_and_keeps_it(client, users, assessment):
    officer = users["officer"]
    first, second = (assessment.scores.select_related("node").get(node__code=c) for c in ("1.1", "1.2"))
    shared = evidence_add_document(assessment=assessment, score=first, user=officer, doc_number="01/QĐ-UBND")
    evidence_link(evidence=shared, score=second)
    alone = evidence_add_document(assessment=assessment, score=first, user=officer, doc_number="02/KH-UBND")
    client.force_login(officer)

    url = reverse("evidence:unlink", args=[assessment.pk, first.pk, alone.pk])
    response = client.post(url)
    assert response.status_code == 200 and "HX-Trigger" not in response
    panel = text(response)
    assert "Không tiêu chí nào khác dùng văn bản này nên nó sẽ bị xóa hẳn" in panel
    assert EvidenceLink.objects.filter(evidence=alone, score=first).exists()

    # the panel's buttons carry the text of what follows: kept for the other leaf, or deleted
    panel = text(client.get(reverse("evidence:panel", args=[assessment.pk, first.pk])))
    assert "Tài liệu vẫn được giữ cho 1 tiêu chí khác đang dùng nó." in panel
    assert "tiêu chí 1.1?\nKhông tiêu chí nào khác dùng văn bản này" in panel

    assert client.post(url, {"confirm": "1"}).status_code == 200
    assert not Evidence.objects.filter(pk=alone.pk).exists()
    assert Evidence.objects.filter(pk=shared.pk).exists()

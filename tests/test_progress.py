"""Sở Nội vụ's progress page: every agency with state, coverage, totals, deadline; filters, sort, Excel."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import Assessment, Evidence, EvidenceLink

from .factories import make_agency, open_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(agency, other_agency):
    p = open_period(agency, other_agency, make_agency("UBND xã Minh Xuân", kind="department"), deadline_days=5)
    busy = Assessment.objects.get(period=p, agency=agency)
    for s in busy.scores.select_related("node").filter(node__code__in=["1.1", "1.2"]):
        s.self_points = s.max_points
        s.save()
    s11 = busy.scores.get(node__code="1.1")
    ev = Evidence.objects.create(
        assessment=busy, kind="document", doc_number="12/KH-SKHCN", doc_summary="Kế hoạch CCHC"
    )
    EvidenceLink.objects.create(evidence=ev, score=s11)
    late = Assessment.objects.get(period=p, agency=other_agency)
    late.deadline_extended_to = None
    late.save()
    return p


def test_rows_show_progress_and_totals(client, users, period, agency):
    client.force_login(users["admin"])
    response = client.get(reverse("assessments:progress", args=[period.pk]))
    row = next(r for r in response.context["rows"] if r.assessment.agency == agency)
    assert (row.leaves, row.scored, row.with_evidence) == (5, 2, 1)
    assert (row.points, row.max_points, row.index) == (Decimal(2), Decimal(5), Decimal("40.00"))
    assert row.days_left in (4, 5) and not row.overdue
    assert "2/5" in response.text and "40,00" in response.text


def test_overdue_is_highlighted_and_filterable(client, users, period, agency):
    Assessment.objects.filter(period=period).exclude(agency=agency).update(deadline_extended_to=None)
    period.self_assessment_deadline = timezone.now() - datetime.timedelta(days=2)
    period.save()
    Assessment.objects.filter(period=period, agency=agency).update(
        deadline_extended_to=timezone.now() + datetime.timedelta(days=3)
    )
    client.force_login(users["admin"])
    response = client.get(reverse("assessments:progress", args=[period.pk]), {"overdue": "1"})
    names = [r.assessment.agency.name for r in response.context["rows"]]
    assert agency.name not in names and len(names) == 2
    assert response.text.count('class="row-overdue"') == 2


def test_sort_and_filter(client, users, period, agency):
    client.force_login(users["leadership"])
    response = client.get(reverse("assessments:progress", args=[period.pk]), {"sort": "-index"})
    assert response.context["rows"][0].assessment.agency == agency
    response = client.get(reverse("assessments:progress", args=[period.pk]), {"q": "minh xuân"})
    assert [r.assessment.agency.name for r in response.context["rows"]] == ["UBND xã Minh Xuân"]
    response = client.get(reverse("assessments:progress", args=[period.pk]), {"state": "submitted"})
    assert response.context["rows"] == []


def test_query_count_does_not_grow_with_agencies(client, users, django_assert_num_queries):
    small = open_period(*[make_agency(f"Sở A{i}") for i in range(2)], year=2026)
    large = open_period(*[make_agency(f"Sở B{i}") for i in range(15)], year=2027)
    client.force_login(users["admin"])
    # 1 session, 2 user, 3 roles, 4 period, 5 grouped score aggregate, 6 assessments with agencies
    for period in (small, large):
        with django_assert_num_queries(6):
            client.get(reverse("assessments:progress", args=[period.pk]))


def test_excel_export(client, users, period, agency):
    client.force_login(users["admin"])
    response = client.get(reverse("assessments:progress_export", args=[period.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["STT", "Cơ quan, đơn vị", "Trạng thái"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    mine = rows[agency.name]
    assert (mine[3], mine[4], mine[7], mine[9]) == (2, 5, 2, 40)
    assert len(rows) == 3

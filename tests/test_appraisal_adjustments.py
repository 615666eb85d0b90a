"""Bonus and penalty: within the period's caps (named when refused), withdrawn with a reason and kept, only
while the period is in appraisal, and only by Sở Nội vụ's administrators."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from appraisal.adjustments import adjustment_add, adjustment_rows, adjustment_withdraw
from appraisal.models import Adjustment, AdjustmentKind
from assessments.models import Assessment, Period, PeriodState
from assessments.workflow import WorkflowError
from organisations.models import Role

from .factories import appraisal_period, assessment_of, make_agency, make_user

D = Decimal
BONUS, PENALTY = AdjustmentKind.BONUS, AdjustmentKind.PENALTY
pytestmark = pytest.mark.django_db


@pytest.fixture
def period(users, agency, other_agency):
    period = appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])
    Period.objects.filter(pk=period.pk).update(bonus_cap=D(2), penalty_cap=D(3))
    period.refresh_from_db()
    return period


def rows() -> list[tuple]:
    return list(
        Adjustment.objects.order_by("pk").values_list("kind", "points", "reason", "document", "withdrawn_reason")
    )


def add(assessment, user, kind=BONUS, points="1", reason="Sáng kiến cấp tỉnh"):
    return adjustment_add(
        assessment=assessment, kind=kind, points=D(points), reason=reason, document="QĐ 12/QĐ-UBND", user=user
    )


def test_adjustments_are_kept_with_reason_and_document(period, users, agency):
    assessment = assessment_of(period, agency)
    add(assessment, users["admin"])
    add(assessment, users["admin"], PENALTY, "0.5", "Chậm báo cáo")
    assert rows() == [
        (BONUS, D(1), "Sáng kiến cấp tỉnh", "QĐ 12/QĐ-UBND", ""),
        (PENALTY, D("0.5"), "Chậm báo cáo", "QĐ 12/QĐ-UBND", ""),
    ]
    (row,) = [r for r in adjustment_rows(period) if r.assessment.pk == assessment.pk]
    assert (row.bonus, row.penalty) == (D(1), D("0.5"))


def test_bonus_above_the_cap_is_refused_naming_the_cap(period, users, agency, other_agency):
    assessment = assessment_of(period, agency)
    add(assessment, users["admin"], points="1.5")
    with pytest.raises(ValidationError) as exc:
        add(assessment, users["admin"], points="0.75")
    assert "vượt mức tối đa 2,00 điểm thưởng của kỳ" in " ".join(exc.value.messages)
    add(assessment, users["admin"], points="0.5")  # exactly the cap
    add(assessment_of(period, other_agency), users["admin"], points="2")  # each agency has its own
    with pytest.raises(ValidationError, match="3,00 điểm trừ"):
        add(assessment, users["admin"], PENALTY, "3.25")
    assert [r[1] for r in rows()] == [D("1.5"), D("0.5"), D(2)]


def test_a_cap_of_zero_allows_none(period, users, agency):
    Period.objects.filter(pk=period.pk).update(bonus_cap=D(0))
    with pytest.raises(ValidationError, match="0,00 điểm thưởng"):
        add(assessment_of(period, agency), users["admin"], points="0.25")
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize(("points", "reason"), [("0", "Lý do"), ("-1", "Lý do"), ("1", "   "), ("0.125", "Lý do")])
def test_points_and_reason_are_checked(period, users, agency, points, reason):
    with pytest.raises(ValidationError):
        add(assessment_of(period, agency), users["admin"], points=points, reason=reason)
    assert not Adjustment.objects.exists()


def test_withdrawal_frees_the_cap_and_keeps_the_row(period, users, agency):
    assessment = assessment_of(period, agency)
    first = add(assessment, users["admin"], points="2")
    with pytest.raises(ValidationError):
        adjustment_withdraw(adjustment=first, reason=" ", user=users["admin"])
    adjustment_withdraw(adjustment=first, reason="Trùng với năm trước", user=users["admin"])
    with pytest.raises(ValidationError, match="đã được hủy"):
        adjustment_withdraw(adjustment=first, reason="Lần nữa", user=users["admin"])
    add(assessment, users["admin"], points="2")
    assert [(r[1], r[4]) for r in rows()] == [(D(2), "Trùng với năm trước"), (D(2), "")]


@pytest.mark.parametrize("state", [PeriodState.FINALISED, PeriodState.PUBLISHED])
def test_nothing_changes_after_finalisation(period, users, agency, state):
    existing = add(assessment_of(period, agency), users["admin"])
    Period.objects.filter(pk=period.pk).update(state=state)
    with pytest.raises(WorkflowError, match="đã chốt"):
        add(assessment_of(period, agency), users["admin"])
    with pytest.raises(WorkflowError):
        adjustment_withdraw(adjustment=existing, reason="Sai", user=users["admin"])
    assert rows() == [(BONUS, D(1), "Sáng kiến cấp tỉnh", "QĐ 12/QĐ-UBND", "")]


# ---- pages ---------------------------------------------------------------------------------------------------


def test_the_page_adds_and_shows_the_refusal(client, period, users, agency):
    assessment = assessment_of(period, agency)
    client.force_login(users["admin"])
    url = reverse("appraisal:adjustments", args=[period.pk])
    data = {"assessment": assessment.pk, "kind": BONUS, "points": "1,5", "reason": "Sáng kiến", "document": "QĐ 1"}
    assert client.post(url, data).status_code == 302
    refused = client.post(url, {**data, "points": "1"})
    assert refused.status_code == 400
    assert "vượt mức tối đa 2,00 điểm thưởng của kỳ" in refused.content.decode()
    assert [r[1] for r in rows()] == [D("1.5")]


def test_withdrawal_needs_the_confirmation(client, period, users, agency):
    adjustment = add(assessment_of(period, agency), users["admin"])
    client.force_login(users["admin"])
    url = reverse("appraisal:adjustment_withdraw", args=[period.pk, adjustment.pk])
    step = client.post(url, {"reason": "Nhầm đơn vị"})
    assert step.status_code == 200 and 'name="confirm" value="1"' in step.content.decode()
    assert 'value="Nhầm đơn vị"' in step.content.decode()
    assert rows()[0][4] == ""
    assert client.post(url, {"reason": "Nhầm đơn vị", "confirm": "1"}).status_code == 302
    assert rows()[0][4] == "Nhầm đơn vị"


def test_the_page_costs_the_same_for_more_agencies(client, period, users, agency, django_assert_num_queries):
    client.force_login(users["admin"])
    add(assessment_of(period, agency), users["admin"])
    url = reverse("appraisal:adjustments", args=[period.pk])
    # session, user, roles, period, sheets with agencies, their adjustments with who added/withdrew them
    # (+1 since the menu shows a badge: the unread notices)
    with django_assert_num_queries(7):
        client.get(url)
    for n in range(5):
        extra = make_agency(f"Sở thêm {n}")
        other = Assessment.objects.create(
            period=period, agency=extra, index_set=assessment_of(period, agency).index_set
        )
        add(other, users["admin"])
    # (+1 since the menu shows a badge: the unread notices)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("Sáng kiến cấp tỉnh") == 6


# ---- who may reach them ------------------------------------------------------------------------------------

MATRIX = ["adjustments", "adjustment_withdraw"]


@pytest.mark.parametrize("who", ["reviewer", "agency_reviewer", "officer", "head", "leadership", "no_role"])
def test_only_the_administrator_reaches_the_adjustment_pages(client, period, users, agency, who):
    users["agency_reviewer"] = make_user("thamdinh.khcn", Role.REVIEWER, agency)
    assessment = assessment_of(period, agency)
    existing = add(assessment, users["admin"])
    before = rows()
    client.force_login(users[who])
    page = reverse("appraisal:adjustments", args=[period.pk])
    withdraw = reverse("appraisal:adjustment_withdraw", args=[period.pk, existing.pk])
    for response in (
        client.get(page),
        client.post(page, {"assessment": assessment.pk, "kind": BONUS, "points": "0,5", "reason": "x"}),
        client.post(withdraw, {"reason": "x", "confirm": "1"}),
    ):
        assert response.status_code == 403, who
        assert "Sáng kiến cấp tỉnh" not in response.content.decode()
    assert rows() == before


def test_the_administrator_reaches_both_and_they_act(client, period, users, agency):
    existing = add(assessment_of(period, agency), users["admin"])
    client.force_login(users["admin"])
    page = reverse("appraisal:adjustments", args=[period.pk])
    assert "Sáng kiến cấp tỉnh" in client.get(page).content.decode()
    client.post(
        reverse("appraisal:adjustment_withdraw", args=[period.pk, existing.pk]), {"reason": "x", "confirm": "1"}
    )
    assert rows()[0][4] == "x"

"""The index of every agency (DESIGN.md, Scoring): appraised points, self points where a leaf was never
appraised, not-applicable leaves out of score and max, survey, bonus and penalty; bands; ranks within each
agency kind by the exact index; the results page live and as published, in a constant number of queries."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisal.adjustments import adjustment_add, adjustment_withdraw
from appraisal.models import Adjustment, AdjustmentKind
from appraisal.results import AgencyResult, DomainResult, period_results, rank_rows
from appraisal.services import AppraisalEdit, appraisal_save
from appraisal.surveys import survey_parts_by_set, survey_set
from assessments.models import Period, PeriodState, Score
from criteria.services import index_set_create
from criteria.tree import NodeRow
from organisations.models import AgencyKind, Role

from .factories import appraisal_period, make_agency, make_user

D = Decimal
pytestmark = pytest.mark.django_db


# ---- helpers shared with test_appraisal_publish ----------------------------------------------------------


def appraise(period: Period, reviewer, points: dict[str, Decimal] | None = None, agency=None) -> None:
    """Appraise every applicable non-survey leaf through the service: ``points`` by leaf code, else the
    agency's self points accepted."""
    scores = Score.objects.select_related("node").filter(
        assessment__period=period, node__is_survey=False, not_applicable=False
    )
    if agency is not None:
        scores = scores.filter(assessment__agency=agency)
    for score in scores.order_by("assessment_id", "node__position"):
        given = (points or {}).get(score.node.code)
        edit = AppraisalEdit(points=given) if given is not None else AppraisalEdit(points=None, accept_self=True)
        appraisal_save(score=score, edit=edit, version=score.version, user=reviewer)


def _recorder():
    """Who the helpers record survey points and adjustments against (Sở Nội vụ's officer in these tests)."""
    return get_user_model().objects.filter(role_assignments__role=Role.ADMIN).first() or make_user(
        "ghi.nhan", Role.ADMIN
    )


def give_survey(period: Period, points: Decimal = Decimal(1), agency=None) -> None:
    """Survey points on every survey part of each sheet (of ``agency`` only when given), through the service."""
    user = _recorder()
    parts = survey_parts_by_set(period.index_sets.values_list("index_set_id", flat=True))
    for assessment in period.assessments.all():
        if agency is not None and assessment.agency_id != agency.pk:
            continue
        for node in parts.get(assessment.index_set_id, []):
            survey_set(
                assessment=assessment, node=node, points=min(points, node.max_points), user=user, reason="Kết quả mới"
            )


def adjust(assessment, kind: str, points: Decimal, *, withdrawn: bool = False) -> Adjustment:
    user = _recorder()
    row = adjustment_add(assessment=assessment, kind=kind, points=points, reason="Theo văn bản của tỉnh", user=user)
    if withdrawn:
        row = adjustment_withdraw(adjustment=row, reason="Nhầm", user=user)
    return row


def row_of(period: Period, agency) -> AgencyResult:
    return next(r for g in period_results(period) for r in g.rows if r.agency_id == agency.pk)


# ---- seed 004: the real case, built only through the services -------------------------------------------

SEED_004_MAX = ["12.5", "10", "10.5", "6.5", "8", "8", "11"]
SEED_004_POINTS = ["11.5", "10", "9.5", "6", "8", "8", "8.5"]


def seed_004_set():
    rows = []
    for number, maximum in enumerate(SEED_004_MAX, start=1):
        rows.append(NodeRow(code=str(number), title=f"Lĩnh vực {number}", max_points=D(maximum)))
        rows.append(
            NodeRow(
                code=f"{number}.1", title=f"Tiêu chí {number}.1", max_points=D(maximum), method="manual", step=D("0.5")
            )
        )
    rows.append(NodeRow(code="8", title="Điều tra xã hội học", max_points=D("33.5"), is_survey=True))
    rows.append(NodeRow(code="8.1", title="ĐTXHH", max_points=D("33.5"), method="manual", is_survey=True))
    return index_set_create(
        name="Bộ chỉ số sở (seed 004)", agency_kind=AgencyKind.DEPARTMENT, year_from=2026, rows=rows
    )


def test_seed_004_index_is_82_91_on_the_results_page(client, users, agency, other_agency):
    period = appraisal_period(
        agency, other_agency, reviewer=users["reviewer"], admin=users["admin"], index_set=seed_004_set()
    )
    appraise(
        period,
        users["reviewer"],
        {f"{n}.1": D(p) for n, p in enumerate(SEED_004_POINTS, start=1)},
        agency=agency,
    )
    give_survey(period, D("21.41"), agency=agency)

    row = row_of(period, agency)
    assert [(d.points, d.max) for d in row.domains] == [
        (D(p), D(m)) for p, m in zip(SEED_004_POINTS, SEED_004_MAX, strict=True)
    ]
    assert (row.points, row.applicable_max, row.survey_points, row.survey_max) == (
        D("61.5"),
        D("66.5"),
        D("21.41"),
        D("33.5"),
    )
    assert row.index == D("82.91") and row.unappraised == 0 and row.band == "good"

    client.force_login(users["admin"])
    response = client.get(reverse("appraisal:results", args=[period.pk]))
    assert response.status_code == 200
    assert "82,91" in response.text
    assert "Tốt" in response.text and "1/2" in response.text


# ---- the parts of the index ------------------------------------------------------------------------------


@pytest.fixture
def period(users, agency, other_agency):
    return appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])


def test_never_appraised_leaves_count_their_self_points_and_are_counted(period, users, agency):
    score = Score.objects.get(assessment__period=period, assessment__agency=agency, node__code="1.2")
    appraisal_save(score=score, edit=AppraisalEdit(points=D(1)), version=score.version, user=users["reviewer"])
    row = row_of(period, agency)
    # fill_sheet scored every leaf 0 except the deduction leaf 2.1.2 (no events: its max, 1); 1.2 appraised 1.
    assert row.points == D(2) and row.unappraised == 4
    assert row.applicable_max == D(5) and row.survey_max == D(2)
    assert row.index == D("28.57")


def test_not_applicable_leaf_leaves_points_and_max(period, users, agency):
    sheet = period.assessments.get(agency=agency)
    Score.objects.filter(assessment=sheet, node__code="1.2").update(
        not_applicable=True, not_applicable_reason="Không phát sinh", self_points=None
    )
    appraise(period, users["reviewer"], {"1.1": D(1), "1.3": D(1)}, agency=agency)
    give_survey(period, D(2), agency=agency)
    row = row_of(period, agency)
    # 1.1 and 1.3 appraised 1, 2.1.2's self point (1) accepted, 2.1.1.1 0; 1.2 out of points and max.
    assert (row.points, row.applicable_max) == (D(3), D(4))
    assert row.domains[0].max == D(2)  # domain 1 is 3 points less the not-applicable 1
    assert row.index == D("83.33")  # (3 + 2) / (4 + 2)


def test_bonus_and_penalty_count_only_while_active(period, users, agency):
    appraise(period, users["reviewer"], {"1.1": D(1)}, agency=agency)
    sheet = period.assessments.get(agency=agency)
    Period.objects.filter(pk=period.pk).update(bonus_cap=D(5), penalty_cap=D(2))  # the period's caps allow them
    adjust(sheet, AdjustmentKind.BONUS, D("1.5"))
    adjust(sheet, AdjustmentKind.PENALTY, D("0.5"))
    adjust(sheet, AdjustmentKind.BONUS, D(3), withdrawn=True)
    row = row_of(period, agency)
    assert (row.points, row.bonus, row.penalty, row.total) == (D(2), D("1.5"), D("0.5"), D(3))
    assert row.index == D("42.86")  # 3 / 7


def test_bands_follow_the_periods_thresholds(period, users, agency):
    appraise(
        period,
        users["reviewer"],
        {"1.1": D(1), "1.2": D(1), "1.3": D(1), "2.1.1.1": D(1), "2.1.2": D(0)},
        agency=agency,
    )
    give_survey(period, D(2), agency=agency)
    assert row_of(period, agency).index == D("85.71")  # 6 / 7
    assert row_of(period, agency).band == "good"
    Period.objects.filter(pk=period.pk).update(band_good_min=90, band_fair_min=85, band_average_min=50)
    period.refresh_from_db()
    assert row_of(period, agency).band == "fair"


# ---- ranks ---------------------------------------------------------------------------------------------


def result(name: str, index: str, kind: str = AgencyKind.DEPARTMENT, domain: str = "1") -> AgencyResult:
    return AgencyResult(
        assessment_id=hash(name) % 1000,
        agency_id=hash(name) % 1000,
        agency_name=name,
        group=kind,
        group_position=list(AgencyKind.values).index(kind),
        index_exact=D(index),
        domains=[DomainResult("1", "LV1", D(domain), D(10))],
    )


def test_equal_exact_values_share_a_rank_and_close_ones_do_not():
    rows = [
        result("A", "90.0249999", domain="9"),
        result("B", "90.0200001", domain="7"),  # both shown 90,02: ranked by the exact value
        result("C", "95", domain="7"),
        result("D", "85", domain="5"),
        result("E", "90.0249999", domain="9"),  # exactly equal to A: shares its rank
        result("X", "50", kind=AgencyKind.COMMUNE),
    ]
    groups = rank_rows(rows)
    assert [g.group for g in groups] == [AgencyKind.DEPARTMENT, AgencyKind.COMMUNE]
    ranks = {r.agency_name: (r.rank, r.rank_of) for r in groups[0].rows}
    assert ranks == {"C": (1, 5), "A": (2, 5), "E": (2, 5), "B": (4, 5), "D": (5, 5)}
    assert [r.agency_name for r in groups[0].rows] == ["C", "A", "E", "B", "D"]
    domain_ranks = {r.agency_name: r.domains[0].rank for r in groups[0].rows}
    assert domain_ranks == {"A": 1, "E": 1, "B": 3, "C": 3, "D": 5}
    assert (groups[1].rows[0].rank, groups[1].rows[0].rank_of) == (1, 1)


def test_ranks_from_the_database(period, users, agency, other_agency):
    appraise(period, users["reviewer"], {"1.1": D(1)}, agency=agency)
    appraise(period, users["reviewer"], {"1.1": D("0.5")}, agency=other_agency)
    groups = period_results(period)
    assert [(r.agency_name, r.rank, r.rank_of) for r in groups[0].rows] == [
        (agency.name, 1, 2),
        (other_agency.name, 2, 2),
    ]
    assert [r.domains[0].rank for r in groups[0].rows] == [1, 2]
    assert [r.domains[1].rank for r in groups[0].rows] == [1, 1]  # both 0 in domain 2: shared


# ---- constant number of queries ------------------------------------------------------------------------


def test_period_results_in_six_queries_for_5_or_40_agencies(users):
    # 1 ranking groups, 2 sheets with their group, 3 domains of the sets, 4 grouped score sums per (sheet,
    # domain), 5 survey sums, 6 adjustments.
    counts = []
    for size, year in ((5, 2026), (40, 2027)):
        agencies = [make_agency(f"Sở số {year}-{i}") for i in range(size)]
        period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=year)
        give_survey(period, D(1))
        Period.objects.filter(pk=period.pk).update(bonus_cap=D(2))
        adjust(period.assessments.first(), AdjustmentKind.BONUS, D(1))
        with CaptureQueriesContext(connection) as ctx:
            groups = period_results(period)
        assert sum(len(g.rows) for g in groups) == size
        counts.append(len(ctx.captured_queries))
    assert counts == [6, 6], counts


def test_results_page_queries_do_not_grow_with_agencies(client, users):
    # session, user, roles, period, then the six of period_results.
    counts = []
    client.force_login(users["admin"])
    for size, year in ((5, 2026), (40, 2027)):
        agencies = [make_agency(f"Sở trang {year}-{i}") for i in range(size)]
        period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=year)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("appraisal:results", args=[period.pk]))
        assert response.status_code == 200 and response.text.count("<tr data-agency=") == size
        counts.append(len(ctx.captured_queries))
    # (+1 since the menu shows a badge: the unread notices)
    assert counts[0] == counts[1] == 11, counts


# ---- who sees the results page ---------------------------------------------------------------------------


@pytest.fixture
def outsiders(users, agency):
    """The matrix's rows beyond the shared roles: a reviewer of another domain, a reviewer of the agency."""
    return {
        **users,
        "other_reviewer": make_user("thamdinh.khac", Role.REVIEWER),
        "own_reviewer": make_user("thamdinh.noibo", Role.REVIEWER, agency),
    }


LIVE_RESULTS = {
    "admin": 200,
    "reviewer": 403,
    "other_reviewer": 403,
    "own_reviewer": 403,
    "leadership": 403,
    "head": 404,
    "officer": 404,
    "other_officer": 404,
    "no_role": 404,
}


def test_live_results_only_for_the_administrator(client, period, outsiders, agency):
    appraise(period, outsiders["reviewer"], {"1.1": D("0.75")}, agency=agency)
    for name, expected in LIVE_RESULTS.items():
        client.force_login(outsiders[name])
        response = client.get(reverse("appraisal:results", args=[period.pk]))
        assert response.status_code == expected, name
        assert ("Kết quả tạm tính" in response.text) == (expected == 200), name
        assert ("1,75/5" in response.text) == (expected == 200), name


def test_no_results_page_before_appraisal(client, users, agency):
    from .factories import open_period

    period = open_period(agency)
    client.force_login(users["admin"])
    assert client.get(reverse("appraisal:results", args=[period.pk])).status_code == 404
    assert period.state == PeriodState.OPEN

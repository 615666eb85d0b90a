"""The leadership dashboard (issue 9, item 9): its figures against hand-computed ones (bands, the group average,
best and worst, the change on last year and who rose or fell), the self-assessment state, who may open it
before and after publication, and a number of queries that does not grow with the agencies."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from appraisal.results import AgencyResult, Band, ResultGroup
from assessments.models import Period
from assessments.services import assessment_submit
from reports.accountability import AccountabilityWarning
from reports.dashboard import build_dashboard, summarise_group
from reports.yoy import Previous

from .factories import appraisal_period, fill_sheet, make_index_set, open_period
from .test_appraisal_results import appraise, give_survey
from .test_reports_ranking import THIRD, _period_of, publish
from .test_reports_ranking import period as period
from .test_reports_ranking import third as third

D = Decimal

ROUTES = {"reports:dashboard", "reports:dashboard_latest"}


# ---- the figures, by hand ---------------------------------------------------------------------------------------


def _row(pk: int, index: str, band: Band, rank: int, of: int = 5) -> AgencyResult:
    return AgencyResult(
        assessment_id=pk,
        agency_id=pk,
        agency_name=f"Đơn vị {pk}",
        group="department",
        index=D(index),
        index_exact=D(index),
        band=band,
        rank=rank,
        rank_of=of,
    )


def _previous(index: str, *, merged: bool = False) -> Previous:
    return Previous(2025, "Kỳ 2025", D(index), {}, ("Cũ",), merged=merged)


def test_group_summary_by_hand():
    """Five agencies (two tied third); four have last year's figure, one of them the mean of merged agencies.

    average (92,86 + 80 + 75,5 + 75,5 + 59,99) / 5 = 383,85 / 5 = 76,77
    changes: 1 +2,86; 2 −1,25; 3 against the merged mean 70,125 shown as 70,13 → 75,50 − 70,13 = +5,37 (the line
    adds up as shown); 5 −0,01; 4 has none. Mean change (2,86 − 1,25 + 5,37 − 0,01) / 4 = 6,97 / 4 = 1,7425 → 1,74
    """
    rows = [
        _row(1, "92.86", Band.GOOD, 1),
        _row(2, "80.00", Band.GOOD, 2),
        _row(3, "75.50", Band.FAIR, 3),
        _row(4, "75.50", Band.FAIR, 3),
        _row(5, "59.99", Band.WEAK, 5),
    ]
    previous = {
        1: _previous("90.00"),
        2: _previous("81.25"),
        3: _previous("70.125", merged=True),
        5: _previous("60.00"),
    }
    summary = summarise_group(ResultGroup("department", "Sở, ban, ngành", rows), previous)
    assert summary.average == D("76.77")
    assert [(b.band, b.count, b.share) for b in summary.bands] == [
        ("good", 2, D(40)),
        ("fair", 2, D(40)),
        ("average", 0, D(0)),
        ("weak", 1, D(20)),
    ]
    assert [b.bg for b in summary.bands] == ["bg-success", "bg-primary", "bg-warning", "bg-danger"]
    assert [r.agency_id for r in summary.best] == [1, 2, 3]
    # The lowest first; 4 shares the third place with 3, one of the best, so it is not among the lowest.
    assert [r.agency_id for r in summary.worst] == [5]
    assert summary.compared == 4 and summary.change == D("1.74")
    assert [(m.row.agency_id, m.before, m.change) for m in summary.risers] == [
        (3, D("70.13"), D("5.37")),
        (1, D("90.00"), D("2.86")),
    ]
    assert [(m.row.agency_id, m.change) for m in summary.fallers] == [(2, D("-1.25")), (5, D("-0.01"))]


def test_a_small_group_has_no_worst_list_and_no_change_without_last_year():
    rows = [_row(1, "85", Band.GOOD, 1, of=2), _row(2, "70", Band.FAIR, 2, of=2)]
    summary = summarise_group(ResultGroup("department", "Sở", rows), {})
    assert [r.agency_id for r in summary.best] == [1, 2] and summary.worst == []
    assert summary.change is None and summary.compared == 0 and summary.risers == summary.fallers == []
    assert summary.average == D("77.50")


def test_ties_at_the_top_are_never_the_lowest_and_an_agency_without_index_is_in_neither_list():
    tied = [_row(pk, "88.50", Band.GOOD, 1, of=5) for pk in (1, 2, 3, 4)]
    nothing = AgencyResult(assessment_id=9, agency_id=9, agency_name="Đơn vị 9", group="department", rank=5, rank_of=5)
    summary = summarise_group(ResultGroup("department", "Sở", [*tied, nothing]), {})
    assert [r.agency_id for r in summary.best] == [1, 2, 3] and summary.worst == []
    assert [(b.band, b.count) for b in summary.bands] == [("good", 4), ("fair", 0), ("average", 0), ("weak", 0)]


def test_dashboard_totals_count_agencies_once():
    department = ResultGroup("department", "Sở", [_row(1, "91", Band.GOOD, 1, 2), _row(2, "50", Band.WEAK, 2, 2)])
    commune = ResultGroup("commune", "Xã", [_row(3, "82", Band.FAIR, 1, 1)])
    warning = AccountabilityWarning(2, "Đơn vị 2", "Sở", "3", "TTHC", D(5), D(10), D(75))
    warnings = [warning, AccountabilityWarning(2, "Đơn vị 2", "Sở", "7", "CĐS", D(1), D(9), D(75))]
    board = build_dashboard([department, commune], {3: _previous("80")}, warnings)
    assert board.agencies == 3 and board.good == 1 and board.warned_agencies == 1  # two domains, one agency
    assert [(b.band, b.count) for b in board.bands] == [("good", 1), ("fair", 1), ("average", 0), ("weak", 1)]
    assert board.previous_year == 2025
    assert [g.change for g in board.groups] == [None, D("2.00")]


# ---- the page ---------------------------------------------------------------------------------------------------


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"[^>]*>(.*?)</(?:div|span)>', html, re.S)
    assert found is not None, name
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def listed(html: str, name: str) -> list[str]:
    """The rows of one of a group's lists (best, worst, risers, fallers), each as its words."""
    found = re.search(rf'data-list="{name}">(.*?)</ol>', html, re.S)
    assert found is not None, name
    return [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1))]


def test_live_dashboard_figures(client, users, period, agency, other_agency, third):
    """The ranking fixture: agency 92,86 (Tốt), third 64,29 (Trung bình), other_agency 57,14 (Yếu)."""
    client.force_login(users["leadership"])
    html = client.get(reverse("reports:dashboard", args=[period.pk])).text
    assert 'data-source="live"' in html
    assert figure(html, "agencies") == "3" and figure(html, "good") == "1 /3"
    assert figure(html, "warned") == "0"  # the compact set has no domain 3 or 7
    assert figure(html, "average") == "71,43 %"  # (92,86 + 64,29 + 57,14) / 3
    assert figure(html, "previous-year") == "Chưa có kết quả năm trước đã công bố"
    assert re.findall(r'data-band="(\w+)">(\d+)<', html) == [
        ("good", "1"),
        ("fair", "0"),
        ("average", "1"),
        ("weak", "1"),
    ]
    assert listed(html, "best") == [
        "1/3 Sở Khoa học và Công nghệ 92,86",
        "2/3 Sở &lt;Xây dựng&gt; &amp; Hạ tầng 64,29",
        "3/3 Sở Tư pháp 57,14",
    ]
    assert 'data-list="worst"' not in html  # three agencies are all among the best three
    assert 'data-list="risers"' not in html  # nothing to compare with: no movers column
    assert THIRD not in html
    # Each name opens that agency's scorecard; the downloads and exports are offered.
    assert reverse("reports:scorecard", args=[period.pk, agency.pk]) in html
    assert reverse("reports:decision_pdf", args=[period.pk]) in html
    assert reverse("reports:export_start", args=[period.pk, "xlsx"]) in html


def test_change_on_last_year_and_who_rose_or_fell(client, users, period, agency, other_agency, third):
    """2025, published: agency and other_agency (1 + 2) / 7 = 42,86; third all at max (5 + 2) / 7 = 100,00.
    2026: agency 92,86 (+50,00), other_agency 57,14 (+14,28), third 64,29 (−35,71);
    mean (50 + 14,28 − 35,71) / 3 = 28,57 / 3 = 9,5233… → 9,52."""
    reviewer, admin = users["reviewer"], users["admin"]
    old_set = make_index_set(name="Bộ 2025", year_from=2025)
    before = appraisal_period(agency, other_agency, third, reviewer=reviewer, admin=admin, index_set=old_set, year=2025)
    appraise(before, reviewer, {"1.1": D(1), "1.2": D(1), "1.3": D(1), "2.1.1.1": D(1)}, agency=third)
    for other in (agency, other_agency):
        appraise(before, reviewer, agency=other)  # their self points
    give_survey(before, D(2))
    publish(before, admin)
    client.force_login(users["leadership"])
    html = client.get(reverse("reports:dashboard", args=[period.pk])).text
    assert figure(html, "previous-year") == "2025"
    assert figure(html, "change") == "+9,52"
    assert "bình quân của 3/3 đơn vị có kết quả năm trước" in html
    assert listed(html, "risers") == [
        "Sở Khoa học và Công nghệ 42,86 → 92,86 +50,00",
        "Sở Tư pháp 42,86 → 57,14 +14,28",
    ]
    assert listed(html, "fallers") == ["Sở &lt;Xây dựng&gt; &amp; Hạ tầng 100,00 → 64,29 -35,71"]
    # The other period is offered in the period switcher; last year's dashboard reads its snapshot.
    assert reverse("reports:dashboard", args=[before.pk]) in html
    old = client.get(reverse("reports:dashboard", args=[before.pk])).text
    assert 'data-source="published"' in old and figure(old, "average") == "61,91 %"  # (42,86·2 + 100) / 3


def test_during_self_assessment_it_counts_sheets_sent_instead_of_comparing(client, users, agency, other_agency):
    period = open_period(agency, other_agency)
    sheet = period.assessments.get(agency=agency)
    fill_sheet(sheet, users["admin"])
    assessment_submit(assessment=sheet, user=users["admin"])
    client.force_login(users["admin"])
    html = client.get(reverse("reports:dashboard", args=[period.pk])).text
    assert figure(html, "submitted") == "1 /2"
    assert 'data-figure="warned"' not in html and 'data-list="risers"' not in html
    assert "điểm tự chấm đang nhập dở chưa so sánh được" in html


def test_latest_opens_the_newest_readable_period(client, users, period, agency):
    client.force_login(users["leadership"])
    response = client.get(reverse("reports:dashboard_latest"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:dashboard", args=[period.pk])
    # An agency's officer has nothing to read before publication: a page that says so, no figure, no name.
    client.force_login(users["officer"])
    page = client.get(reverse("reports:dashboard_latest"))
    assert page.status_code == 200 and 'id="no-results"' in page.text
    assert "92,86" not in page.text and "Sở Tư pháp" not in page.text
    publish(period, users["admin"])
    response = client.get(reverse("reports:dashboard_latest"))
    assert response["Location"] == reverse("reports:dashboard", args=[period.pk])


def test_home_and_menu_lead_to_the_dashboard(client, users):
    client.force_login(users["leadership"])
    html = client.get(reverse("home")).text
    assert (
        'id="results-card"' in html and html.count(f'href="{reverse("reports:dashboard_latest")}"') == 2
    )  # card and menu
    client.force_login(users["no_role"])
    assert reverse("reports:dashboard_latest") not in client.get(reverse("home")).text


# ---- who sees it ------------------------------------------------------------------------------------------------

ROLES = ["admin", "leadership", "reviewer", "head", "officer", "other_officer", "no_role"]
BEFORE = {"admin": 200, "leadership": 200, "reviewer": 403, "head": 403, "officer": 403, "other_officer": 403}


@pytest.mark.parametrize("published", [False, True], ids=["before", "after"])
def test_permission_matrix(client, users, period, published):
    if published:
        publish(period, users["admin"])
    expected = {**(dict.fromkeys(BEFORE, 200) if published else BEFORE), "no_role": 404}
    url = reverse("reports:dashboard", args=[period.pk])
    for role in ROLES:
        client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == expected[role], (role, published)
        # No figure, no name and no count of any agency on a refusal.
        assert ("92,86" in response.text) == (expected[role] == 200), role
        assert ("Sở Tư pháp" in response.text) == (expected[role] == 200), role
        assert ('data-figure="agencies"' in response.text) == (expected[role] == 200), role
        latest = client.get(reverse("reports:dashboard_latest"))
        if expected[role] == 200:
            assert latest["Location"] == url, role
        elif role == "no_role":
            assert latest.status_code == 404
        else:
            assert latest.status_code == 200 and 'id="no-results"' in latest.text, role
    client.logout()
    for anonymous in (client.get(url), client.get(reverse("reports:dashboard_latest"))):
        assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


# ---- queries do not grow with the agencies -----------------------------------------------------------------------


def test_live_dashboard_queries_are_constant(client, users, django_assert_num_queries):
    # 1 session, 2 user, 3 roles, 4 period, then period_results' six (5 ranking groups, 6 sheets, 7 domains,
    # 8 grouped score sums, 9 survey sums, 10 adjustments), last year's three (11 agencies, 12 snapshot,
    # 13 mergers), the period switcher's two (14 periods, 15 publications in force), 16 the menu's badge.
    client.force_login(users["leadership"])
    for size, year in ((3, 2026), (25, 2027)):
        period = _period_of(size, year, users)
        with django_assert_num_queries(16):
            response = client.get(reverse("reports:dashboard", args=[period.pk]))
        assert figure(response.text, "agencies") == str(size)


def test_published_dashboard_queries_are_constant(client, users, django_assert_num_queries):
    # 1 session, 2 user, 3 roles, 4 period, 5 the publication in force, 6 the snapshot rows, last year's three
    # (7 agencies, 8 snapshot, 9 mergers), the switcher's two (10 periods, 11 publications), 12 the badge.
    client.force_login(users["officer"])
    for size, year in ((3, 2026), (25, 2027)):
        period = _period_of(size, year, users)
        appraise(period, users["reviewer"])
        publish(period, users["admin"])
        with django_assert_num_queries(12):
            response = client.get(reverse("reports:dashboard", args=[period.pk]))
        assert 'data-source="published"' in response.text and figure(response.text, "agencies") == str(size)


def test_readable_periods_answer_as_ranking_access_for_every_role_and_state(users, agency, other_agency):
    """readable_periods applies ranking_access's rule to many periods at once: both must agree everywhere."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from appraisal.publishing import period_unpublish
    from assessments.services import period_save
    from reports.access import ranking_access, readable_periods

    reviewer, admin = users["reviewer"], users["admin"]
    periods = {"setup": period_save(year=2020, name="Kỳ 2020", index_sets=[], agencies=[agency])}
    for state, year in (("open", 2021), ("appraisal", 2022), ("finalised", 2023)):
        periods[state] = open_period(
            agency, other_agency, year=year, index_set=make_index_set(name=f"Bộ {year}", year_from=year)
        )
        Period.objects.filter(pk=periods[state].pk).update(state=state)
    for state, year in (("published", 2024), ("unpublished", 2025)):
        index_set = make_index_set(name=f"Bộ {year}", year_from=year)
        periods[state] = appraisal_period(
            agency, other_agency, reviewer=reviewer, admin=admin, index_set=index_set, year=year
        )
        appraise(periods[state], reviewer)
        give_survey(periods[state])
        publish(periods[state], admin)
    period_unpublish(period=periods["unpublished"], user=admin, reason="Sai điểm điều tra")
    for role in ROLES:
        user = users[role]
        expected = {}
        for one in Period.objects.all():
            try:
                expected[one.pk] = ranking_access(user, one)
            except (PermissionDenied, Http404):
                continue
        assert {p.pk: a for p, a in readable_periods(user)} == expected, role
    # The two ends of the rule, spelled out: the administrator reads all but the one being set up; an officer
    # reads only the period published now.
    assert [p.pk for p, _a in readable_periods(users["admin"])] == [
        periods[s].pk for s in ("unpublished", "published", "finalised", "appraisal", "open")
    ]
    assert [p.pk for p, _a in readable_periods(users["officer"])] == [periods["published"].pk]

"""The analysis pages of issue 9 (item 3) and the year over year of item 2, checked against hand-computed figures:
an agency's scorecard (live, published, and its own self view before publication, which must show nothing of
another agency), the criterion analysis, the accountability warning list of seed 001 at its exact boundary, the
previous year through a merger of two communes; who may open each page before and after publication; and a
constant number of queries whatever the number of agencies.

The period every page test uses (compact set: domain 1 of 3 points, domain 2 of 2, survey 2):

    leaf      max  Sở KH&CN (A): self / round 1 / round 2   Sở Tư pháp (B): self / round 1
    1.1        1   0 / 0 «Chưa ban hành…» / 0,25 «Đã bổ sung…»  0 / 0 «Ý kiến riêng…»
    1.2        1   0 / 1                                         not applicable
    1.3        1   0 / 1                                         0 / 0,5
    2.1.1.1    1   0 / 0,5 «Kế hoạch theo dõi…»                  0 / 0,5
    2.1.2      1   1 / 1                                         1 / 0,75
    survey     2   1                                             1

A: domain 1 = 2,25/3 = 75,00 %, domain 2 = 1,5/2 = 75,00 %, index (3,75 + 1) / 7 = 67,86, rank 1/2.
B: domain 1 = 0,5/2 = 25,00 %, domain 2 = 1,25/2 = 62,50 %, index (1,75 + 1) / 6 = 45,83, rank 2/2.
Group average: domain 1 (75 + 25) / 2 = 50,00 %, domain 2 (75 + 62,5) / 2 = 68,75 %.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from appraisal.explaining import return_for_explanation
from appraisal.models import RankingGroup, RankingMember
from appraisal.publishing import period_finalise, period_publish, period_unpublish
from appraisal.services import AppraisalEdit, appraisal_save, explanation_request
from assessments.models import Period, PeriodState, Score
from organisations.models import Agency, AgencyKind, Role
from reports.access import Source, scorecard_access
from reports.accountability import AccountabilityWarning, accountability_warnings, is_below
from reports.losses import criterion_losses, group_choices
from reports.scorecard import build_scorecard
from reports.yoy import previous_results

from .factories import appraisal_period, make_agency, make_index_set, make_user
from .test_appraisal_results import appraise, give_survey

D = Decimal
pytestmark = pytest.mark.django_db

ROUTES = {"reports:scorecard", "reports:criteria", "reports:warnings"}

A_COMMENT_1 = "Chưa ban hành kế hoạch CCHC năm"
A_COMMENT_2 = "Đã bổ sung một phần"
A_COMMENT_LEAF = "Kế hoạch theo dõi ban hành muộn"
B_COMMENT = "Ý kiến riêng về Sở Tư pháp"


# ---- building the period through the services --------------------------------------------------------------


def score_of(period: Period, agency: Agency, code: str) -> Score:
    return Score.objects.select_related("node", "assessment").get(
        assessment__period=period, assessment__agency=agency, node__code=code
    )


def appraise_leaf(period: Period, agency: Agency, code: str, points: str, user, comment: str = "") -> None:
    score = score_of(period, agency, code)
    appraisal_save(score=score, edit=AppraisalEdit(points=D(points), comment=comment), version=score.version, user=user)


def set_explanation_deadline(period: Period, days: int) -> None:
    Period.objects.filter(pk=period.pk).update(explanation_deadline=timezone.now() + datetime.timedelta(days=days))


def build_live(users, a: Agency, b: Agency, *extra: Agency) -> Period:
    """The period of the module docstring, in appraisal; ``extra`` agencies keep their self points accepted."""
    reviewer = users["reviewer"]
    period = appraisal_period(a, b, *extra, reviewer=reviewer, admin=users["admin"])
    Score.objects.filter(assessment__period=period, assessment__agency=b, node__code="1.2").update(
        not_applicable=True, not_applicable_reason="Không phát sinh", self_points=None, answer_yes=None
    )
    Period.objects.filter(pk=period.pk).update(warning_domains="2")
    set_explanation_deadline(period, 7)
    appraise_leaf(period, a, "1.1", "0", reviewer, A_COMMENT_1)
    appraise_leaf(period, a, "1.2", "1", reviewer)
    appraise_leaf(period, a, "1.3", "1", reviewer)
    appraise_leaf(period, a, "2.1.1.1", "0.5", reviewer, A_COMMENT_LEAF)
    appraise_leaf(period, a, "2.1.2", "1", reviewer)
    appraise_leaf(period, b, "1.1", "0", reviewer, B_COMMENT)
    appraise_leaf(period, b, "1.3", "0.5", reviewer)
    appraise_leaf(period, b, "2.1.1.1", "0.5", reviewer)
    appraise_leaf(period, b, "2.1.2", "0.75", reviewer)
    for agency in extra:
        appraise(period, reviewer, agency=agency)
    # Round 2 on A's leaf 1.1: asked, returned, no answer before the deadline.
    explanation_request(score=score_of(period, a, "1.1"), kind="explain", text="Gửi kế hoạch", user=reviewer)
    return_for_explanation(period=period, user=users["admin"])
    set_explanation_deadline(period, -1)
    appraise_leaf(period, a, "1.1", "0.25", reviewer, A_COMMENT_2)
    give_survey(period, D(1))
    period.refresh_from_db()
    return period


def publish(period: Period, admin) -> Period:
    period_finalise(period=period, user=admin)
    period_publish(period=period, user=admin, decision="15/QĐ-UBND")
    period.refresh_from_db()
    return period


@pytest.fixture
def live(users, agency, other_agency) -> Period:
    return build_live(users, agency, other_agency)


@pytest.fixture
def published(live, users) -> Period:
    return publish(live, users["admin"])


# ---- the scorecard ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["live", "published"])
def test_scorecard_figures_ranks_average_and_both_rounds(request, users, agency, state):
    period = request.getfixturevalue(state)
    card = build_scorecard(period, agency.pk, scorecard_access(users["admin"], period, agency.pk))
    assert card is not None and card.access.source == (Source.LIVE if state == "live" else Source.PUBLISHED)
    assert (card.row.index, card.row.rank, card.row.rank_of, card.row.band) == (D("67.86"), 1, 2, "average")
    assert [(d.code, d.points, d.max, d.share, d.rank) for d in card.domains] == [
        ("1", D("2.25"), D(3), D(75), 1),
        ("2", D("1.5"), D(2), D(75), 1),
    ]
    assert [d.group_average for d in card.domains] == [D(50), D("68.75")]
    assert [d.below_warning for d in card.domains] == [False, False]  # 75,00 % is not below 75 %
    assert [(leaf.code, leaf.self_points, leaf.final, leaf.lost) for leaf in card.lost] == [
        ("1.1", D(0), D("0.25"), D("0.75")),
        ("2.1.1.1", D(0), D("0.5"), D("0.5")),
    ]
    first = card.lost[0]
    assert (first.round1.points, first.round1.comment) == (D(0), A_COMMENT_1)
    assert (first.round2.points, first.round2.comment, first.round2.reviewer) == (
        D("0.25"),
        A_COMMENT_2,
        users["reviewer"],
    )
    assert card.lost[1].round2 is None


def test_scorecard_page_for_leadership_shows_the_group_and_the_comments(client, users, agency, live):
    client.force_login(users["leadership"])
    page = client.get(reverse("reports:scorecard", args=[live.pk, agency.pk])).text
    assert "Kết quả tạm tính" in page and "67,86" in page and 'id="rank">1/2<' in page
    assert "50,00" in page and "68,75" in page  # the group's averages, in the table and the chart
    assert A_COMMENT_1 in page and A_COMMENT_2 in page and A_COMMENT_LEAF in page
    assert "thamdinh" in page  # the reviewer who wrote them
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "Bình quân khối" in page
    assert B_COMMENT not in page  # another agency's leaf comments never appear on this one's card


def test_own_scorecard_before_publication_shows_self_points_and_nothing_of_others(client, users, agency, live):
    """SELF: self points and notes only — no rank, no group average, no appraisal, no other agency."""
    card = build_scorecard(live, agency.pk, scorecard_access(users["officer"], live, agency.pk))
    assert card is not None and card.is_self
    # fill_sheet scored every leaf 0 except the deduction leaf 2.1.2 (no events: its max).
    assert (card.row.points, card.row.applicable_max, card.self_share) == (D(1), D(5), D(20))
    assert [d.group_average for d in card.domains] == [None, None] and [d.rank for d in card.domains] == [0, 0]
    assert (card.row.rank, card.row.rank_of, [r.agency_id for r in card.group.rows]) == (0, 0, [agency.pk])
    assert [leaf.code for leaf in card.lost] == ["1.1", "1.2", "1.3", "2.1.1.1"]
    assert all(leaf.rounds == {} and leaf.note == "Thuyết minh" for leaf in card.lost)

    client.force_login(users["officer"])
    page = client.get(reverse("reports:scorecard", args=[live.pk, agency.pk])).text
    assert "Điểm tự chấm, chưa công bố" in page and "20,00 %" in page and "Thuyết minh" in page
    for leaked in (
        "Sở Tư pháp",  # the other agency's name
        "45,83",  # its index
        "62,50",  # its domain 2 share
        "68,75",  # the group's average, computed with it
        "Bình quân khối",
        'id="rank"',
        "67,86",  # its own appraised index is not shown before publication either
        A_COMMENT_1,
        A_COMMENT_2,
        B_COMMENT,
    ):
        assert leaked not in page, leaked


def test_not_applicable_leaf_is_not_a_lost_leaf(users, agency, live):
    Score.objects.filter(assessment__period=live, assessment__agency=agency, node__code="1.2").update(
        not_applicable=True, not_applicable_reason="Không phát sinh", self_points=None, answer_yes=None
    )
    card = build_scorecard(live, agency.pk, scorecard_access(users["head"], live, agency.pk))
    assert card is not None and [leaf.code for leaf in card.lost] == ["1.1", "1.3", "2.1.1.1"]


def test_scorecard_of_an_agency_without_a_sheet_is_not_found(client, users, live):
    outsider = make_agency("Sở Xây dựng")
    client.force_login(users["admin"])
    assert client.get(reverse("reports:scorecard", args=[live.pk, outsider.pk])).status_code == 404


# ---- the criterion analysis ------------------------------------------------------------------------------------


def test_criterion_analysis_sorts_where_most_agencies_lose_points(client, users, live):
    choices, grouped = group_choices(live)
    assert not grouped and [(c.spec.key, c.sheets) for c in choices] == [(AgencyKind.DEPARTMENT, 2)]
    rows = criterion_losses(live, choices[0].spec, grouped=grouped)
    assert [(r.code, r.agencies, r.lost_by, r.obtained, r.maximum, r.points_lost, r.share) for r in rows] == [
        ("1.1", 2, 2, D("0.25"), D(2), D("1.75"), D("12.5")),
        ("2.1.1.1", 2, 2, D(1), D(2), D(1), D(50)),
        ("1.3", 2, 1, D("1.5"), D(2), D("0.5"), D(75)),
        ("2.1.2", 2, 1, D("1.75"), D(2), D("0.25"), D("87.5")),
        ("1.2", 1, 0, D(1), D(1), D(0), D(100)),  # not applicable for B: one agency only
    ]
    client.force_login(users["admin"])
    page = client.get(reverse("reports:criteria", args=[live.pk])).text
    assert page.index('data-code="1.1"') < page.index('data-code="2.1.1.1"') < page.index('data-code="1.2"')
    assert ">2/2<" in page and "12,50" in page and "1,75" in page and "<svg" in page


def test_criterion_analysis_per_ranking_group(client, users, agency, other_agency, live):
    first = RankingGroup.objects.create(period=live, name="Khối A", position=0)
    second = RankingGroup.objects.create(period=live, name="Khối B", position=1)
    RankingMember.objects.create(group=first, assessment=live.assessments.get(agency=agency))
    RankingMember.objects.create(group=second, assessment=live.assessments.get(agency=other_agency))
    choices, grouped = group_choices(live)
    assert grouped and [(c.spec.label, c.sheets) for c in choices] == [("Khối A", 1), ("Khối B", 1)]
    rows = criterion_losses(live, choices[1].spec, grouped=True)
    # B alone: 1.2 is not applicable; equal losses keep the tree order (1.3 before 2.1.1.1).
    assert [(r.code, r.lost_by, r.points_lost) for r in rows] == [
        ("1.1", 1, D(1)),
        ("1.3", 1, D("0.5")),
        ("2.1.1.1", 1, D("0.5")),
        ("2.1.2", 1, D("0.25")),
    ]
    client.force_login(users["admin"])
    page = client.get(reverse("reports:criteria", args=[live.pk]), {"khoi": f"g{second.pk}"}).text
    assert "Khối B" in page and ">1/1<" in page and 'data-code="1.2"' not in page


def listed(html: str) -> list[str]:
    """The leaves of the criterion analysis table, in their order."""
    return re.findall(r'<tr data-code="([^"]+)">', html)


# (query, the leaves listed): 1.1 lost by 2/2, 2.1.1.1 by 2/2, 1.3 by 1/2, 2.1.2 by 1/2, 1.2 by 0/1 (not
# applicable for B).
FILTERS = [
    ({}, ["1.1", "2.1.1.1", "1.3", "2.1.2", "1.2"]),
    ({"linh_vuc": "1"}, ["1.1", "1.3", "1.2"]),
    ({"linh_vuc": "2"}, ["2.1.1.1", "2.1.2"]),
    ({"mat_diem": "0"}, ["1.1", "2.1.1.1", "1.3", "2.1.2"]),
    ({"mat_diem": "50"}, ["1.1", "2.1.1.1", "1.3", "2.1.2"]),  # 1 of 2 is exactly 50 %
    ({"mat_diem": "75"}, ["1.1", "2.1.1.1"]),
    ({"linh_vuc": "1", "mat_diem": "75"}, ["1.1"]),
    ({"linh_vuc": "2", "mat_diem": "0"}, ["2.1.1.1", "2.1.2"]),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_criterion_analysis_filters_by_domain_and_share_of_agencies_that_lost(client, users, live, query, expected):
    client.force_login(users["leadership"])
    page = client.get(reverse("reports:criteria", args=[live.pk]), query).text
    assert listed(page) == expected
    assert "data-ignored" not in page
    # The form shows the filter applied; the chart follows it (one bar per listed leaf someone lost points on).
    for name, value in query.items():
        assert re.search(rf'<select name="{name}"[^>]*>.*?<option value="{value}" selected>', page, re.S), name
    bars = re.findall(r"<rect[^>]*class=\"bar\"", page)
    assert len(bars) == 2 * len([c for c in expected if c != "1.2"])  # drawn for desktop and phone
    assert ("Hiển thị" in page) == bool(query)
    if query:
        assert f"Hiển thị {len(expected)}/5 tiêu chí thành phần." in page


def test_criterion_analysis_offers_the_groups_domains(client, users, live):
    client.force_login(users["leadership"])
    page = client.get(reverse("reports:criteria", args=[live.pk])).text
    select = re.search(r'<select name="linh_vuc".*?</select>', page, re.S).group(0)
    assert re.findall(r"<option [^>]*>([^<]*)</option>", select) == [
        "Mọi lĩnh vực",
        "1. Công tác chỉ đạo, điều hành",
        "2. Văn bản quy phạm pháp luật",
    ]


@pytest.mark.parametrize(
    ("query", "ignored"),
    [
        ({"linh_vuc": "9", "mat_diem": "abc"}, "Lĩnh vực, Tiêu chí thành phần"),
        ({"linh_vuc": "<b>1</b>"}, "Lĩnh vực"),
        ({"mat_diem": "33"}, "Tiêu chí thành phần"),  # not a share offered
        ({"mat_diem": "-5", "linh_vuc": "2"}, "Tiêu chí thành phần"),
    ],
)
def test_bad_filter_values_are_ignored_with_a_message(client, users, live, query, ignored):
    client.force_login(users["admin"])
    response = client.get(reverse("reports:criteria", args=[live.pk]), query)
    assert response.status_code == 200
    html = response.text
    assert f"Giá trị không hợp lệ của bộ lọc đã được bỏ qua: {ignored}." in html
    assert "<b>1</b>" not in html
    # The valid part still applies.
    expected = ["2.1.1.1", "2.1.2"] if query.get("linh_vuc") == "2" else ["1.1", "2.1.1.1", "1.3", "2.1.2", "1.2"]
    assert listed(html) == expected


def test_filter_keeps_the_ranking_group(client, users, agency, other_agency, live):
    first = RankingGroup.objects.create(period=live, name="Khối A", position=0)
    second = RankingGroup.objects.create(period=live, name="Khối B", position=1)
    RankingMember.objects.create(group=first, assessment=live.assessments.get(agency=agency))
    RankingMember.objects.create(group=second, assessment=live.assessments.get(agency=other_agency))
    client.force_login(users["admin"])
    url = reverse("reports:criteria", args=[live.pk])
    # Khối A is agency A alone: lost points on 1.1 and 2.1.1.1 only.
    page = client.get(url, {"khoi": f"g{first.pk}", "linh_vuc": "1", "mat_diem": "75"}).text
    assert listed(page) == ["1.1"]
    assert f'<input type="hidden" name="khoi" value="g{first.pk}">' in page  # the form submits the group again
    # The link to the other group keeps the share and drops the domain (each group has its own domains).
    assert f'href="?khoi=g{second.pk}&amp;mat_diem=75"' in page
    other = client.get(url, {"khoi": f"g{second.pk}", "mat_diem": "75"}).text
    assert listed(other) == ["1.1", "1.3", "2.1.1.1", "2.1.2"]  # B lost on every leaf that applies to it


# ---- the accountability warnings (seed 001) --------------------------------------------------------------------


def test_below_is_strict_at_the_exact_boundary():
    assert not is_below(D("2.25"), D(3), D(75))  # 75,00 %
    assert is_below(D("2.24"), D(3), D(75))  # 74,67 %
    assert not is_below(D(0), D(0), D(75))  # a domain without points to give (all not applicable)
    # Shown half up like every share, but a share just under the threshold never reads as the threshold itself.
    almost = AccountabilityWarning(1, "X", "", "3", "TTHC", D("149.99"), D(200), D(75))
    assert almost.share == D("74.995") and almost.share_shown == D("74.99")
    assert AccountabilityWarning(1, "X", "", "3", "TTHC", D("10.5"), D(16), D(75)).share_shown == D("65.63")


def test_warning_list_follows_the_periods_domains_and_threshold(client, users, live):
    def listed() -> list[tuple[str, str, Decimal, Decimal]]:
        live.refresh_from_db()
        groups = scorecard_access(users["admin"], live, 0).results(live)
        return [(w.agency_name, w.code, w.points, w.max) for w in accountability_warnings(live, groups)]

    # Domain 2 only: A's 1,5/2 is exactly 75,00 % (not below); B's 1,25/2 is 62,50 %.
    assert listed() == [("Sở Tư pháp", "2", D("1.25"), D(2))]
    Period.objects.filter(pk=live.pk).update(warning_domains="1, 2")
    assert listed() == [("Sở Tư pháp", "1", D("0.5"), D(2)), ("Sở Tư pháp", "2", D("1.25"), D(2))]
    Period.objects.filter(pk=live.pk).update(warning_threshold=D("75.01"))
    assert [row[:2] for row in listed()] == [
        ("Sở Khoa học và Công nghệ", "1"),
        ("Sở Khoa học và Công nghệ", "2"),
        ("Sở Tư pháp", "1"),
        ("Sở Tư pháp", "2"),
    ]
    client.force_login(users["admin"])
    page = client.get(reverse("reports:warnings", args=[live.pk])).text
    assert "dưới 75,01 % số điểm tối đa" in page and ">4 trường hợp" in page
    assert "0,5/2" in page and "25,00" in page and "62,50" in page and "75,00" in page


def test_warning_page_reads_the_published_snapshot(client, users, published):
    client.force_login(users["other_officer"])
    page = client.get(reverse("reports:warnings", args=[published.pk])).text
    assert "Theo kết quả đã công bố." in page
    assert 'data-code="2"' in page and "1,25/2" in page and "62,50" in page
    assert "Sở Khoa học và Công nghệ</a>" not in page  # exactly 75,00 %: not listed


# ---- the period form: threshold and domains ----------------------------------------------------------------------


def test_period_form_saves_the_warning_threshold_and_domains(client, users, agency):
    index_set = make_index_set(name="Bộ 2027", year_from=2027)
    data = {
        "year": "2027",
        "name": "Chỉ số CCHC năm 2027",
        f"set_{AgencyKind.DEPARTMENT}": str(index_set.pk),
        "self_assessment_deadline": "15/01/2027 17:00",
        "band_good_min": "80",
        "band_fair_min": "70",
        "band_average_min": "60",
        "bonus_cap": "0",
        "penalty_cap": "0",
        "warning_threshold": "72,5",
        "warning_domains": "2;1",
    }
    client.force_login(users["admin"])
    page = client.get(reverse("assessments:period_add")).text
    assert 'name="warning_threshold" value="75"' in page and 'value="3, 7"' in page  # the seed's defaults
    # A code the chosen set does not have is refused, with the reason, and nothing is saved.
    refused = client.post(reverse("assessments:period_add"), {**data, "warning_domains": "2, 9"})
    assert refused.status_code == 200 and "Bộ chỉ số đã chọn không có lĩnh vực mã: 9." in refused.text
    assert not Period.objects.exists()
    too_high = client.post(reverse("assessments:period_add"), {**data, "warning_threshold": "100,5"})
    assert "Không được lớn hơn 100." in too_high.text and not Period.objects.exists()

    response = client.post(reverse("assessments:period_add"), data)
    assert response.status_code == 302, response.text
    period = Period.objects.get()
    assert (period.warning_threshold, period.warning_domains, period.warning_domain_codes) == (
        D("72.5"),
        "2, 1",
        ["2", "1"],
    )
    edit = client.get(reverse("assessments:period_edit", args=[period.pk])).text
    assert 'value="72,50"' in edit and 'value="2, 1"' in edit


# ---- year over year through a merger ---------------------------------------------------------------------------


@pytest.fixture
def communes(db):
    return {
        name: make_agency(name, AgencyKind.COMMUNE)
        for name in ("UBND xã An Bình", "UBND xã An Lạc", "UBND phường Hòa Bình", "UBND xã An Phú")
    }


def test_previous_year_through_a_merger_of_two_communes(client, users, communes):
    """2025: An Bình, An Lạc and Hòa Bình ranked. Then An Bình and An Lạc merged into the new An Phú.

    An Bình: 1.1 1, 1.2 1, 1.3 1, 2.1.1.1 0,5, 2.1.2 0, survey 2 → (3,5 + 2) / 7 = 78,57; domains 100 %, 25 %.
    An Lạc: 1.1 0,5, 1.2 0, 1.3 0,5, 2.1.1.1 1, 2.1.2 1, survey 2 → (3 + 2) / 7 = 71,43; domains 33,33 %, 100 %.
    Hòa Bình: its self points (0, 0, 0, 0, 1), survey 0 → 1 / 7 = 14,29; domains 0 %, 50 %; rank 3/3.
    An Phú in 2026: (78,57 + 71,43) / 2 = 75,00; domain 1 (100 + 33,33…) / 2 = 66,67 %; domain 2 62,50 %.
    """
    an_binh, an_lac, hoa_binh, an_phu = communes.values()
    reviewer, admin = users["reviewer"], users["admin"]
    old_set = make_index_set(AgencyKind.COMMUNE, name="Bộ xã 2025", year_from=2025)
    before = appraisal_period(an_binh, an_lac, hoa_binh, reviewer=reviewer, admin=admin, index_set=old_set, year=2025)
    for code, points in {"1.1": "1", "1.2": "1", "1.3": "1", "2.1.1.1": "0.5", "2.1.2": "0"}.items():
        appraise_leaf(before, an_binh, code, points, reviewer)
    for code, points in {"1.1": "0.5", "1.2": "0", "1.3": "0.5", "2.1.1.1": "1", "2.1.2": "1"}.items():
        appraise_leaf(before, an_lac, code, points, reviewer)
    appraise(before, reviewer, agency=hoa_binh)
    for commune, points in ((an_binh, 2), (an_lac, 2), (hoa_binh, 0)):
        give_survey(before, D(points), agency=commune)
    period_finalise(period=before, user=admin)

    Agency.objects.filter(pk__in=[an_binh.pk, an_lac.pk]).update(merged_into=an_phu, is_active=False)
    new_set = make_index_set(AgencyKind.COMMUNE, name="Bộ xã 2026", year_from=2026)
    now = appraisal_period(an_phu, hoa_binh, reviewer=reviewer, admin=admin, index_set=new_set, year=2026)
    assert previous_results(now) == {}  # 2025 finalised but not published: nothing to compare with

    period_publish(period=before, user=admin)
    with_merger = previous_results(now)
    merged, own = with_merger[an_phu.pk], with_merger[hoa_binh.pk]
    assert merged.merged and merged.sources == ("UBND xã An Bình", "UBND xã An Lạc") and merged.year == 2025
    assert merged.index == D("75.00") and merged.rank == 0
    assert merged.domains["1"].quantize(D("0.01")) == D("66.67") and merged.domains["2"] == D("62.5")
    assert not own.merged and own.sources == ("UBND phường Hòa Bình",)
    assert (own.index, own.rank, own.rank_of, own.domains) == (D("14.29"), 3, 3, {"1": D(0), "2": D(50)})

    # The new commune's officer sees last year's figures on its own scorecard, saying where they come from.
    officer = make_user("chuyenvien.anphu", Role.OFFICER, an_phu)
    client.force_login(officer)
    page = client.get(reverse("reports:scorecard", args=[now.pk, an_phu.pk])).text
    assert "Năm 2025 (đã công bố)" in page and "75,00" in page and "66,67" in page and "62,50" in page
    assert "Bình quân của các đơn vị hợp nhất: UBND xã An Bình, UBND xã An Lạc" in page
    assert "UBND phường Hòa Bình" not in page  # the other agency of this year's period stays unseen

    # Unpublished again: last year no longer counts.
    period_unpublish(period=before, user=admin, reason="Sai điểm điều tra")
    assert previous_results(now) == {}


def test_previous_results_cost_three_queries_whatever_the_number_of_agencies(
    users, communes, django_assert_num_queries
):
    """1. the current period's agencies, 2. the previous year's snapshot (the year as a subquery), 3. mergers."""
    agencies = list(communes.values())
    old_set = make_index_set(AgencyKind.COMMUNE, name="Bộ xã 2025", year_from=2025)
    before = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], index_set=old_set, year=2025)
    appraise(before, users["reviewer"])
    give_survey(before, D(1))
    publish(before, users["admin"])
    new_set = make_index_set(AgencyKind.COMMUNE, name="Bộ xã 2026", year_from=2026)
    small = appraisal_period(agencies[0], reviewer=users["reviewer"], admin=users["admin"], index_set=new_set)
    Period.objects.filter(pk=small.pk).update(name="Kỳ nhỏ")
    large = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], index_set=new_set)
    for period, size in ((small, 1), (large, 4)):
        with django_assert_num_queries(3):
            assert len(previous_results(period)) == size


# ---- who may open each page, before and after publication ------------------------------------------------------

WHO = ["admin", "leadership", "reviewer", "head", "officer", "other_officer", "no_role", "anonymous"]

# who → the status of agency A's scorecard (200 before publication: live for the province, SELF for A's staff)
SCORECARD = {
    "before": {
        "admin": 200,
        "leadership": 200,
        "reviewer": 403,
        "head": 200,
        "officer": 200,
        "other_officer": 403,
        "no_role": 404,
        "anonymous": 302,
    },
    "after": {**dict.fromkeys(WHO, 200), "no_role": 404, "anonymous": 302},
}
RANKING = {
    "before": {
        **dict.fromkeys(["reviewer", "head", "officer", "other_officer"], 403),
        "admin": 200,
        "leadership": 200,
        "no_role": 404,
        "anonymous": 302,
    },
    "after": SCORECARD["after"],
}


def _get(client, users, who: str, url: str):
    client.logout()
    if who != "anonymous":
        client.force_login(users[who])
    return client.get(url)


@pytest.mark.parametrize("when", ["before", "after"])
def test_scorecard_permission_matrix(request, client, users, agency, when):
    period = request.getfixturevalue("live" if when == "before" else "published")
    url = reverse("reports:scorecard", args=[period.pk, agency.pk])
    for who in WHO:
        response = _get(client, users, who, url)
        assert response.status_code == SCORECARD[when][who], who
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), who
        if response.status_code != 200:
            assert "67,86" not in response.text and "Thuyết minh" not in response.text, who
            continue
        # The page offers its PDF, and the PDF opens for the same reader.
        pdf = reverse("reports:scorecard_pdf", args=[period.pk, agency.pk])
        assert f'href="{pdf}" download data-scorecard-pdf' in response.text, who
        download = client.get(pdf)
        assert download.status_code == 200 and download.content.startswith(b"%PDF"), who
        own_before = when == "before" and who in ("head", "officer")
        if own_before:  # self points only
            assert "20,00 %" in response.text and "67,86" not in response.text and "Sở Tư pháp" not in response.text
        else:
            assert "67,86" in response.text and 'id="rank">1/2<' in response.text and "68,75" in response.text, who
            assert ("Kết quả đã công bố" in response.text) == (when == "after"), who


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize(("name", "figure"), [("criteria", "12,50"), ("warnings", "62,50")])
def test_ranking_pages_permission_matrix(request, client, users, when, name, figure):
    period = request.getfixturevalue("live" if when == "before" else "published")
    url = reverse(f"reports:{name}", args=[period.pk])
    for who in WHO:
        response = _get(client, users, who, url)
        assert response.status_code == RANKING[when][who], who
        assert (figure in response.text) == (response.status_code == 200), who


def test_a_period_being_set_up_shows_nothing(client, users, agency):
    period = Period.objects.create(year=2027, name="Kỳ mới")
    assert period.state == PeriodState.SETUP
    client.force_login(users["admin"])
    for url in (
        reverse("reports:scorecard", args=[period.pk, agency.pk]),
        reverse("reports:criteria", args=[period.pk]),
        reverse("reports:warnings", args=[period.pk]),
    ):
        assert client.get(url).status_code == 403, url


# ---- constant queries ----------------------------------------------------------------------------------------------


@pytest.fixture
def larger(users, agency, other_agency):
    """The same figures for A and B, with four more departments."""
    extra = [make_agency(f"Sở Thêm {n}") for n in range(4)]
    return build_live(users, agency, other_agency, *extra)


# Queries of each page, the same for 2 and 6 agencies:
# all: 1 session, 2 user, 3 period, 4 the user's roles, and the last: the notice badge.
# scorecard live: 5–10 the live results (groups, sheets, domains, sums per domain, survey, bonus/penalty),
#   11–13 last year (agencies, snapshot, mergers), 14 the lost leaves, 15 their appraisal entries → 16.
# published: 5 the publication in force, 6 the snapshot, then as live → 12.
# own scorecard before publication (SELF): the live queries less survey and bonus/penalty (self points have
#   none), last year, the lost leaves (no appraisal entries) → 13.
# criteria: 5 the groups, 6 sheets per group, 7 the grouped sums per leaf → 8 (published: +1 the publication).
# warnings: the six live queries → 11 (published: publication and snapshot → 7).
# A filtered criteria page costs the same: the filter is applied to the one query's leaves.
PINS = {
    ("scorecard", "admin", "before"): 16,
    ("scorecard", "officer", "before"): 13,
    ("scorecard", "admin", "after"): 12,
    ("criteria", "admin", "before"): 8,
    ("criteria", "admin", "after"): 9,
    ("criteria_filtered", "admin", "before"): 8,
    ("criteria_filtered", "admin", "after"): 9,
    ("warnings", "admin", "before"): 11,
    ("warnings", "admin", "after"): 7,
}


@pytest.mark.parametrize("size", ["live", "larger"])
def test_pages_cost_a_constant_number_of_queries(request, client, users, agency, size, django_assert_num_queries):
    period = request.getfixturevalue(size)
    urls = {
        "scorecard": reverse("reports:scorecard", args=[period.pk, agency.pk]),
        "criteria": reverse("reports:criteria", args=[period.pk]),
        "criteria_filtered": reverse("reports:criteria", args=[period.pk]) + "?linh_vuc=1&mat_diem=50",
        "warnings": reverse("reports:warnings", args=[period.pk]),
    }
    for when in ("before", "after"):
        if when == "after":
            publish(period, users["admin"])
        for (name, who, at), expected in PINS.items():
            if at != when:
                continue
            client.force_login(users[who])
            with django_assert_num_queries(expected):
                assert client.get(urls[name]).status_code == 200

"""The ranking and heat map pages (issue 9, item 3): figures checked against hand-computed ones on a small
period built through the services, live and as published; ranking groups with their own bands; who may
see them before and after publication (reports/access.py, nothing else); a constant number of queries."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from appraisal.models import AdjustmentKind, RankingGroup, RankingMember
from appraisal.publishing import period_finalise, period_publish
from assessments.models import Period, PeriodState

from .factories import appraisal_period, make_agency, open_period
from .test_appraisal_results import adjust, appraise, give_survey

D = Decimal
pytestmark = pytest.mark.django_db

ROUTES = {"reports:ranking", "reports:heatmap"}
THIRD = "Sở <Xây dựng> & Hạ tầng"  # a name that must be escaped in the table and in the SVG


@pytest.fixture
def third(db):
    return make_agency(THIRD)


@pytest.fixture
def period(users, agency, other_agency, third):
    """Three departments on the compact set (domain 1: 3 points, domain 2: 2, survey: 2), built through the
    services. fill_sheet gave every leaf 0 except the deduction leaf 2.1.2 (no events: 1 point).

    - agency: everything appraised at its max → 3/3 + 2/2; survey 1,5 → 6,5 / 7 = 92,857… → 92,86 (Tốt)
    - third: 1.1 = 1, 2.1.1.1 = 0,5 → 1/3 + 1,5/2; survey 1,5; bonus 1, penalty 0,5 → 4,5 / 7 → 64,29 (TB)
    - other_agency: 1.1 = 0,5, 2.1.1.1 = 1 → 0,5/3 + 2/2; survey 1,5 → 4 / 7 = 57,142… → 57,14 (Yếu)
    """
    p = appraisal_period(agency, other_agency, third, reviewer=users["reviewer"], admin=users["admin"])
    reviewer = users["reviewer"]
    appraise(p, reviewer, {"1.1": D(1), "1.2": D(1), "1.3": D(1), "2.1.1.1": D(1)}, agency=agency)
    appraise(p, reviewer, {"1.1": D(1), "2.1.1.1": D("0.5")}, agency=third)
    appraise(p, reviewer, {"1.1": D("0.5"), "2.1.1.1": D(1)}, agency=other_agency)
    give_survey(p, D("1.5"))
    Period.objects.filter(pk=p.pk).update(bonus_cap=D(2), penalty_cap=D(2))
    sheet = p.assessments.get(agency=third)
    adjust(sheet, AdjustmentKind.BONUS, D(1))
    adjust(sheet, AdjustmentKind.PENALTY, D("0.5"))
    p.refresh_from_db()
    return p


def publish(period: Period, admin) -> None:
    period_finalise(period=period, user=admin)
    period_publish(period=period, user=admin, decision="125/QĐ-UBND")
    period.refresh_from_db()


def cells(html: str, agency_id: int) -> list[str]:
    """The text of each cell of an agency's table row, whitespace collapsed."""
    row = re.search(rf'<tr data-agency="{agency_id}">(.*?)</tr>', html, re.S)
    assert row is not None, agency_id
    found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in found]


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg .*?</svg>", html, re.S)]  # noqa: S314 — our output


def svg_texts(svg: ET.Element) -> list[str]:
    return [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]


# ---- figures ---------------------------------------------------------------------------------------------


def test_ranking_page_live_figures_table_and_chart(client, users, period, agency, other_agency, third):
    client.force_login(users["admin"])
    response = client.get(reverse("reports:ranking", args=[period.pk]))
    assert response.status_code == 200
    html = response.text
    assert 'data-source="live"' in html and "Số liệu tạm tính, chưa công bố." in html
    # Rank, agency, domain 1 (points/max, rank in domain), domain 2, appraised, survey, bonus/penalty, total,
    # index, band.
    assert cells(html, agency.pk) == [
        "1/3",
        "Sở Khoa học và Công nghệ",
        "3 /3 hạng 1/3",
        "2 /2 hạng 1/3",
        "5/5",
        "1,5/2",
        "—",
        "6,5",
        "92,86",
        "Tốt",
    ]
    assert cells(html, third.pk) == [
        "2/3",
        "Sở &lt;Xây dựng&gt; &amp; Hạ tầng",
        "1 /3 hạng 2/3",
        "1,5 /2 hạng 3/3",
        "2,5/5",
        "1,5/2",
        "+1 / −0,5",
        "4,5",
        "64,29",
        "Trung bình",
    ]
    assert cells(html, other_agency.pk) == [
        "3/3",
        "Sở Tư pháp",
        "0,5 /3 hạng 3/3",
        "2 /2 hạng 1/3",  # 100 % like agency's: a shared rank
        "2,5/5",
        "1,5/2",
        "—",
        "4",
        "57,14",
        "Yếu",
    ]
    assert THIRD not in html  # escaped everywhere
    # Row order is the rank.
    assert html.index(f'data-agency="{agency.pk}"') < html.index(f'data-agency="{third.pk}"')
    assert html.index(f'data-agency="{third.pk}"') < html.index(f'data-agency="{other_agency.pk}"')

    desktop, phone = svgs(html)
    assert phone.get("width") == "360" and desktop.get("width") == "720"
    for chart in (desktop, phone):
        bars = chart.findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']")
        assert len(bars) == 3
        words = svg_texts(chart)
        assert [w for w in words if w in {"92,86", "64,29", "57,14"}] == ["92,86", "64,29", "57,14"]
        # The reference line: the group's average (92,86 + 64,29 + 57,14) / 3 = 71,43.
        assert "Trung bình khối 71,43 %" in words
        assert f"2. {THIRD}" in words  # read back unescaped
        # Bars coloured by band: good, average, weak all differ.
        assert len({bar.get("fill") for bar in bars}) == 3
    assert "trung bình 71,43%" in html


def test_heat_map_shares_per_domain(client, users, period, agency, other_agency, third):
    client.force_login(users["leadership"])
    response = client.get(reverse("reports:heatmap", args=[period.pk]))
    assert response.status_code == 200
    (chart,) = svgs(response.text)
    cells_ = chart.findall(".//{http://www.w3.org/2000/svg}rect[@class='cell']")
    assert len(cells_) == 3 * 3  # 3 agencies × (2 domains + the index)
    # In rank order: agency 100 / 100 / 92,86; third 33,33 / 75 / 64,29; other 16,67 / 100 / 57,14.
    shown = [w for w in svg_texts(chart) if re.fullmatch(r"\d+,\d\d", w)]
    assert shown == ["100,00", "100,00", "92,86", "33,33", "75,00", "64,29", "16,67", "100,00", "57,14"]
    values = [D(c.get("data-value", "")).quantize(D("0.01")) for c in cells_]
    assert values == [D(v) for v in ("100", "100", "92.86", "33.33", "75", "64.29", "16.67", "100", "57.14")]
    assert f"3. {other_agency.name}" in svg_texts(chart)
    assert "1. Công tác chỉ đạo, điều hành" in response.text  # the domain key below the map


def test_published_pages_read_the_snapshot_with_its_date(client, users, period, agency, third):
    publish(period, users["admin"])
    client.force_login(users["officer"])  # an agency's staff, now that it is published
    response = client.get(reverse("reports:ranking", args=[period.pk]))
    html = response.text
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert 'data-source="published"' in html
    assert f"Kết quả đã công bố ngày {today}" in html and "theo Quyết định số 125/QĐ-UBND" in html
    assert cells(html, agency.pk)[-2:] == ["92,86", "Tốt"]
    assert cells(html, third.pk)[3] == "1,5 /2 hạng 3/3"
    heat = client.get(reverse("reports:heatmap", args=[period.pk]))
    assert 'data-source="published"' in heat.text and "64,29" in heat.text


def test_groups_set_by_the_administrator_rank_apart_with_their_own_bands(
    client, users, period, agency, other_agency, third
):
    first = RankingGroup.objects.create(period=period, name="Khối A", position=0)
    second = RankingGroup.objects.create(
        period=period, name="Khối B", position=1, band_good_min=60, band_fair_min=50, band_average_min=40
    )
    for target, group in ((agency, first), (other_agency, first), (third, second)):
        RankingMember.objects.create(group=group, assessment=period.assessments.get(agency=target))
    client.force_login(users["admin"])
    html = client.get(reverse("reports:ranking", args=[period.pk])).text
    assert html.index("Khối A") < html.index("Khối B")
    assert cells(html, other_agency.pk)[0] == "2/2"
    assert cells(html, third.pk)[0] == "1/1"
    assert cells(html, third.pk)[-1] == "Tốt"  # 64,29 ≥ Khối B's 60
    assert cells(html, third.pk)[2:4] == ["1 /3 hạng 1/1", "1,5 /2 hạng 1/1"]
    charts = svgs(html)
    assert len(charts) == 4  # desktop and phone chart of each group
    assert "Trung bình khối 64,29 %" in svg_texts(charts[2])
    assert "Trung bình khối 75,00 %" in svg_texts(charts[0])  # (92,86 + 57,14) / 2
    assert 'href="#khoi-g' in html  # the group links


def test_open_period_ranks_self_points(client, users, agency, other_agency):
    period = open_period(agency, other_agency)
    client.force_login(users["admin"])
    html = client.get(reverse("reports:ranking", args=[period.pk])).text
    assert "Kỳ đang tự đánh giá: tính từ điểm tự chấm" in html
    # No sheet filled: every index 0, both first.
    assert cells(html, agency.pk)[0] == "1/2" and cells(html, other_agency.pk)[0] == "1/2"
    assert reverse("appraisal:results", args=[period.pk]) not in html  # that page starts with the appraisal


# ---- who sees the pages ----------------------------------------------------------------------------------


ROLES = ["admin", "leadership", "reviewer", "head", "officer", "other_officer", "no_role"]
BEFORE = {"admin": 200, "leadership": 200, "reviewer": 403, "head": 403, "officer": 403, "other_officer": 403}
AFTER = dict.fromkeys(BEFORE, 200)


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("published", [False, True], ids=["before", "after"])
def test_permission_matrix(client, users, period, route, published):
    if published:
        publish(period, users["admin"])
    expected = {**(AFTER if published else BEFORE), "no_role": 404}
    url = reverse(route, args=[period.pk])
    for role in ROLES:
        client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == expected[role], (role, published)
        # No figure of any agency leaks on a refusal; the allowed see them all.
        assert ("92,86" in response.text) == (expected[role] == 200), role
        assert ("Sở Tư pháp" in response.text) == (expected[role] == 200), role
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("published", [False, True], ids=["before", "after"])
def test_every_reader_of_the_ranking_gets_export_buttons_that_work(client, users, period, published):
    """The page offers the background exports to whoever reads it, and to nobody else: each reader's own
    button (the form's action read from the page) makes a finished file recorded against them."""
    from reports.exports import EXPORTS
    from reports.models import ExportJob, ExportStatus

    if published:
        publish(period, users["admin"])
    url = reverse("reports:ranking", args=[period.pk])
    readers = 0
    for role in ROLES:
        client.force_login(users[role])
        response = client.get(url)
        actions = [a for a in re.findall(r'<form method="post" action="([^"]+)">', response.text) if "/xuat/" in a]
        if response.status_code != 200:
            assert actions == [], role
            continue
        readers += 1
        assert actions == [reverse("reports:export_start", args=[period.pk, kind]) for kind in EXPORTS], role
        assert f'href="{reverse("reports:exports")}"' in response.text
        started = client.post(actions[0])  # the workbook
        job = ExportJob.objects.get(requested_by=users[role])
        assert started.status_code == 302 and started["Location"] == reverse("reports:export_job", args=[job.pk])
        assert (job.kind, job.status, job.source) == ("xlsx", ExportStatus.DONE, "published" if published else "live")
        assert job.file.storage.exists(job.file.name)
    assert readers == (6 if published else 2)
    assert ExportJob.objects.count() == readers


@pytest.mark.parametrize("published", [False, True], ids=["before", "after"])
def test_each_row_opens_the_agencys_scorecard_and_its_pdf(client, users, period, published):
    if published:
        publish(period, users["admin"])
    url = reverse("reports:ranking", args=[period.pk])
    rows = list(period.assessments.values_list("agency_id", "agency__name"))
    for role in ROLES:
        client.force_login(users[role])
        response = client.get(url)
        if response.status_code != 200:
            assert "/don-vi/" not in response.text, role
            continue
        for agency_id, name in rows:
            card = reverse("reports:scorecard", args=[period.pk, agency_id])
            pdf = reverse("reports:scorecard_pdf", args=[period.pk, agency_id])
            row = re.search(rf'<tr data-agency="{agency_id}">(.*?)</tr>', response.text, re.S).group(1)
            assert f'<a href="{card}">{escape(name)}</a>' in row and f'href="{pdf}" download' in row, role
            page = client.get(card)
            assert page.status_code == 200 and f'<h1 class="h3 mb-1">{escape(name)}</h1>' in page.text, role
        # One PDF per reader (WeasyPrint takes a while): the last row, another agency than the officer's.
        download = client.get(pdf)
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf", role
        assert download.content.startswith(b"%PDF-")


@pytest.mark.parametrize("state", ["open", "appraisal", "finalised", "published"])
def test_whoever_may_read_the_ranking_may_read_every_scorecard_of_it(users, period, state):
    """reports.access: ranking_access implies scorecard_access for each agency of the period, so the links of
    the ranking rows never lead to a refusal."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from reports.access import ranking_access, scorecard_access

    if state == "published":
        publish(period, users["admin"])
    elif state == "finalised":
        period_finalise(period=period, user=users["admin"])
    else:
        Period.objects.filter(pk=period.pk).update(state=state)
    period.refresh_from_db()
    assert period.state == state
    readers = 0
    for role in ROLES:
        try:
            ranking = ranking_access(users[role], period)
        except (PermissionDenied, Http404):
            continue
        readers += 1
        for agency_id in period.assessments.values_list("agency_id", flat=True):
            card = scorecard_access(users[role], period, agency_id)
            assert (card.source, card.publication, card.sees_others) == (ranking.source, ranking.publication, True)
    assert readers == (6 if state == "published" else 2)


def test_setup_period_is_refused_even_to_the_administrator(client, users, agency):
    from assessments.services import period_save

    period = period_save(year=2026, name="Kỳ 2026", index_sets=[], agencies=[agency])
    assert period.state == PeriodState.SETUP
    client.force_login(users["admin"])
    assert client.get(reverse("reports:ranking", args=[period.pk])).status_code == 403
    assert client.get(reverse("reports:ranking", args=[period.pk + 999])).status_code == 404


def test_links_from_the_results_page_and_the_period_list(client, users, period):
    client.force_login(users["admin"])
    url = reverse("reports:ranking", args=[period.pk])
    assert url in client.get(reverse("appraisal:results", args=[period.pk])).text
    assert url not in client.get(reverse("assessments:periods")).text  # only once published
    publish(period, users["admin"])
    assert url in client.get(reverse("assessments:periods")).text


# ---- queries do not grow with the agencies ----------------------------------------------------------------


def _period_of(size: int, year: int, users) -> Period:
    agencies = [make_agency(f"Sở số {year}-{i}") for i in range(size)]
    p = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=year)
    give_survey(p, D(1))
    return p


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_live_pages_queries_are_constant(client, users, route, django_assert_num_queries):
    # 1 session, 2 user, 3 roles, 4 period, then period_results' six (5 ranking groups, 6 sheets, 7 domains,
    # 8 grouped score sums, 9 survey sums, 10 adjustments), 11 the menu's unread-notice badge.
    client.force_login(users["leadership"])
    for size, year in ((3, 2026), (25, 2027)):
        period = _period_of(size, year, users)
        with django_assert_num_queries(11):
            response = client.get(reverse(route, args=[period.pk]))
        assert response.status_code == 200
        assert response.text.count("Sở số") >= size


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_published_pages_queries_are_constant(client, users, route, django_assert_num_queries):
    # 1 session, 2 user, 3 roles, 4 period, 5 the publication in force, 6 the snapshot rows, 7 the badge.
    client.force_login(users["officer"])
    for size, year in ((3, 2026), (25, 2027)):
        period = _period_of(size, year, users)
        appraise(period, users["reviewer"])
        publish(period, users["admin"])
        with django_assert_num_queries(7):
            response = client.get(reverse(route, args=[period.pk]))
        assert response.status_code == 200 and 'data-source="published"' in response.text
        assert response.text.count("Sở số") >= size

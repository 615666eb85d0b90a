"""Sở Nội vụ's progress page: every agency with state, coverage, totals, deadline; filters, sort, Excel."""

import datetime
import html
import io
import re
import zoneinfo
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments.models import Assessment, AssessmentState, Evidence, EvidenceLink
from assessments.services import assessment_extend, assessment_submit, period_open, period_save
from organisations.models import AgencyKind

from .factories import assessment_of, fill_sheet, make_agency, make_index_set, open_period

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


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


@pytest.mark.parametrize("role", ["admin", "leadership", "reviewer"])
def test_query_count_does_not_grow_with_agencies(client, users, django_assert_num_queries, role):
    """A province's size: 24 agencies (sở and xã), some submitted, one extended, against a period of 2."""
    small = open_period(*[make_agency(f"Sở A{i}") for i in range(2)], year=2026)
    large = province(users, year=2027)
    client.force_login(users[role])
    # 1 session, 2 user, 3 roles, 4 period, 5 grouped score aggregate,
    # 6 assessments with agencies and, per row, whether the reader may open it (an EXISTS in the same query),
    # 7 the unread notices for the menu's badge
    for period in (small, large):
        with django_assert_num_queries(7):
            response = client.get(reverse("assessments:progress", args=[period.pk]))
        assert response.status_code == 200
    assert len(response.context["rows"]) == 24


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


# ---- a province-sized period: every link opens, for every reader -------------------------------------------


def province(users, *, year: int = 2026):
    """24 agencies (16 sở, 8 xã) in one open period: three submitted through the services, one extended."""
    agencies = [make_agency(f"Sở Thử {i:02d}") for i in range(16)]
    agencies += [make_agency(f"UBND xã Thử {i:02d}", kind=AgencyKind.COMMUNE) for i in range(8)]
    period = period_save(
        year=year,
        name=f"Chỉ số CCHC năm {year}",
        index_sets=[make_index_set(name=f"Bộ sở {year}"), make_index_set(AgencyKind.COMMUNE, f"Bộ xã {year}")],
        agencies=agencies,
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=20),
    )
    period_open(period=period)
    period.refresh_from_db()
    for agency in agencies[:3]:
        assessment = assessment_of(period, agency)
        fill_sheet(assessment, users["admin"])
        assessment_submit(assessment=assessment, user=users["admin"])
    assessment_extend(
        assessment=assessment_of(period, agencies[5]),
        user=users["admin"],
        until=period.self_assessment_deadline + datetime.timedelta(days=10),
    )
    return period


def links(page: str) -> list[str]:
    """Every link of the page that stays in the app (not the page's own anchors, not the static files)."""
    hrefs = {html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)}
    return sorted(h for h in hrefs if h.startswith(("/", "?")) and not h.startswith("/static/"))


@pytest.mark.parametrize("role", ["admin", "leadership", "reviewer"])
def test_every_link_on_the_progress_page_opens(client, users, role):
    """No dead links: each link a reader is shown (sheets, sort and filter links, the export, the menu) answers
    200 for that reader, with the sheet's own page behind each agency's link."""
    period = province(users)
    # An administrator has Django admin's staff flag, as the people import gives it (organisations.people).
    users["admin"].is_staff = True
    users["admin"].save()
    client.force_login(users[role])
    url = reverse("assessments:progress", args=[period.pk])
    page = client.get(url).text
    found = links(page)
    sheets = [h for h in found if re.fullmatch(r"/danh-gia/\d+/", h)]
    # Administrators and leadership open every sheet, drafts included; a reviewer the three submitted ones.
    assert len(sheets) == (3 if role == "reviewer" else 24)
    for href in found:
        # Followed: the menu's «Kết quả CCHC» (/bao-cao/) opens the newest period the reader may see.
        response = client.get(url + href if href.startswith("?") else href, follow=True)
        assert response.status_code == 200, href
    for href in sheets:
        assessment = Assessment.objects.select_related("agency").get(pk=int(href.split("/")[2]))
        assert assessment.agency.name in client.get(href).text


def test_a_reviewer_sees_every_agency_but_opens_and_scores_only_submitted_sheets(client, users):
    period = province(users)
    client.force_login(users["reviewer"])
    response = client.get(reverse("assessments:progress", args=[period.pk]))
    rows = {r.assessment.agency.name: r for r in response.context["rows"]}
    assert len(rows) == 24
    submitted, draft = rows["Sở Thử 00"], rows["Sở Thử 10"]
    assert submitted.readable and submitted.assessment.state == AssessmentState.SUBMITTED
    assert not draft.readable and draft.assessment.state == AssessmentState.DRAFT
    assert f'href="{reverse("assessments:sheet", args=[draft.assessment.pk])}"' not in response.text
    assert f'href="{reverse("assessments:sheet", args=[submitted.assessment.pk])}"' in response.text
    # A draft's points are not the reviewer's to read, on the page or in the workbook.
    assert (draft.points, draft.index) == (Decimal(0), None)
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("assessments:progress_export", args=[period.pk])).content)
    ).active
    exported = {r[1]: r for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert exported["Sở Thử 10"][7:10] == (None, None, None)
    # fill_sheet scores 0 everywhere and no event on the deduction leaf, which keeps its 1 point.
    assert exported["Sở Thử 00"][7:9] == (1, 5) and submitted.points == 1


def test_leadership_reads_a_draft_with_no_control_to_change_it(client, users, period, agency):
    """The sheet's read-only mode (the one a locked sheet has): no score inputs, no notes, no workflow buttons."""
    client.force_login(users["leadership"])
    draft = assessment_of(period, agency)
    assert draft.state == AssessmentState.DRAFT
    page = client.get(reverse("assessments:sheet", args=[draft.pk])).text
    assert "Bạn chỉ có quyền xem bản tự đánh giá này." in page
    assert "leaf-form" not in page and "<textarea" not in page and 'name="self_points"' not in page
    actions = [reverse(f"assessments:{name}", args=[draft.pk]) for name in ("mark_ready", "submit", "recall", "extend")]
    assert not [a for a in actions if f'action="{a}"' in page]
    # No way into the agency's own pages: the summary before sending is not linked, the breadcrumb leads back
    # to the period's progress page rather than to a «my self-assessments» list leadership does not have.
    assert f'href="{reverse("assessments:submit", args=[draft.pk])}"' not in page
    assert f'href="{reverse("assessments:progress", args=[period.pk])}"' in page
    assert f'href="{reverse("assessments:mine")}"' not in page.split('class="breadcrumb"')[1].split("</ol>")[0]
    panel = client.get(reverse("evidence:panel", args=[draft.pk, draft.scores.get(node__code="1.1").pk])).text
    assert "Kế hoạch CCHC" in panel and "<form" not in panel


# ---- each agency's own deadline --------------------------------------------------------------------------


def test_each_agency_shows_its_own_deadline_marked_when_extended(client, users, period, agency, other_agency):
    period.self_assessment_deadline = datetime.datetime(2099, 3, 10, 17, 0, tzinfo=HANOI)
    period.save()
    Assessment.objects.filter(period=period).update(deadline_extended_to=None)
    assessment_extend(
        assessment=assessment_of(period, agency),
        user=users["admin"],
        until=datetime.datetime(2099, 4, 2, 8, 30, tzinfo=HANOI),
    )
    client.force_login(users["admin"])
    response = client.get(reverse("assessments:progress", args=[period.pk]))
    rows = {r.assessment.agency.name: r for r in response.context["rows"]}
    assert rows[agency.name].extended and not rows[other_agency.name].extended
    page = response.text
    ours = page[page.index(f">{agency.name}<") :]
    ours = ours[: ours.index("</tr>")]
    theirs = page[page.index(f">{other_agency.name}<") :]
    theirs = theirs[: theirs.index("</tr>")]
    assert "02/04/2099 08:30" in ours and "đã gia hạn" in ours
    assert "10/03/2099 17:00" in theirs and "đã gia hạn" not in theirs

    sheet = load_workbook(
        io.BytesIO(client.get(reverse("assessments:progress_export", args=[period.pk])).content)
    ).active
    header = [c.value for c in sheet[4]]
    deadline, extended = header.index("Hạn tự đánh giá"), header.index("Đã gia hạn")
    exported = {r[1].value: r for r in sheet.iter_rows(min_row=5)}
    assert exported[agency.name][deadline].value == datetime.datetime(2099, 4, 2, 8, 30)  # noqa: DTZ001 (Excel: local, naive)
    assert exported[agency.name][deadline].number_format.startswith("dd/mm/yyyy")
    assert exported[agency.name][extended].value == "Có"
    assert exported[other_agency.name][deadline].value == datetime.datetime(2099, 3, 10, 17, 0)  # noqa: DTZ001
    assert exported[other_agency.name][extended].value in (None, "")


# ---- search and sort ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Khoa hoc", ["Sở Khoa học và Công nghệ"]),
        ("so tu phap", ["Sở Tư pháp"]),
        ("SỞ TƯ PHÁP", ["Sở Tư pháp"]),
        ("  cong   nghe ", ["Sở Khoa học và Công nghệ"]),
        ("xa minh xuan", ["UBND xã Minh Xuân"]),
        ("đồng", []),
    ],
)
def test_search_ignores_accents_case_and_spacing(client, users, period, query, found):
    client.force_login(users["leadership"])
    response = client.get(reverse("assessments:progress", args=[period.pk]), {"q": query})
    assert [r.assessment.agency.name for r in response.context["rows"]] == found
    export = client.get(reverse("assessments:progress_export", args=[period.pk]), {"q": query})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [r[1] for r in sheet.iter_rows(min_row=5, values_only=True)] == found


def test_sort_links_keep_every_filter(client, users, period):
    client.force_login(users["admin"])
    current = {"q": "sở", "state": "draft", "kind": "department", "overdue": "1", "sort": "-index"}
    page = client.get(reverse("assessments:progress", args=[period.pk]), current).text
    head = page[page.index("<thead") : page.index("</thead>")]
    sorts = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', head)]
    assert len(sorts) == 6
    for href in sorts:
        query = parse_qs(urlsplit(href).query)
        assert {k: v[0] for k, v in query.items() if k != "sort"} == {k: v for k, v in current.items() if k != "sort"}
    export = re.search(r'href="([^"]*tien-do\.xlsx[^"]*)"', page)
    assert export and parse_qs(urlsplit(html.unescape(export.group(1))).query)["q"] == ["sở"]


def test_sorting_by_name_toggles_and_keeps_the_search(client, users, period):
    client.force_login(users["admin"])
    url = reverse("assessments:progress", args=[period.pk])
    page = client.get(url, {"q": "sở", "sort": "agency"}).text
    link = html.unescape(re.search(r'<th><a href="([^"]*)"', page).group(1))
    assert parse_qs(urlsplit(link).query) == {"q": ["sở"], "sort": ["-agency"]}
    names = [r.assessment.agency.name for r in client.get(url + link).context["rows"]]
    assert names == ["Sở Tư pháp", "Sở Khoa học và Công nghệ"]


# ---- /danh-gia/ for users without an agency -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "leadership", "admin"])
def test_province_wide_roles_get_the_open_periods_not_a_missing_agency(client, users, period, role):
    client.force_login(users[role])
    page = client.get(reverse("assessments:mine")).text
    assert "Đơn vị của bạn" not in page
    assert f'href="{reverse("assessments:progress", args=[period.pk])}"' in page
    assert period.name in page


def test_a_user_without_a_role_is_told_to_ask_the_administrator(client, users, period):
    client.force_login(users["no_role"])
    page = client.get(reverse("assessments:mine")).text
    assert "Đơn vị của bạn" not in page
    assert "chưa được giao vai trò" in page and "Liên hệ quản trị hệ thống (Sở Nội vụ)" in page
    assert reverse("assessments:progress", args=[period.pk]) not in page


def test_agency_staff_still_see_their_own_sheets(client, users, period, agency):
    client.force_login(users["officer"])
    page = client.get(reverse("assessments:mine")).text
    assert f'href="{reverse("assessments:sheet", args=[assessment_of(period, agency).pk])}"' in page
    assert "chưa được giao vai trò" not in page and reverse("assessments:progress", args=[period.pk]) not in page

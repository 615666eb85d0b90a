"""Ranking groups (khối xếp hạng): the default per agency kind, groups set by the administrator with their own
bands, every sheet in exactly one group before finalisation, nothing changes after it, and the page's
permissions and queries."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisal.groups import group_delete, group_move, group_save, groups_from_kinds, groups_reset
from appraisal.models import PublishedResult, RankingGroup, RankingMember
from appraisal.publishing import period_checklist, period_finalise, period_publish
from appraisal.results import Band, period_results, publication_in_force, published_results
from appraisal.services import AppraisalEdit, appraisal_save
from assessments.models import Period, Score
from assessments.workflow import WorkflowError
from criteria.services import index_set_create
from criteria.tree import NodeRow
from organisations.models import AgencyKind, Role

from .factories import appraisal_period, make_agency, make_user

D = Decimal
pytestmark = pytest.mark.django_db

DEPT = str(AgencyKind.DEPARTMENT.label)
PEOPLE = ["admin", "reviewer", "own_reviewer", "leadership", "head", "officer", "other_officer", "no_role"]


def percent_set(kind: str = AgencyKind.DEPARTMENT, name: str = "Bộ phần trăm"):
    """One leaf of 100 points in steps of 0,01, no survey: an agency's index is its points."""
    return index_set_create(
        name=name,
        agency_kind=kind,
        year_from=2026,
        rows=[
            NodeRow(code="1", title="Lĩnh vực duy nhất", max_points=D(100)),
            NodeRow(code="1.1", title="Tiêu chí", max_points=D(100), method="manual", step=D("0.01")),
        ],
    )


def give(period: Period, reviewer, points: dict[str, str]) -> None:
    """Appraise the one leaf of each agency (by name) through the service."""
    for score in Score.objects.filter(assessment__period=period, node__code="1.1").select_related("assessment__agency"):
        appraisal_save(
            score=score,
            edit=AppraisalEdit(points=D(points[score.assessment.agency.name])),
            version=score.version,
            user=reviewer,
        )


@pytest.fixture
def people(users, agency):
    return {**users, "own_reviewer": make_user("thamdinh.noibo", Role.REVIEWER, agency)}


@pytest.fixture
def period(users, agency, other_agency):
    """Four departments in appraisal on the percent set, appraised 90,00; 89,99; 80,00 and 79,99."""
    third, fourth = make_agency("Sở Xây dựng"), make_agency("Sở Y tế")
    period = appraisal_period(
        agency, other_agency, third, fourth, reviewer=users["reviewer"], admin=users["admin"], index_set=percent_set()
    )
    give(
        period,
        users["reviewer"],
        {agency.name: "90", other_agency.name: "89.99", third.name: "80", fourth.name: "79.99"},
    )
    return period


def bands(period: Period) -> dict[str, tuple[str, str, int, int]]:
    return {r.agency_name: (r.group_label, r.band, r.rank, r.rank_of) for g in period_results(period) for r in g.rows}


def memberships(period: Period) -> list[tuple[str, str]]:
    return sorted(
        RankingMember.objects.filter(group__period=period).values_list("group__name", "assessment__agency__name")
    )


def test_default_bands_at_their_exact_boundaries(period):
    # The period's bands: Tốt from 80, Khá from 70. 80,00 is Tốt; 79,99 is Khá.
    got = bands(period)
    assert got["Sở Xây dựng"][1] == Band.GOOD and got["Sở Y tế"][1] == Band.FAIR
    assert got["Sở Khoa học và Công nghệ"][1] == Band.GOOD and got["Sở Tư pháp"][1] == Band.GOOD
    assert {v[0] for v in got.values()} == {str(AgencyKind.DEPARTMENT.label)}
    assert [got[n][2] for n in ("Sở Khoa học và Công nghệ", "Sở Tư pháp", "Sở Xây dựng", "Sở Y tế")] == [1, 2, 3, 4]


def test_split_groups_rank_apart_with_their_own_bands(period, agency, other_agency):
    (departments,) = groups_from_kinds(period)
    assert memberships(period) == [
        (DEPT, "Sở Khoa học và Công nghệ"),
        (DEPT, "Sở Tư pháp"),
        (DEPT, "Sở Xây dựng"),
        (DEPT, "Sở Y tế"),
    ]
    # Nhóm I from 90 % for the first group (a province's rule for departments).
    group_save(period, name="Khối sở nhóm I", bands=(D(90), D(85), D(50)), group=departments)
    second = group_save(period, name="Khối sở nhóm II")
    moved = group_move(
        period,
        assessment_ids=period.assessments.filter(agency__name__in=["Sở Xây dựng", "Sở Y tế"]).values_list(
            "pk", flat=True
        ),
        group=second,
    )
    assert moved == 2
    assert bands(period) == {
        # 90,00 reaches the group's Tốt exactly; 89,99 does not, and is Khá from 85.
        "Sở Khoa học và Công nghệ": ("Khối sở nhóm I", Band.GOOD, 1, 2),
        "Sở Tư pháp": ("Khối sở nhóm I", Band.FAIR, 2, 2),
        # The period's bands (Tốt from 80) in the second group, ranked apart.
        "Sở Xây dựng": ("Khối sở nhóm II", Band.GOOD, 1, 2),
        "Sở Y tế": ("Khối sở nhóm II", Band.FAIR, 2, 2),
    }
    assert [g.label for g in period_results(period)] == ["Khối sở nhóm I", "Khối sở nhóm II"]


def test_group_moves_accept_only_the_periods_sheets(period, users, agency):
    (departments,) = groups_from_kinds(period)
    other = appraisal_period(make_agency("Sở Ngoại vụ"), reviewer=users["reviewer"], admin=users["admin"], year=2027)
    before = memberships(period)
    with pytest.raises(ValidationError, match="không thuộc kỳ này"):
        group_move(period, assessment_ids=list(other.assessments.values_list("pk", flat=True)), group=departments)
    with pytest.raises(ValidationError, match="Chọn ít nhất một đơn vị"):
        group_move(period, assessment_ids=[], group=departments)
    assert memberships(period) == before


@pytest.mark.parametrize(
    ("name", "given", "message"),
    [
        ("Khối A", (D(90), None, None), "Nhập đủ ba ngưỡng"),
        ("Khối A", (D(70), D(80), D(50)), "phải giảm dần"),
        ("Khối A", (D(101), D(80), D(50)), "phải giảm dần"),
        ("   ", (None, None, None), "Nhập tên khối"),
        (DEPT, (None, None, None), f"Kỳ đã có khối «{DEPT}»"),
    ],
)
def test_bad_groups_are_refused_and_change_nothing(period, name, given, message):
    groups_from_kinds(period)
    before = list(RankingGroup.objects.values_list("name", "band_good_min", "band_fair_min", "band_average_min"))
    with pytest.raises(ValidationError) as exc:
        group_save(period, name=name, bands=given)
    assert message in " ".join(exc.value.messages)
    assert (
        list(RankingGroup.objects.values_list("name", "band_good_min", "band_fair_min", "band_average_min")) == before
    )


def test_a_group_with_agencies_is_not_deleted(period):
    (departments,) = groups_from_kinds(period)
    empty = group_save(period, name="Khối trống")
    with pytest.raises(ValidationError, match="còn 4 đơn vị"):
        group_delete(departments)
    group_delete(empty)
    assert list(RankingGroup.objects.values_list("name", flat=True)) == [DEPT]
    assert len(memberships(period)) == 4


def test_a_sheet_in_no_group_is_an_open_item_and_blocks_finalising(period, users):
    groups_from_kinds(period)
    RankingMember.objects.filter(assessment__agency__name="Sở Y tế").delete()
    checklist = period_checklist(period)
    assert [i.agency_name for i in checklist.ungrouped] == ["Sở Y tế"]
    assert any("chưa thuộc khối xếp hạng" in m for m in checklist.messages())
    assert bands(period)["Sở Y tế"][0] == "Chưa xếp khối"
    with pytest.raises(ValidationError):
        period_finalise(period=period, user=users["admin"])
    period.refresh_from_db()
    assert period.state == "appraisal"


def test_groups_freeze_at_finalisation_and_the_snapshot_keeps_them(period, users):
    (departments,) = groups_from_kinds(period)
    group_save(period, name="Khối sở", bands=(D(90), D(85), D(50)), group=departments)
    period_finalise(period=period, user=users["admin"])
    before = (list(RankingGroup.objects.values_list("name", "band_good_min")), memberships(period))
    for write in (
        lambda: group_save(period, name="Khối mới"),
        lambda: group_save(period, name="Đổi tên", group=departments),
        lambda: group_move(period, assessment_ids=[period.assessments.first().pk], group=departments),
        lambda: groups_reset(period),
    ):
        with pytest.raises(WorkflowError, match="đã chốt"):
            write()
    assert (list(RankingGroup.objects.values_list("name", "band_good_min")), memberships(period)) == before
    period.refresh_from_db()
    period_publish(period=period, user=users["admin"])
    assert set(PublishedResult.objects.values_list("group_label", "group_position")) == {("Khối sở", 0)}
    published = published_results(publication_in_force(period))
    assert [(g.label, [(r.agency_name, r.band) for r in g.rows]) for g in published] == [
        (
            "Khối sở",
            [
                ("Sở Khoa học và Công nghệ", Band.GOOD),
                ("Sở Tư pháp", Band.FAIR),
                ("Sở Xây dựng", Band.AVERAGE),
                ("Sở Y tế", Band.AVERAGE),
            ],
        )
    ]


def test_reset_goes_back_to_one_group_per_kind(period):
    groups_from_kinds(period)
    group_save(period, name="Khối khác")
    groups_reset(period)
    assert not RankingGroup.objects.exists() and not RankingMember.objects.exists()
    assert {v[0] for v in bands(period).values()} == {str(AgencyKind.DEPARTMENT.label)}


# ---- the page -------------------------------------------------------------------------------------------


ACTIONS = ["groups_start", "group_add", "group_move", "groups_reset", "group_edit", "group_remove"]


def _post(client, period: Period, name: str):
    group = RankingGroup.objects.filter(period=period).order_by("pk").first()
    empty = RankingGroup.objects.filter(period=period, members__isnull=True).first()
    args, data = [period.pk], {}
    if name == "group_add":
        data = {"name": "Khối phường", "band_good_min": "85", "band_fair_min": "75", "band_average_min": "60"}
    elif name == "group_edit":
        args, data = [period.pk, group.pk], {"name": "Khối các sở", "band_good_min": "", "band_fair_min": ""}
    elif name == "group_remove":
        args = [period.pk, empty.pk]
    elif name == "group_move":
        data = {"group": empty.pk, "sheet": [period.assessments.order_by("pk").first().pk]}
    elif name == "groups_reset":
        data = {"confirm": "1"}
    return client.post(reverse(f"appraisal:{name}", args=args), data)


def _state(period: Period):
    return (list(RankingGroup.objects.order_by("pk").values_list("name", "band_good_min")), memberships(period))


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("role", PEOPLE)
def test_actions_matrix(client, period, people, role, name):
    if name != "groups_start":
        groups_from_kinds(period)
        group_save(period, name="Khối trống")
    before = _state(period)
    client.force_login(people[role])
    response = _post(client, period, name)
    after = _state(period)
    if role != "admin":
        assert response.status_code == 403 and after == before
        return
    assert response.status_code == 302 and response["Location"] == reverse("appraisal:groups", args=[period.pk])
    expected = {
        "groups_start": lambda: after[0] == [(DEPT, None)] and len(after[1]) == 4,
        "group_add": lambda: after[0][-1] == ("Khối phường", D(85)),
        "group_move": lambda: ("Khối trống", "Sở Khoa học và Công nghệ") in after[1] and len(after[1]) == 4,
        "groups_reset": lambda: after == ([], []),
        "group_edit": lambda: after[0][0] == ("Khối các sở", None),
        "group_remove": lambda: [n for n, _b in after[0]] == [DEPT],
    }[name]
    assert expected(), after


def test_anonymous_is_sent_to_login(client, period):
    response = client.get(reverse("appraisal:groups", args=[period.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not RankingGroup.objects.exists()


def test_a_refused_edit_on_the_page_says_why_and_changes_nothing(client, period, people):
    groups_from_kinds(period)
    client.force_login(people["admin"])
    before = _state(period)
    group = RankingGroup.objects.get()
    response = client.post(
        reverse("appraisal:group_edit", args=[period.pk, group.pk]),
        {"name": "Khối sở", "band_good_min": "abc", "band_fair_min": "70", "band_average_min": "60"},
        follow=True,
    )
    assert "Ngưỡng xếp loại phải là số" in response.text and _state(period) == before
    response = client.post(reverse("appraisal:group_remove", args=[period.pk, group.pk]), follow=True)
    assert "còn 4 đơn vị" in response.text and _state(period) == before


@pytest.mark.parametrize("role", PEOPLE)
def test_page_matrix(client, period, people, role):
    groups_from_kinds(period)
    client.force_login(people[role])
    response = client.get(reverse("appraisal:groups", args=[period.pk]))
    if role == "admin":
        assert response.status_code == 200
        assert response.text.count('name="sheet"') == 4 and DEPT in response.text
    else:
        assert response.status_code == 403


def test_page_shows_the_default_before_any_group(client, period, people):
    client.force_login(people["admin"])
    response = client.get(reverse("appraisal:groups", args=[period.pk]))
    assert "Đang xếp hạng theo loại đơn vị" in response.text and f"{DEPT}: 4 đơn vị" in response.text
    assert reverse("appraisal:groups_start", args=[period.pk]) in response.text


def test_page_queries_do_not_grow_with_agencies(client, users):
    # session, user, roles, period, groups, sheets with their group, the notice badge.
    client.force_login(users["admin"])
    counts = []
    for size, year in ((3, 2030), (30, 2031)):
        agencies = [make_agency(f"Sở khối {year}-{i}") for i in range(size)]
        period = appraisal_period(*agencies, reviewer=users["reviewer"], admin=users["admin"], year=year)
        groups_from_kinds(period)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("appraisal:groups", args=[period.pk]))
        assert response.text.count('name="sheet"') == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == 7, counts


def test_moving_says_how_many_moved_and_where(client, period, people):
    groups_from_kinds(period)
    empty = group_save(period, name="Khối trống")
    client.force_login(people["admin"])
    sheet = period.assessments.get(agency__name="Sở Y tế")
    response = client.post(
        reverse("appraisal:group_move", args=[period.pk]), {"group": empty.pk, "sheet": [sheet.pk]}, follow=True
    )
    assert "Đã chuyển 1 đơn vị sang khối «Khối trống»" in response.text
    assert [str(m) for m in response.context["messages"]] == ["Đã chuyển 1 đơn vị sang khối «Khối trống»."]
    assert RankingMember.objects.get(assessment=sheet).group == empty

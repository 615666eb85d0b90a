"""The administrator's assignment page: the tree with who appraises what, the leaves still without a
reviewer (and own-agency conflicts), assigning and removing, copying last period's assignments, starting
appraisal, and who may reach any of it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appraisal.assigning import assignment_overview, assignments_copy_previous
from appraisal.assignments import AssignmentMap
from appraisal.models import ReviewAssignment
from appraisal.services import assignment_save, uncovered_leaves
from assessments.models import AssessmentState, Period, PeriodState
from criteria.models import Node
from criteria.services import index_set_create
from organisations.models import Role, RoleAssignment

from .factories import big_rows, make_agency, make_index_set, make_user, open_period

pytestmark = pytest.mark.django_db

# (method, url name) of every URL of the slice; {period} and {row} are filled in per test.
MATRIX = ["assignments", "assignment_add", "assignment_remove", "assignments_copy", "start_appraisal"]


def url(name: str, period: Period, row: ReviewAssignment | None = None) -> str:
    if name == "assignment_remove":
        assert row is not None
        return reverse(f"appraisal:{name}", args=[period.pk, row.pk])
    return reverse(f"appraisal:{name}", args=[period.pk])


def nodes_of(period: Period) -> dict[str, Node]:
    return {n.code: n for n in Node.objects.filter(index_set__in=period.index_sets.values("index_set"))}


def rows_of(period: Period) -> set[tuple]:
    return set(
        ReviewAssignment.objects.filter(period=period).values_list(
            "node__code", "reviewer_id", "team_id", "for_agency_id"
        )
    )


def cover_everything(period: Period, admin, reviewer) -> None:
    for node in nodes_of(period).values():
        if node.depth == 1 and not node.is_survey:
            assignment_save(period=period, node=node, reviewer=reviewer, user=admin)


@pytest.fixture
def period(agency, other_agency):
    return open_period(agency, other_agency)


# ---- the page ------------------------------------------------------------------------------------------


def test_page_shows_the_tree_with_each_assignment_and_the_leaves_left(client, users, period, agency):
    admin, reviewer = users["admin"], users["reviewer"]
    reviewer.last_name, reviewer.first_name = "Lê Thị", "Thẩm"
    reviewer.save()
    team_member = make_user("td.snv", Role.REVIEWER, make_agency("Sở Nội vụ", short_name="SNV"))
    nodes = nodes_of(period)
    assignment_save(period=period, node=nodes["1"], reviewer=reviewer, user=admin)
    assignment_save(period=period, node=nodes["1.2"], team=team_member.role_assignments.get().agency, user=admin)
    assignment_save(period=period, node=nodes["1"], reviewer=team_member, for_agency=agency, user=admin)
    client.force_login(admin)
    page = client.get(url("assignments", period)).text
    assert "Lê Thị Thẩm" in page and "Tổ thẩm định Sở Nội vụ" in page
    assert "chỉ cho Sở Khoa học và Công nghệ" in page
    assert "theo mục 1: Lê Thị Thẩm" in page  # 1.1 inherits from its domain
    # Domain 2 is nobody's yet: its leaves are listed as without a reviewer; the survey domain never is.
    section = page.split('id="chua-phan-cong"')[1].split('id="phan-cong"')[0]
    assert "2.1.1.1" in section and "2.1.2" in section and "3.1" not in section
    assert "Mọi tiêu chí" not in section


def test_an_admin_assigns_replaces_and_gets_errors_without_a_change(client, users, period, agency):
    admin, reviewer = users["admin"], users["reviewer"]
    other = make_user("td.khac", Role.REVIEWER)
    nodes = nodes_of(period)
    client.force_login(admin)
    add = url("assignment_add", period)
    assert client.post(add, {"node": nodes["2"].pk, "assignee": f"r{reviewer.pk}"}).status_code == 302
    assert client.post(add, {"node": nodes["2"].pk, "assignee": f"r{other.pk}"}).status_code == 302
    assert (
        client.post(
            add, {"node": nodes["2.1.2"].pk, "assignee": f"r{reviewer.pk}", "for_agency": agency.pk}
        ).status_code
        == 302
    )
    assert rows_of(period) == {("2", other.pk, None, None), ("2.1.2", reviewer.pk, None, agency.pk)}
    # An officer is not a reviewer; a node of another set is not the period's: refused, nothing changes.
    before = rows_of(period)
    response = client.post(add, {"node": nodes["1"].pk, "assignee": f"r{users['officer'].pk}"})
    assert response.status_code == 400 and "Giao cho" in response.text
    stranger = make_index_set(name="Bộ khác").nodes.get(code="1")
    assert client.post(add, {"node": stranger.pk, "assignee": f"r{reviewer.pk}"}).status_code == 400
    assert rows_of(period) == before


def test_removing_asks_first_then_removes_only_that_row(client, users, period):
    admin = users["admin"]
    nodes = nodes_of(period)
    keep = assignment_save(period=period, node=nodes["1"], reviewer=users["reviewer"], user=admin)
    row = assignment_save(period=period, node=nodes["1.1"], reviewer=users["reviewer"], user=admin)
    client.force_login(admin)
    response = client.post(url("assignment_remove", period, row))
    assert response.status_code == 200 and 'name="confirm" value="1"' in response.text
    assert ReviewAssignment.objects.filter(pk=row.pk).exists()
    assert client.post(url("assignment_remove", period, row), {"confirm": "1"}).status_code == 302
    assert list(ReviewAssignment.objects.values_list("pk", flat=True)) == [keep.pk]


def test_no_change_once_the_period_is_finalised(client, users, period):
    admin = users["admin"]
    nodes = nodes_of(period)
    row = assignment_save(period=period, node=nodes["1"], reviewer=users["reviewer"], user=admin)
    Period.objects.filter(pk=period.pk).update(state=PeriodState.FINALISED)
    client.force_login(admin)
    response = client.post(url("assignment_add", period), {"node": nodes["2"].pk, "assignee": f"r{row.reviewer_id}"})
    assert response.status_code == 400 and "đã chốt" in response.text
    response = client.post(url("assignment_remove", period, row), {"confirm": "1"}, follow=True)
    assert "đã chốt" in response.text
    assert rows_of(period) == {("1", row.reviewer_id, None, None)}


def test_a_reviewer_who_left_or_an_empty_team_leaves_their_leaves_without_a_reviewer(client, users, period, agency):
    admin, reviewer = users["admin"], users["reviewer"]
    team_member = make_user("td.snv", Role.REVIEWER, make_agency("Sở Nội vụ"))
    nodes = nodes_of(period)
    assignment_save(period=period, node=nodes["1"], reviewer=reviewer, user=admin)
    assignment_save(period=period, node=nodes["2"], team=team_member.role_assignments.get().agency, user=admin)
    assert uncovered_leaves(period) == {}
    RoleAssignment.objects.filter(user=reviewer).delete()
    type(team_member).objects.filter(pk=team_member.pk).update(is_active=False)
    missing = uncovered_leaves(period)
    assert [n.code for n in Node.objects.filter(pk__in=missing[agency.pk]).order_by("position")] == [
        "1.1",
        "1.2",
        "1.3",
        "2.1.1.1",
        "2.1.2",
    ]
    client.force_login(admin)
    page = client.get(url("assignments", period)).text
    assert "thamdinh (không còn vai trò thẩm định): 3 tiêu chí của mục 1 chưa có người thẩm định." in page
    assert "Tổ thẩm định Sở Nội vụ không còn thành viên nào: 2 tiêu chí của mục 2" in page


# ---- seed 003: lead agencies' teams with criterion-level exceptions, and own-agency conflicts -------------


@pytest.fixture
def department_period(agency, other_agency):
    """Seven domains of seven criteria of three leaves; the lead agencies take part themselves."""
    vp = make_agency("Văn phòng UBND tỉnh", short_name="VP")
    snv = make_agency("Sở Nội vụ", short_name="SNV")
    khcn, stp = agency, other_agency  # Sở Khoa học và Công nghệ, Sở Tư pháp
    index_set = index_set_create(name="Bộ sở", agency_kind="department", year_from=2026, rows=big_rows(7, 7, 3))
    period = open_period(vp, snv, khcn, stp, index_set=index_set)
    return period, {"vp": vp, "snv": snv, "khcn": khcn, "stp": stp}


def test_seed_003_split_is_expressible_and_conflicts_are_named(client, users, department_period):
    period, ag = department_period
    admin = users["admin"]
    nodes = nodes_of(period)
    vp_member = make_user("td.vp", Role.REVIEWER, ag["vp"])
    snv_member = make_user("td.snv", Role.REVIEWER, ag["snv"])
    khcn_member = make_user("td.khcn", Role.REVIEWER, ag["khcn"])
    stp_member = make_user("td.stp", Role.REVIEWER, ag["stp"])
    client.force_login(admin)
    add = url("assignment_add", period)
    # Văn phòng UBND takes domain 3 (TTHC) except 3.3.3 and 3.7 (Sở KH&CN's team, a Sở Tư pháp member);
    # Sở Nội vụ takes domain 1 except 1.6 and 1.7; the other domains go to Sở Tư pháp's team.
    for code, assignee in [
        ("3", f"t{ag['vp'].pk}"),
        ("3.3.3", f"t{ag['khcn'].pk}"),
        ("3.7", f"r{stp_member.pk}"),
        ("1", f"t{ag['snv'].pk}"),
        ("1.6", f"r{khcn_member.pk}"),
        ("1.7", f"r{khcn_member.pk}"),
        *[(str(d), f"t{ag['stp'].pk}") for d in (2, 4, 5, 6, 7)],
    ]:
        assert client.post(add, {"node": nodes[code].pk, "assignee": assignee}).status_code == 302, code
    amap = AssignmentMap.for_period(period)
    khcn = ag["khcn"].pk
    assert amap.resolve(nodes["3.3.2"].pk, khcn).row.team_id == ag["vp"].pk
    assert amap.resolve(nodes["3.3.3"].pk, khcn).row.team_id == ag["khcn"].pk
    assert amap.resolve(nodes["3.7.1"].pk, khcn).row.reviewer_id == stp_member.pk
    assert amap.resolve(nodes["1.5.3"].pk, khcn).row.team_id == ag["snv"].pk
    assert amap.resolve(nodes["1.6.1"].pk, ag["vp"].pk).row.reviewer_id == khcn_member.pk
    # Each lead agency would appraise its own sheet: the page says so, per agency, and suggests a row.
    page = client.get(url("assignments", period)).text
    assert "Tổ thẩm định Sở Nội vụ thuộc Sở Nội vụ nên không thẩm định 15 tiêu chí của chính Sở Nội vụ" in page
    assert "Thêm một phân công riêng «chỉ cho Sở Nội vụ»" in page
    assert f"?muc={nodes['1'].pk}&amp;don_vi={ag['snv'].pk}#phan-cong" in page
    assert set(uncovered_leaves(period)) == {ag["vp"].pk, ag["snv"].pk, ag["khcn"].pk, ag["stp"].pk}
    # Agency-specific rows give each lead agency's own leaves to someone else.
    for lead, node_codes, other in [
        ("snv", ["1"], vp_member),
        ("vp", ["3"], snv_member),
        ("khcn", ["1.6", "1.7", "3.3.3"], snv_member),
        ("stp", ["2", "4", "5", "6", "7", "3.7"], vp_member),
    ]:
        for code in node_codes:
            data = {"node": nodes[code].pk, "assignee": f"r{other.pk}", "for_agency": ag[lead].pk}
            assert client.post(add, data).status_code == 302
    assert uncovered_leaves(period) == {}
    page = client.get(url("assignments", period)).text
    assert "Mọi tiêu chí của mọi đơn vị tham gia đã có người thẩm định." in page
    assert "nên không thẩm định" not in page


def test_the_page_costs_the_same_for_2_and_20_agencies(client, users, django_assert_num_queries):
    reviewer = make_user("td.doi", Role.REVIEWER, make_agency("Sở Nội vụ"))

    def page_with(count: int) -> Period:
        agencies = [make_agency(f"Sở số {count}-{i}") for i in range(count)]
        period = open_period(*agencies, year=2026 + (count > 2))
        nodes = nodes_of(period)
        assignment_save(period=period, node=nodes["1"], reviewer=reviewer, user=users["admin"])
        assignment_save(period=period, node=nodes["2"], reviewer=reviewer, for_agency=agencies[0], user=users["admin"])
        return period

    small, large = page_with(2), page_with(20)
    client.force_login(users["admin"])
    # session, user, the admin's roles, the period; the overview: the period's sets, their nodes, the map
    # (rows, sets, parent links, the assignees' agencies), the agencies, the reviewers; the previous
    # period with assignments.
    for period in (small, large):
        # (+1 since the menu shows a badge: the unread notices)
        with django_assert_num_queries(14):
            response = client.get(url("assignments", period))
        assert response.status_code == 200
    # Domain 2 is assigned for one agency only: its two leaves lack a reviewer on the 19 other sheets.
    missing = assignment_overview(large).sets[0].missing
    assert [(m.leaf.code, len(m.agencies)) for m in missing] == [("2.1.1.1", 19), ("2.1.2", 19)]


# ---- copying from the previous period ------------------------------------------------------------------


def make_previous_and_current(users, agency, other_agency):
    """Last year on the compact set with four assignments; this year on a set without 1.2 and 2.1.2."""
    admin, reviewer = users["admin"], users["reviewer"]
    make_user("td.khcn", Role.REVIEWER, agency)  # the agency's team has a member
    last = open_period(agency, other_agency, year=2025, index_set=make_index_set(name="Bộ 2025", year_from=2025))
    old = nodes_of(last)
    assignment_save(period=last, node=old["1"], team=agency, user=admin)
    assignment_save(period=last, node=old["1.2"], reviewer=reviewer, user=admin)
    assignment_save(period=last, node=old["2.1"], reviewer=reviewer, for_agency=other_agency, user=admin)
    assignment_save(period=last, node=old["2.1.2"], reviewer=reviewer, user=admin)
    new_set = index_set_create(name="Bộ 2026", agency_kind="department", year_from=2026, rows=big_rows(2, 1, 1))
    return last, open_period(agency, other_agency, year=2026, index_set=new_set)


def test_copy_maps_by_code_and_reports_what_it_skipped(users, agency, other_agency):
    last, current = make_previous_and_current(users, agency, other_agency)
    result = assignments_copy_previous(period=current, user=users["admin"])
    assert (result.source, result.copied, sorted(result.skipped)) == (last, 2, ["1.2", "2.1.2"])
    assert rows_of(current) == {("1", None, agency.pk, None), ("2.1", users["reviewer"].pk, None, other_agency.pk)}
    copied_into = Node.objects.filter(pk__in=ReviewAssignment.objects.filter(period=current).values("node"))
    assert set(copied_into.values_list("index_set_id", flat=True)) == {current.index_sets.get().index_set_id}
    assert len(rows_of(last)) == 4  # the source is untouched


def test_copy_skips_a_team_left_without_reviewers(users, agency, other_agency):
    _last, current = make_previous_and_current(users, agency, other_agency)
    RoleAssignment.objects.filter(user__username="td.khcn").delete()
    result = assignments_copy_previous(period=current, user=users["admin"])
    assert (result.copied, sorted(result.skipped)) == (1, ["1", "1.2", "2.1.2"])
    assert rows_of(current) == {("2.1", users["reviewer"].pk, None, other_agency.pk)}


def test_a_team_needs_a_reviewer(client, users, period, agency):
    client.force_login(users["admin"])
    data = {"node": nodes_of(period)["1"].pk, "assignee": f"t{agency.pk}"}
    # Not offered while the agency has no reviewer; refused by the service too.
    assert client.post(url("assignment_add", period), data).status_code == 400
    with pytest.raises(ValidationError, match="chưa có thành viên tổ thẩm định"):
        assignment_save(period=period, node=nodes_of(period)["1"], team=agency, user=users["admin"])
    make_user("td.khcn", Role.REVIEWER, agency)
    assert client.post(url("assignment_add", period), data).status_code == 302
    assert rows_of(period) == {("1", None, agency.pk, None)}


def test_copy_refuses_over_existing_assignments_unless_confirmed(client, users, agency, other_agency):
    _last, current = make_previous_and_current(users, agency, other_agency)
    mine = nodes_of(current)["2"]
    assignment_save(period=current, node=mine, reviewer=users["reviewer"], user=users["admin"])
    client.force_login(users["admin"])
    response = client.post(url("assignments_copy", current))
    assert response.status_code == 200 and 'name="confirm" value="1"' in response.text
    assert rows_of(current) == {("2", users["reviewer"].pk, None, None)}
    response = client.post(url("assignments_copy", current), {"confirm": "1"}, follow=True)
    assert "Đã sao chép 2 phân công từ «Kỳ đánh giá 2025»" in response.text and "1.2, 2.1.2" in response.text
    assert {code for code, *_ in rows_of(current)} == {"1", "2.1"}


def test_copy_without_a_previous_period_says_so(client, users, period):
    client.force_login(users["admin"])
    response = client.post(url("assignments_copy", period), follow=True)
    assert "Không có kỳ đánh giá nào trước kỳ này" in response.text
    assert not ReviewAssignment.objects.exists()


# ---- starting appraisal --------------------------------------------------------------------------------


def test_start_is_refused_with_the_reason_and_changes_nothing(client, users, period):
    client.force_login(users["admin"])
    start = url("start_appraisal", period)
    response = client.post(start)  # no confirmation yet: the page asks
    assert 'name="confirm" value="1"' in response.text
    response = client.post(start, {"confirm": "1"}, follow=True)
    assert "Chưa bắt đầu thẩm định được: Còn" in response.text and "chưa có người thẩm định" in response.text
    cover_everything(period, users["admin"], users["reviewer"])
    response = client.post(start, {"confirm": "1"}, follow=True)
    assert "Các đơn vị còn hạn tự đánh giá: Sở Khoa học và Công nghệ, Sở Tư pháp." in response.text
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    assert set(period.assessments.values_list("state", flat=True)) == {AssessmentState.DRAFT}


def test_start_moves_the_period_into_appraisal(client, users, period):
    cover_everything(period, users["admin"], users["reviewer"])
    Period.objects.filter(pk=period.pk).update(self_assessment_deadline=timezone.now() - datetime.timedelta(days=1))
    client.force_login(users["admin"])
    response = client.post(url("start_appraisal", period), {"confirm": "1"}, follow=True)
    assert "Đã bắt đầu thẩm định: 2 bản đánh giá" in response.text
    period.refresh_from_db()
    assert period.state == PeriodState.APPRAISAL
    assert set(period.assessments.values_list("state", flat=True)) == {AssessmentState.UNDER_APPRAISAL}
    assert "Bắt đầu thẩm định</button>" not in client.get(url("assignments", period)).text


def test_the_period_list_and_progress_link_to_the_page(client, users, period):
    client.force_login(users["admin"])
    target = url("assignments", period)
    assert target in client.get(reverse("assessments:periods")).text
    assert target in client.get(reverse("assessments:progress", args=[period.pk])).text
    client.force_login(users["leadership"])
    assert target not in client.get(reverse("assessments:progress", args=[period.pk])).text


# ---- who may ------------------------------------------------------------------------------------------

OUTSIDERS = ["reviewer", "agency_reviewer", "officer", "head", "leadership", "no_role"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_the_administrator_reaches_any_of_it(client, users, period, agency, who):
    user = make_user("td.cua.so", Role.REVIEWER, agency) if who == "agency_reviewer" else users[who]
    nodes = nodes_of(period)
    row = assignment_save(period=period, node=nodes["1"], reviewer=users["reviewer"], user=users["admin"])
    Period.objects.filter(pk=period.pk).update(self_assessment_deadline=timezone.now() - datetime.timedelta(days=1))
    # A previous period with assignments, so that a copy would have something to copy.
    last = open_period(agency, year=2025, index_set=make_index_set(name="Bộ 2025", year_from=2025))
    assignment_save(period=last, node=nodes_of(last)["2"], reviewer=users["reviewer"], user=users["admin"])
    before = (rows_of(period), Period.objects.get(pk=period.pk).state)
    client.force_login(user)
    response = client.get(url("assignments", period))
    assert response.status_code == 403 and "Phân công" not in response.text
    posts = {
        "assignment_add": {"node": nodes["2"].pk, "assignee": f"r{users['reviewer'].pk}"},
        "assignment_remove": {"confirm": "1"},
        "assignments_copy": {"confirm": "1"},
        "start_appraisal": {"confirm": "1"},
    }
    for name, data in posts.items():
        assert client.post(url(name, period, row), data).status_code == 403, name
    assert (rows_of(period), Period.objects.get(pk=period.pk).state) == before
    # The administrator's same requests do act (so the refusals above are not of a broken request).
    client.force_login(users["admin"])
    assert client.post(url("assignment_add", period), posts["assignment_add"]).status_code == 302
    assert rows_of(period) != before[0]


def test_anonymous_visitors_are_sent_to_log_in(client, users, period):
    row = assignment_save(period=period, node=nodes_of(period)["1"], reviewer=users["reviewer"], user=users["admin"])
    for name in MATRIX:
        method = client.get if name == "assignments" else client.post
        response = method(url(name, period, row), {"confirm": "1"})
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], name
    assert rows_of(period) == {("1", users["reviewer"].pk, None, None)}
    assert Period.objects.get(pk=period.pk).state == PeriodState.OPEN

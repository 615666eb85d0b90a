"""Every transition of an assessment, allowed and refused, with who and when."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Period, Transition
from assessments.services import assessment_extend, period_open, period_save

from .factories import assessment_of, make_agency, make_index_set, open_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(agency, other_agency):
    return assessment_of(open_period(agency, other_agency), agency)


def fill_everything(assessment) -> None:
    """Score every self-scored leaf and explain the one that asks for evidence (1.1) in a note."""
    for s in assessment.scores.select_related("node").filter(node__is_survey=False):
        s.self_points = 0
        s.note = "Thuyết minh" if s.node.evidence_required else ""
        s.save()


def post(client, user, name, assessment, data=None):
    client.force_login(user)
    if name == "submit":  # as confirmed in the browser's dialog
        data = {"confirm": "1", **(data or {})}
    return client.post(reverse(f"assessments:{name}", args=[assessment.pk]), data or {})


def reload(assessment) -> Assessment:
    return Assessment.objects.select_related("period").get(pk=assessment.pk)


def test_officer_marks_ready_and_unmarks(client, users, assessment):
    assert post(client, users["officer"], "mark_ready", assessment).status_code == 302
    a = reload(assessment)
    assert (a.ready_by, a.state) == (users["officer"], "draft") and a.ready_at is not None
    post(client, users["officer"], "mark_ready", assessment, {"ready": "0"})
    assert reload(assessment).ready_at is None
    assert list(Transition.objects.values_list("action", "by__username")) == [
        ("unmark_ready", "chuyenvien"),
        ("mark_ready", "chuyenvien"),
    ]


def test_submit_refused_while_leaves_are_unscored_or_unexplained(client, users, assessment):
    response = post(client, users["head"], "submit", assessment)
    assert response.status_code == 302
    assert reload(assessment).state == "draft"
    page = client.get(reverse("assessments:submit", args=[assessment.pk]))
    assert "Còn 5 tiêu chí chưa chấm: 1.1, 1.2, 1.3, 2.1.1.1, 2.1.2." in page.text
    fill_everything(assessment)
    assessment.scores.filter(node__code="1.1").update(note="")
    client.post(reverse("assessments:submit", args=[assessment.pk]), {"confirm": "1"})
    assert reload(assessment).state == "draft"
    page = client.get(reverse("assessments:submit", args=[assessment.pk]))
    assert "1 tiêu chí yêu cầu tài liệu kiểm chứng nhưng chưa có tài liệu và chưa có thuyết minh: 1.1." in page.text


def test_only_the_head_submits(client, users, assessment):
    fill_everything(assessment)
    assert post(client, users["officer"], "submit", assessment).status_code == 403
    assert post(client, users["head"], "submit", assessment).status_code == 302
    a = reload(assessment)
    assert a.state == "submitted" and a.submitted_at is not None
    t = Transition.objects.get(action="submit")
    assert (t.from_state, t.to_state, t.by) == ("draft", "submitted", users["head"])


def test_submitted_sheet_is_read_only_for_the_agency(client, users, assessment):
    fill_everything(assessment)
    post(client, users["head"], "submit", assessment)
    s = assessment.scores.get(node__code="1.1")
    client.force_login(users["officer"])
    response = client.post(
        reverse("assessments:leaf_save", args=[assessment.pk, s.pk]), {"version": s.version, "self_points": "1"}
    )
    assert response.status_code == 403
    page = client.get(reverse("assessments:sheet", args=[assessment.pk]))
    assert "Bản tự đánh giá đã gửi nên chỉ xem được." in page.text and 'name="self_points"' not in page.text


def test_head_recalls_before_the_deadline_not_after(client, users, assessment):
    fill_everything(assessment)
    post(client, users["head"], "submit", assessment)
    assert post(client, users["officer"], "recall", assessment).status_code == 403
    assert post(client, users["head"], "recall", assessment).status_code == 302
    assert reload(assessment).state == "draft"
    post(client, users["head"], "submit", assessment)
    Period.objects.filter(pk=assessment.period_id).update(
        self_assessment_deadline=timezone.now() - datetime.timedelta(hours=1)
    )
    assert post(client, users["head"], "recall", assessment).status_code == 403
    assert reload(assessment).state == "submitted"


def test_sheet_locks_after_the_deadline_until_extended(client, users, assessment):
    Period.objects.filter(pk=assessment.period_id).update(
        self_assessment_deadline=timezone.now() - datetime.timedelta(days=1)
    )
    s = assessment.scores.get(node__code="1.1")
    client.force_login(users["officer"])
    url = reverse("assessments:leaf_save", args=[assessment.pk, s.pk])
    assert client.post(url, {"version": "1", "self_points": "1"}).status_code == 403
    assert "Đã quá hạn tự đánh giá" in client.get(reverse("assessments:sheet", args=[assessment.pk])).text
    # only the administrator extends, for this agency only
    until = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%d/%m/%Y %H:%M")
    assert post(client, users["officer"], "extend", assessment, {"until": until}).status_code == 403
    assert post(client, users["admin"], "extend", assessment, {"until": until}).status_code == 302
    assert reload(assessment).deadline_extended_to is not None
    client.force_login(users["officer"])
    assert client.post(url, {"version": "1", "self_points": "1"}).status_code == 200
    other = Assessment.objects.exclude(pk=assessment.pk).get()
    assert other.deadline_extended_to is None
    assert Transition.objects.get(action="extend").by == users["admin"]


def test_extension_in_the_past_is_refused(client, users, assessment):
    response = post(client, users["admin"], "extend", assessment, {"until": "01/01/2020 08:00"})
    assert response.status_code == 302
    assert reload(assessment).deadline_extended_to is None


def test_period_open_is_bulk_and_freezes_the_set(django_assert_num_queries):
    index_set = make_index_set()
    few = [make_agency(f"Sở {i}") for i in range(2)]
    many = [make_agency(f"UBND xã {i}") for i in range(12)]
    deadline = timezone.now() + datetime.timedelta(days=30)
    period = period_save(
        year=2026, name="Kỳ đầu", index_sets=[index_set], agencies=few, self_assessment_deadline=deadline
    )
    # savepoint, period (locked), its sets, its agencies, freeze the set, bulk insert of assessments, read them
    # back, the leaves, bulk insert of scores, period state, release
    with django_assert_num_queries(11):
        period_open(period=period)
    index_set.refresh_from_db()
    assert index_set.is_frozen
    # six times the agencies, same queries (the set is already frozen: one update fewer)
    period = period_save(
        year=2026, name="Kỳ sau", index_sets=[index_set], agencies=many, self_assessment_deadline=deadline
    )
    with django_assert_num_queries(10):
        period_open(period=period)
    assert Assessment.objects.count() == 14
    assert Assessment.objects.first().scores.count() == 6


def test_period_open_refusals(agency):
    index_set = make_index_set()
    merged = make_agency("Sở cũ", is_active=False, merged_into=agency)
    period = period_save(year=2026, name="Kỳ", index_sets=[index_set], agencies=[merged])
    with pytest.raises(ValidationError, match=r"Đặt hạn tự đánh giá trước khi mở kỳ\."):
        period_open(period=period)
    period = period_save(
        period=period,
        year=2026,
        name="Kỳ",
        index_sets=[index_set],
        agencies=[merged],
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=30),
    )
    with pytest.raises(
        ValidationError, match=r"Đơn vị đã ngừng hoạt động hoặc đã hợp nhất không thể tham gia: Sở cũ\."
    ):
        period_open(period=period)
    commune = make_agency("UBND xã A", kind="commune")
    period2 = period_save(
        year=2026,
        name="Kỳ 2",
        index_sets=[index_set],
        agencies=[commune],
        self_assessment_deadline=timezone.now() + datetime.timedelta(days=30),
    )
    with pytest.raises(ValidationError, match=r"Chưa chọn bộ chỉ số cho loại cơ quan của: UBND xã A\."):
        period_open(period=period2)
    assert Assessment.objects.count() == 0


def test_extension_note_is_in_the_province_time_whatever_zone_the_caller_used(users, assessment):
    until_utc = datetime.datetime(2099, 1, 1, 1, 30, tzinfo=datetime.UTC)  # 08:30 in Hà Nội
    assessment_extend(assessment=assessment, user=users["admin"], until=until_utc)
    assert Transition.objects.get(action="extend").note == "Gia hạn đến 01/01/2099 08:30"


def test_a_later_common_deadline_also_reaches_an_agency_that_had_an_extension(users, assessment):
    now = timezone.now()
    assessment_extend(assessment=assessment, user=users["admin"], until=now + datetime.timedelta(days=40))
    assert reload(assessment).self_assessment_deadline == now + datetime.timedelta(days=40)  # more than 30
    Period.objects.filter(pk=assessment.period_id).update(self_assessment_deadline=now + datetime.timedelta(days=60))
    assert reload(assessment).self_assessment_deadline == now + datetime.timedelta(days=60)

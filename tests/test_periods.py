"""The administrator's period form: create, change while set up, and only dates and bands once open."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import Assessment, Period, PeriodIndexSet
from assessments.services import period_save
from organisations.models import AgencyKind

from .factories import make_agency, make_index_set, open_period

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def sets(db):
    return {
        AgencyKind.DEPARTMENT: make_index_set(AgencyKind.DEPARTMENT, "Bộ sở"),
        AgencyKind.COMMUNE: make_index_set(AgencyKind.COMMUNE, "Bộ xã"),
    }


def form_data(sets, **changes: object) -> dict[str, object]:
    data = {
        "year": "2027",
        "name": "Chỉ số CCHC năm 2027",
        f"set_{AgencyKind.DEPARTMENT}": str(sets[AgencyKind.DEPARTMENT].pk),
        f"set_{AgencyKind.COMMUNE}": "",
        "self_assessment_deadline": "15/01/2027 17:00",
        "appraisal1_deadline": "15/02/2027 17:00",
        "explanation_deadline": "01/03/2027 17:00",
        "appraisal2_deadline": "15/03/2027 17:00",
        "band_good_min": "82,5",
        "band_fair_min": "70",
        "band_average_min": "60",
        "bonus_cap": "2",
        "penalty_cap": "0",
        "warning_threshold": "75",
        "warning_domains": "1, 2",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_creating_a_period_takes_every_active_agency_of_the_chosen_kinds(client, users, agency, other_agency, sets):
    make_agency("UBND xã Trung Hà", AgencyKind.COMMUNE)  # no set chosen for communes: not included
    make_agency("Sở Tài nguyên và Môi trường", is_active=False)  # merged away: not included
    client.force_login(users["admin"])
    response = client.post(reverse("assessments:period_add"), form_data(sets))
    assert response.status_code == 302, response.content.decode()
    period = Period.objects.get()
    assert sorted(a.name for a in period.agencies.all()) == ["Sở Khoa học và Công nghệ", "Sở Tư pháp"]
    assert [(p.agency_kind, p.index_set) for p in period.index_sets.all()] == [
        (AgencyKind.DEPARTMENT, sets[AgencyKind.DEPARTMENT])
    ]
    assert period.self_assessment_deadline == datetime.datetime(2027, 1, 15, 17, 0, tzinfo=HANOI)
    assert (period.band_good_min, period.bonus_cap) == (Decimal("82.5"), Decimal(2))
    assert period.state == "setup"


def test_chosen_agencies_are_kept_as_chosen(client, users, agency, other_agency, sets):
    client.force_login(users["admin"])
    client.post(reverse("assessments:period_add"), form_data(sets, agencies=[str(other_agency.pk)]))
    assert [a.name for a in Period.objects.get().agencies.all()] == ["Sở Tư pháp"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({f"set_{AgencyKind.DEPARTMENT}": ""}, "Chọn bộ chỉ số cho ít nhất một loại cơ quan."),
        ({"appraisal1_deadline": "10/01/2027 08:00"}, "Hạn thẩm định vòng 1 phải sau hạn tự đánh giá."),
        ({"appraisal2_deadline": "01/03/2027 17:00"}, "Hạn thẩm định vòng 2 phải sau hạn giải trình."),
        ({"self_assessment_deadline": "31/02/2027"}, "Nhập ngày giờ dạng dd/mm/yyyy hh:mm, ví dụ 15/01/2027 17:00."),
        ({"band_fair_min": "85"}, "Ngưỡng xếp loại phải giảm dần trong 0–100: Tốt &gt; Khá &gt; Trung bình ≥ 0."),
        ({"band_good_min": "101"}, "Không được lớn hơn 100."),
        ({"band_average_min": "sáu mươi"}, "Nhập một số, ví dụ 82,5."),
        ({"bonus_cap": "-1"}, "Không được nhỏ hơn 0."),
        ({"year": "năm nay"}, "Nhập năm bằng số, ví dụ 2027."),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_saves_nothing(client, users, agency, sets, changes, message):
    client.force_login(users["admin"])
    response = client.post(reverse("assessments:period_add"), form_data(sets, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Period.objects.exists() and not PeriodIndexSet.objects.exists()


def test_an_agency_of_a_kind_without_a_set_is_refused(client, users, agency, sets):
    commune = make_agency("UBND phường Minh Xuân", AgencyKind.COMMUNE)
    client.force_login(users["admin"])
    response = client.post(reverse("assessments:period_add"), form_data(sets, agencies=[str(commune.pk)]))
    assert "Chưa chọn bộ chỉ số cho loại cơ quan của: UBND phường Minh Xuân." in response.content.decode()
    assert not Period.objects.exists()


def test_the_same_name_twice_in_a_year_is_refused(client, users, agency, sets):
    client.force_login(users["admin"])
    assert client.post(reverse("assessments:period_add"), form_data(sets)).status_code == 302
    response = client.post(reverse("assessments:period_add"), form_data(sets))
    assert "Năm này đã có một kỳ đánh giá cùng tên." in response.content.decode()
    assert Period.objects.count() == 1


def test_a_period_being_set_up_can_change_its_sets_and_agencies(client, users, agency, other_agency, sets):
    commune = make_agency("UBND xã Kim Bình", AgencyKind.COMMUNE)
    client.force_login(users["admin"])
    client.post(reverse("assessments:period_add"), form_data(sets))
    period = Period.objects.get()
    changes = {f"set_{AgencyKind.COMMUNE}": str(sets[AgencyKind.COMMUNE].pk), "agencies": [agency.pk, commune.pk]}
    response = client.post(reverse("assessments:period_edit", args=[period.pk]), form_data(sets, **changes))
    assert response.status_code == 302
    assert {p.agency_kind for p in period.index_sets.all()} == {AgencyKind.DEPARTMENT, AgencyKind.COMMUNE}
    assert sorted(a.name for a in period.agencies.all()) == ["Sở Khoa học và Công nghệ", "UBND xã Kim Bình"]


def test_an_open_period_changes_dates_and_bands_but_keeps_sets_and_agencies(client, users, agency, other_agency):
    period = open_period(agency, other_agency)
    index_set = period.index_sets.get().index_set
    client.force_login(users["admin"])
    page = client.get(reverse("assessments:period_edit", args=[period.pk])).content.decode()
    assert "Kỳ đã mở: không đổi được." in page and page.count("disabled") >= 3
    data = form_data({AgencyKind.DEPARTMENT: make_index_set(name="Bộ khác")}, agencies=[agency.pk], year="2026")
    data["name"] = period.name
    response = client.post(reverse("assessments:period_edit", args=[period.pk]), data)
    assert response.status_code == 302, response.content.decode()
    period.refresh_from_db()
    # the disabled fields keep what the period had, whatever was posted
    assert period.index_sets.get().index_set == index_set
    assert period.agencies.count() == 2 and Assessment.objects.filter(period=period).count() == 2
    assert period.self_assessment_deadline == datetime.datetime(2027, 1, 15, 17, 0, tzinfo=HANOI)
    assert period.band_good_min == Decimal("82.5")


def test_the_service_refuses_to_change_who_takes_part_in_an_open_period(agency, other_agency):
    period = open_period(agency, other_agency)
    index_set = period.index_sets.get().index_set
    with pytest.raises(ValidationError, match="Kỳ đánh giá đã mở nên không đổi được bộ chỉ số và đơn vị tham gia"):
        period_save(period=period, year=2026, name=period.name, index_sets=[index_set], agencies=[agency])
    assert period.agencies.count() == 2


def test_edit_page_costs_a_fixed_number_of_queries(
    client, users, agency, other_agency, sets, django_assert_num_queries
):
    period = open_period(agency, other_agency)
    for i in range(5):
        make_agency(f"UBND xã Số {i}", AgencyKind.COMMUNE)
    client.force_login(users["admin"])
    # session, user, roles, the period, its sets (prefetch), its agencies (initial values), the agency
    # kinds that have sets, the set choices of each of those two kinds, the agency choices, the unread notices
    with django_assert_num_queries(11):
        assert client.get(reverse("assessments:period_edit", args=[period.pk])).status_code == 200


def test_an_optional_select_offers_a_vietnamese_blank_choice(client, users, sets):
    client.force_login(users["admin"])
    page = client.get(reverse("assessments:period_add")).content.decode()
    assert '<option value="" selected>— Chọn —</option>' in page and "Select an option" not in page


def test_a_published_period_cannot_be_changed(client, users, agency, other_agency):
    period = open_period(agency, other_agency)
    Period.objects.filter(pk=period.pk).update(state="published")
    client.force_login(users["admin"])
    assert reverse("assessments:period_edit", args=[period.pk]) not in client.get(reverse("assessments:periods")).text
    data = form_data({AgencyKind.DEPARTMENT: period.index_sets.get().index_set}, year="2026", band_good_min="95")
    data["name"] = period.name
    response = client.post(reverse("assessments:period_edit", args=[period.pk]), data)
    assert "Kỳ đánh giá đã công bố kết quả nên không sửa được." in response.text
    assert Period.objects.get(pk=period.pk).band_good_min == Decimal(80)


def test_an_open_period_keeps_a_self_assessment_deadline(client, users, agency, other_agency):
    period = open_period(agency, other_agency)
    client.force_login(users["admin"])
    data = form_data({AgencyKind.DEPARTMENT: period.index_sets.get().index_set}, year="2026")
    data.update(name=period.name, self_assessment_deadline="")
    response = client.post(reverse("assessments:period_edit", args=[period.pk]), data)
    assert "Kỳ đã mở phải có hạn tự đánh giá." in response.text
    assert Period.objects.get(pk=period.pk).self_assessment_deadline is not None


def test_default_agencies_leave_out_one_merged_since_the_period_was_created(client, users, agency, other_agency, sets):
    client.force_login(users["admin"])
    client.post(reverse("assessments:period_add"), form_data(sets))
    period = Period.objects.get()
    other_agency.merged_into, other_agency.is_active = agency, False
    other_agency.save()
    response = client.post(reverse("assessments:period_edit", args=[period.pk]), form_data(sets))
    assert response.status_code == 302
    assert [a.name for a in period.agencies.all()] == ["Sở Khoa học và Công nghệ"]


def test_a_set_must_apply_in_the_period_year(client, users, agency):
    old = make_index_set(AgencyKind.DEPARTMENT, "Bộ 2022–2024", year_from=2022, year_to=2024)
    client.force_login(users["admin"])
    response = client.post(reverse("assessments:period_add"), form_data({AgencyKind.DEPARTMENT: old}))
    assert "Bộ chỉ số «Bộ 2022–2024» áp dụng cho các năm 2022–2024, không cho năm 2027." in response.text
    assert not Period.objects.exists()


def test_period_list_and_add_page_cost_a_fixed_number_of_queries(
    client, users, agency, other_agency, sets, django_assert_num_queries
):
    for year in (2026, 2027, 2028):
        open_period(agency, other_agency, year=year)
    client.force_login(users["admin"])
    # session, user, roles, the periods, their sets with the set rows (one prefetch of two queries), the unread
    # notices for the menu's badge
    with django_assert_num_queries(7):
        page = client.get(reverse("assessments:periods")).content.decode()
    assert page.count(">Sửa</a>") == 3
    # session, user, roles, agency kinds that have sets, the set choices of each of the two kinds, the agencies,
    # the unread notices for the menu's badge
    with django_assert_num_queries(8):
        assert client.get(reverse("assessments:period_add")).status_code == 200


def test_a_reviewer_follows_the_periods_without_managing_them(client, users, agency, other_agency, sets):
    """Reviewers appraise across agencies: they reach each period's progress (and from there the submitted
    sheets) from the period list, with no button to create, change or open a period."""
    opened = open_period(agency, other_agency)
    setup = period_save(
        year=2027,
        name="Chỉ số CCHC năm 2027",
        index_sets=[sets[AgencyKind.DEPARTMENT]],
        agencies=[agency],
        self_assessment_deadline=None,
    )
    client.force_login(users["reviewer"])
    page = client.get(reverse("assessments:periods")).content.decode()
    assert f'href="{reverse("assessments:progress", args=[opened.pk])}"' in page
    assert setup.name in page and "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert reverse("assessments:period_add") not in page
    assert reverse("assessments:period_edit", args=[opened.pk]) not in page
    assert reverse("assessments:periods") in client.get(reverse("home")).content.decode()  # in the menu

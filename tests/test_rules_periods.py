"""One rule for a period's default participants: every active agency of a kind that has a set."""

import pytest
from django.urls import reverse

from assessments.models import Period
from assessments.selectors import default_participants
from organisations.models import AgencyKind

from .factories import make_agency, make_index_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(agency, other_agency):
    return {
        "commune": make_agency("UBND xã Trung Hà", AgencyKind.COMMUNE),
        "merged": make_agency("Sở Tài nguyên và Môi trường", merged_into=agency, is_active=False),
        "closed": make_agency("Ban Quản lý dự án", is_active=False),
    }


def test_default_participants_are_the_active_agencies_of_the_kinds(agency, other_agency, agencies):
    assert default_participants([AgencyKind.DEPARTMENT]) == [agency, other_agency]
    # Ordered by kind, then name; what the kinds are given as does not matter.
    both = [agencies["commune"], agency, other_agency]
    assert default_participants([AgencyKind.DEPARTMENT, AgencyKind.COMMUNE]) == both
    assert default_participants(k for k in (AgencyKind.COMMUNE, AgencyKind.DEPARTMENT)) == both
    assert default_participants([]) == []


def test_the_period_form_saves_the_selectors_participants(client, users, agency, other_agency, agencies):
    client.force_login(users["admin"])
    department_set = make_index_set(AgencyKind.DEPARTMENT, "Bộ sở")
    commune_set = make_index_set(AgencyKind.COMMUNE, "Bộ xã")
    response = client.post(
        reverse("assessments:period_add"),
        {
            "year": "2027",
            "name": "Chỉ số CCHC năm 2027",
            f"set_{AgencyKind.DEPARTMENT}": str(department_set.pk),
            f"set_{AgencyKind.COMMUNE}": str(commune_set.pk),
            "band_good_min": "80",
            "band_fair_min": "70",
            "band_average_min": "60",
            "bonus_cap": "0",
            "penalty_cap": "0",
            "warning_threshold": "75",
        },
    )
    assert response.status_code == 302, response.content.decode()
    period = Period.objects.get()
    expected = default_participants([AgencyKind.DEPARTMENT, AgencyKind.COMMUNE])
    assert set(period.agencies.all()) == set(expected) == {agency, other_agency, agencies["commune"]}

"""`manage.py load_demo`: what a newcomer sees after `make run` — sample sets, the province's agencies
after the 2025 reorganisation, one account per role, and an open period at varied progress."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum
from django.test import RequestFactory
from django.utils import timezone

from assessments.models import Assessment, Evidence, Period
from criteria.models import IndexSet, Node, ScoringMethod
from demo.data import DEMO_PASSWORD, DEMO_USERS
from organisations.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def domain_max(index_set: IndexSet, survey: bool) -> Decimal:
    return index_set.nodes.filter(parent__isnull=True, is_survey=survey).aggregate(s=Sum("max_points"))["s"]


def test_sample_sets_follow_the_published_structure(demo):
    department = IndexSet.objects.get(agency_kind=AgencyKind.DEPARTMENT)
    commune = IndexSet.objects.get(agency_kind=AgencyKind.COMMUNE)
    assert department.is_sample and commune.is_sample
    assert (domain_max(department, False), domain_max(department, True)) == (Decimal("66.5"), Decimal("33.5"))
    assert domain_max(commune, False) + domain_max(commune, True) == 100
    codes = set(department.nodes.values_list("code", flat=True))
    assert {"1.2.2", "1.5.1", "2.1.1.1", "3.1.2", "3.1.3", "7.2.1", "7.2.2"} <= codes
    methods = set(Node.objects.filter(index_set=department, is_leaf=True).values_list("method", flat=True))
    assert set(ScoringMethod.values) <= methods


def test_agencies_reflect_the_2025_reorganisation(demo):
    assert Agency.objects.count() == 37
    merged = Agency.objects.get(name="Sở Thông tin và Truyền thông")
    assert not merged.is_active and merged.merged_into.name == "Sở Khoa học và Công nghệ"
    assert Agency.objects.get(name="Sở Tài nguyên và Môi trường").merged_into.name == "Sở Nông nghiệp và Môi trường"
    period = Period.objects.get()
    assert not period.agencies.filter(is_active=False).exists()
    assert not period.agencies.filter(kind=AgencyKind.DISTRICT).exists()


def test_every_demo_login_works(demo):
    for username, *_rest in DEMO_USERS:
        # django-axes checks every login and needs the request it comes with.
        request = RequestFactory().post("/dang-nhap/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None, username
    assert "quantri" in demo and DEMO_PASSWORD in demo


def test_the_period_is_open_with_varied_progress(demo):
    period = Period.objects.get()
    assert period.year == timezone.localdate().year and period.state == "open"
    assert period.assessments.count() == period.agencies.count() == 22
    by_name = {a.agency.name: a for a in Assessment.objects.select_related("agency")}
    assert by_name["Sở Nội vụ"].state == "submitted"
    khcn = by_name["Sở Khoa học và Công nghệ"]
    scored = khcn.scores.filter(self_points__isnull=False).count()
    assert 0 < scored < khcn.scores.filter(node__is_survey=False).count()
    assert Evidence.objects.filter(assessment=khcn, kind="file").exists()
    assert not by_name["Sở Tư pháp"].scores.filter(self_points__isnull=False).exists()


def test_loading_again_adds_nothing_and_if_empty_skips(demo):
    counts = (IndexSet.objects.count(), Agency.objects.count(), Period.objects.count(), Assessment.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (IndexSet.objects.count(), Agency.objects.count(), Period.objects.count(), Assessment.objects.count()) == (
        counts
    )
    out = StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "bỏ qua" in out.getvalue()

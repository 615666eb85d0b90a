"""`manage.py load_demo`: what a newcomer sees after `make run` — sample sets, the province's agencies
after the 2025 reorganisation, one account per role, an open period at varied progress with its domains
assigned, and last year's period appraised and published."""

from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from appraisal.models import AppraisalEntry, Publication, PublishedResult, ReviewAssignment
from appraisal.services import uncovered_leaves
from assessments.models import Assessment, AssessmentState, Evidence, Period, PeriodState, Score
from criteria.models import IndexSet, Node, ScoringMethod
from demo.data import DEMO_PASSWORD, DEMO_USERS
from organisations.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Loaded once for the module: last year's period goes through every service (some 1 700 appraisals),
    too slow to repeat per test. The tests only read it (each in its own rolled-back transaction); the
    database is emptied afterwards so no other module sees it. Files go to a private folder, passwords use
    the tests' fast hash (the autouse fixture applies per test, after this one)."""
    media = tmp_path_factory.mktemp("demo-media")
    storages = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media)}},
    }
    with (
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media, STORAGES=storages
        ),
        django_db_blocker.unblock(),
    ):
        out = StringIO()
        call_command("load_demo", stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


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
    period = Period.objects.get(year=timezone.localdate().year)
    assert not period.agencies.filter(is_active=False).exists()
    assert not period.agencies.filter(kind=AgencyKind.DISTRICT).exists()


def test_every_demo_login_works(demo):
    for username, *_rest in DEMO_USERS:
        # django-axes checks every login and needs the request it comes with.
        request = RequestFactory().post("/dang-nhap/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None, username
    assert "quantri" in demo and DEMO_PASSWORD in demo


def test_the_period_is_open_with_varied_progress(demo):
    period = Period.objects.get(year=timezone.localdate().year)
    assert period.state == "open"
    assert period.assessments.count() == period.agencies.count() == 22
    by_name = {a.agency.name: a for a in period.assessments.select_related("agency")}
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


def test_this_years_domains_are_assigned_to_the_demo_reviewer(demo):
    period = Period.objects.get(year=timezone.localdate().year)
    assert not uncovered_leaves(period)
    assert set(ReviewAssignment.objects.filter(period=period).values_list("reviewer__username", flat=True)) == {
        "thamdinh"
    }


def test_last_year_is_published_with_ranks(demo, client):
    last = Period.objects.get(year=timezone.localdate().year - 1)
    this = Period.objects.get(year=timezone.localdate().year)
    assert last.state == PeriodState.PUBLISHED and last.public_ranking and last.finalised_at is not None
    assert set(last.agencies.values_list("pk", flat=True)) == set(this.agencies.values_list("pk", flat=True))
    assert set(last.assessments.values_list("state", flat=True)) == {AssessmentState.PUBLISHED}
    # Appraised through the service, with varied points and comments, by the demo reviewer only.
    entries = AppraisalEntry.objects.filter(assessment__period=last)
    assert (
        entries.count()
        == Score.objects.filter(assessment__period=last, node__is_survey=False, not_applicable=False).count()
    )
    assert set(entries.values_list("reviewer__username", flat=True)) == {"thamdinh"}
    assert entries.filter(accepted_self=False).exists() and entries.exclude(comment="").exists()
    publication = Publication.objects.get(period=last, unpublished_at__isnull=True)
    results = PublishedResult.objects.filter(publication=publication)
    assert results.count() == 22
    for kind in (AgencyKind.DEPARTMENT, AgencyKind.COMMUNE):
        group = results.filter(group=kind)
        assert set(group.values_list("rank_of", flat=True)) == {group.count()}
        assert group.filter(rank=1).exists() and len(set(group.values_list("index", flat=True))) > 1
    assert results.filter(survey_points__gt=0).count() == 22
    # The public page shows it without a login.
    response = client.get(reverse("public:ranking", args=[last.pk]))
    assert response.status_code == 200 and "Sở Nội vụ" in response.text

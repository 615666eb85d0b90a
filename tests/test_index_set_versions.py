"""Versions of a criteria set are unique within its family (same name and agency kind): copies and
re-imports take the next free number, the database refuses a second one, and the pages show it."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from criteria.excel import build_workbook, import_index_set
from criteria.models import IndexSet
from criteria.services import index_set_copy, index_set_create
from criteria.tree import TreeInvalid
from organisations.models import AgencyKind

from .factories import compact_rows, make_index_set

pytestmark = pytest.mark.django_db


def versions(name: str = "Bộ chỉ số thử", kind: str = AgencyKind.DEPARTMENT) -> list[int]:
    return sorted(IndexSet.objects.filter(name=name, agency_kind=kind).values_list("version", flat=True))


def test_copying_an_older_version_takes_the_next_free_number():
    v1 = make_index_set()
    v2 = index_set_copy(source=v1)
    v3 = index_set_copy(source=v2)
    # The case of the issue: v2 → v3 exists, then an older version is copied again. Copying v1 used to
    # give a second v3 (the old code looked only at v1's own copies).
    from_v1 = index_set_copy(source=v1)
    from_v2 = index_set_copy(source=v2)
    assert (v1.version, v2.version, v3.version, from_v1.version, from_v2.version) == (1, 2, 3, 4, 5)
    assert (from_v1.copied_from, from_v2.copied_from) == (v1, v2)
    assert versions() == [1, 2, 3, 4, 5]


def test_a_renamed_copy_continues_the_numbering_and_skips_what_its_new_name_uses():
    source = make_index_set()
    index_set_copy(source=source)  # v2
    renamed = index_set_copy(source=source, name="Bộ chỉ số 2027")
    assert renamed.version == 3  # a new version of what it came from
    make_index_set(name="Bộ khác")
    other = index_set_copy(source=source, name="Bộ chỉ số 2027")
    assert other.version == 4
    assert versions("Bộ chỉ số 2027") == [3, 4]


def test_the_same_name_for_another_agency_kind_is_another_family():
    make_index_set(AgencyKind.DEPARTMENT, name="Bộ chung")
    commune = make_index_set(AgencyKind.COMMUNE, name="Bộ chung")
    assert commune.version == 1


def test_importing_a_set_again_gives_the_next_version():
    first = make_index_set()
    data = build_workbook(first)
    again = import_index_set(data)
    assert (again.name, again.agency_kind, again.version) == (first.name, first.agency_kind, 2)
    assert import_index_set(data).version == 3


def test_the_database_refuses_two_sets_with_the_same_version():
    make_index_set()
    with pytest.raises(IntegrityError), transaction.atomic():
        IndexSet.objects.create(name="Bộ chỉ số thử", agency_kind=AgencyKind.DEPARTMENT, year_from=2026, version=1)


def test_an_explicit_version_already_taken_is_refused_with_a_message():
    make_index_set()
    with pytest.raises(TreeInvalid) as exc:
        index_set_create(
            name="Bộ chỉ số thử", agency_kind=AgencyKind.DEPARTMENT, year_from=2026, rows=compact_rows(), version=1
        )
    assert any("cùng tên, cùng loại cơ quan với số phiên bản này" in str(e) for e in exc.value.errors)
    assert IndexSet.objects.count() == 1


def test_import_page_says_which_version_was_made(client, users):
    first = make_index_set()
    client.force_login(users["admin"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bo.xlsx", build_workbook(first))
    response = client.post(reverse("criteria:import"), {"file": upload}, follow=True)
    text = response.text
    assert "Đã nhập bộ chỉ số «Bộ chỉ số thử», phiên bản 2, với 11 mục." in text
    assert "bộ vừa nhập là phiên bản 2" in text
    assert versions() == [1, 2]


def test_copy_page_and_list_show_versions_so_sets_can_be_told_apart(client, users):
    v1 = make_index_set()
    client.force_login(users["admin"])
    response = client.post(reverse("criteria:copy", args=[v1.pk]), {"name": ""}, follow=True)
    v2 = IndexSet.objects.get(version=2)
    assert "Đã tạo phiên bản 2 từ «Bộ chỉ số thử»" in response.text
    assert "phiên bản 2" in response.text and "sao chép từ phiên bản 1" in response.text
    listing = client.get(reverse("criteria:list")).text
    assert f'href="{reverse("criteria:detail", args=[v1.pk])}"' in listing
    assert f'href="{reverse("criteria:detail", args=[v2.pk])}"' in listing
    assert listing.count("phiên bản 1") == 1 and listing.count("phiên bản 2") == 1

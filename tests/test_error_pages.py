"""Friendly Vietnamese 404, 403 and 500 pages that give nothing away, with DEBUG off as in production."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db

LEAKS = ("Traceback", "RuntimeError", "secret detail", "/srv/", ".py", "4242", "DEBUG", "settings")


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def test_404_is_vietnamese_with_a_way_home(client, users):
    client.force_login(users["officer"])
    response = client.get("/khong-co-trang-nay/4242/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text and 'href="/"' in response.text
    assert "Page not found" not in response.text
    # The address itself comes back (in the language switch's return path), nothing more.
    assert "4242" not in response.text.replace("/khong-co-trang-nay/4242/", "")


def test_404_for_an_object_says_nothing_about_it(client, users):
    client.force_login(users["admin"])
    response = client.get(reverse("people:user_edit", args=[987654]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text
    assert "No User matches" not in response.text
    assert "987654" not in response.text.replace(response.request["PATH_INFO"], "")


def test_403_is_vietnamese_says_whom_to_ask_and_leads_home(client, users):
    client.force_login(users["officer"])
    response = client.get(reverse("people:users"))
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.text
    assert "liên hệ quản trị viên Sở Nội vụ" in response.text and 'href="/"' in response.text
    assert "Forbidden" not in response.text


def test_403_says_the_reason_the_app_gave(client, users, agency, other_agency):
    from .factories import appraisal_period

    period = appraisal_period(agency, other_agency, reviewer=users["reviewer"], admin=users["admin"])
    client.force_login(users["officer"])  # an agency officer, before the results are published
    response = client.get(reverse("reports:ranking", args=[period.pk]))
    assert response.status_code == 403
    assert '<p class="lead" data-reason>Kết quả xếp hạng chỉ xem được sau khi Sở Nội vụ công bố.</p>' in response.text
    assert "liên hệ quản trị viên Sở Nội vụ" in response.text
    assert "không được phép xem hoặc thực hiện thao tác này" not in response.text  # the reason, not the generic text


@pytest.mark.urls("tests.urls_errors")
def test_403_without_a_reason_falls_back_to_the_generic_text(client, users):
    client.force_login(users["officer"])
    response = client.get("/__cam__/")
    assert response.status_code == 403
    assert "Tài khoản của bạn không được phép xem hoặc thực hiện thao tác này." in response.text
    assert "data-reason" not in response.text


@pytest.mark.urls("tests.urls_errors")
def test_403_reason_is_escaped(client, users):
    client.force_login(users["officer"])
    response = client.get("/__cam-the__/")
    assert response.status_code == 403
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Không được &amp; không nên" in response.text


@pytest.mark.urls("tests.urls_errors")
def test_500_is_vietnamese_and_leaks_nothing(client):
    client.raise_request_exception = False
    response = client.get("/__hong__/")
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi" in response.text and 'href="/"' in response.text
    for leak in LEAKS:
        assert leak not in response.text, leak


def test_500_renders_without_request_database_or_static_files(django_assert_num_queries):
    # Django's server_error view renders it with an empty context; nothing may need the database.
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Hệ thống gặp lỗi" in html
    assert "<link" not in html and "<script" not in html and "{%" not in html

"""Criteria pages: who may see and do what, what the pages show, and the query counts of the tree page."""

import pytest
from django.urls import reverse

from criteria.models import IndexSet
from criteria.services import index_set_freeze

from .factories import PASSWORD, make_index_set, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def index_set(db):
    return make_index_set()


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


# role → expected status for each page; everybody signed in reads the criteria, only admins change them.
MATRIX = {
    "list": {"admin": 200, "reviewer": 200, "leadership": 200, "head": 200, "officer": 200, "no_role": 200},
    "detail": {"admin": 200, "reviewer": 200, "leadership": 200, "head": 200, "officer": 200, "no_role": 200},
    "export": {"admin": 200, "reviewer": 200, "leadership": 200, "head": 200, "officer": 200, "no_role": 200},
    "import": {"admin": 200, "reviewer": 403, "leadership": 403, "head": 403, "officer": 403, "no_role": 403},
    "template": {"admin": 200, "reviewer": 403, "leadership": 403, "head": 403, "officer": 403, "no_role": 403},
    # the set editor (its POST: tests/test_index_set_editor.py::test_only_an_administrator_edits)
    "edit": {"admin": 200, "reviewer": 403, "leadership": 403, "head": 403, "officer": 403, "no_role": 403},
}


def url_for(name, index_set):
    return reverse(f"criteria:{name}", args=[index_set.pk] if name in {"detail", "export", "copy", "edit"} else [])


@pytest.mark.parametrize("page", list(MATRIX))
@pytest.mark.parametrize("role", ["admin", "reviewer", "leadership", "head", "officer", "no_role"])
def test_permission_matrix(client, users, index_set, page, role):
    response = client_for(client, users[role]).get(url_for(page, index_set))
    assert response.status_code == MATRIX[page][role]


@pytest.mark.parametrize("role", ["reviewer", "leadership", "head", "officer", "no_role"])
def test_only_admin_may_copy(client, users, index_set, role):
    response = client_for(client, users[role]).post(url_for("copy", index_set))
    assert response.status_code == 403
    assert IndexSet.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/bo-chi-so/",
        "/bo-chi-so/nhap/",
        "/bo-chi-so/mau.xlsx",
        "/bo-chi-so/1/",
        "/bo-chi-so/1/xuat.xlsx",
        "/admin/",
    ],
)
def test_login_required_everywhere(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/") or response["Location"].startswith("/admin/login/")


def test_login_page_is_public_and_in_vietnamese(client):
    response = client.get("/dang-nhap/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "Đăng nhập" in response.text and "Mật khẩu" in response.text


def test_login_with_wrong_password_says_so(client, users):
    response = client.post("/dang-nhap/", {"username": "quantri", "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text


def test_login_then_home(client, users):
    response = client.post("/dang-nhap/", {"username": "quantri", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Quản trị (Sở Nội vụ)" in response.text


def test_english_is_available(client, users):
    client.force_login(users["admin"])
    client.post("/ngon-ngu/", {"language": "en", "next": "/bo-chi-so/"})
    response = client.get("/bo-chi-so/")
    assert '<html lang="en">' in response.text
    assert "Criteria sets" in response.text


def test_an_english_browser_still_gets_vietnamese_until_english_is_chosen(client, users):
    client.force_login(users["admin"])
    response = client.get("/bo-chi-so/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.text and response["Content-Language"] == "vi"
    client.post("/ngon-ngu/", {"language": "en", "next": "/"})
    response = client.get("/bo-chi-so/", HTTP_ACCEPT_LANGUAGE="vi-VN")
    assert '<html lang="en">' in response.text and response["Content-Language"] == "en"


def test_a_language_variant_from_the_switch_is_understood(client, users):
    client.force_login(users["admin"])
    client.cookies["django_language"] = "en-us"
    assert '<html lang="en">' in client.get("/bo-chi-so/").text


def test_detail_shows_the_tree_in_order_with_decimal_commas(client, users, index_set, django_assert_num_queries):
    client.force_login(users["officer"])
    # session, user, index set, nodes, tiers (prefetch), set totals, the user's roles, the unread notices (badge)
    with django_assert_num_queries(8):
        response = client.get(url_for("detail", index_set))
    text = response.text
    codes = ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.1.1", "2.1.1.1", "2.1.2", "3", "3.1"]
    positions = [text.index(f'<td class="text-nowrap">{c}</td>') for c in codes]
    assert positions == sorted(positions)
    assert "50–80 %: 0,5" in text  # tiers, Vietnamese decimals
    assert "<strong>5</strong>" in text and "<strong>2</strong>" in text  # scored max and survey max


def test_list_query_count_does_not_grow_with_sets(client, users, django_assert_num_queries):
    for i in range(5):
        make_index_set(name=f"Bộ {i}")
    client.force_login(users["officer"])
    with django_assert_num_queries(5):  # session, user, sets with leaf counts, roles, unread notices (badge)
        client.get(reverse("criteria:list"))


def test_import_page_lists_every_error_and_saves_nothing(client, users):
    client.force_login(users["admin"])
    data = xlsx_bytes([["Mã", "Nội dung", "Điểm tối đa"], ["1", "A", 2], ["1.1", "B", "hai"], ["1.1", "C", 1]])
    upload = _upload("hong.xlsx", data)
    response = client.post(
        reverse("criteria:import"), {"file": upload, "name": "Thử", "agency_kind": "department", "year_from": 2026}
    )
    assert response.status_code == 400
    assert "Không lưu gì cả: tệp có 2 lỗi." in response.text
    assert "Dòng 3, cột «Điểm tối đa»: «hai» không phải là số; nhập một số, ví dụ 12,5." in response.text
    assert "Dòng 4, cột «Mã»: Mã «1.1» bị trùng (đã có ở dòng 3)." in response.text
    assert IndexSet.objects.count() == 0


def test_import_page_saves_a_good_file(client, users):
    client.force_login(users["admin"])
    data = xlsx_bytes([["Mã", "Nội dung", "Điểm tối đa"], ["1", "A", 2], ["1.1", "B", 2]])
    response = client.post(
        reverse("criteria:import"),
        {"file": _upload("tot.xlsx", data), "name": "Bộ tốt", "agency_kind": "commune", "year_from": 2026},
    )
    created = IndexSet.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("criteria:detail", args=[created.pk])
    assert (created.name, created.agency_kind, created.nodes.count()) == ("Bộ tốt", "commune", 2)


def test_frozen_set_says_how_to_change_it_and_copy_is_editable(client, users, index_set):
    index_set_freeze(index_set=index_set)
    client.force_login(users["admin"])
    response = client.get(url_for("detail", index_set))
    assert "đã bị khóa" in response.text and "sao chép thành phiên bản mới" in response.text
    response = client.post(url_for("copy", index_set), {"name": "Bộ năm sau"})
    copy = IndexSet.objects.exclude(pk=index_set.pk).get()
    assert (copy.name, copy.version, copy.copied_from_id, copy.is_frozen) == ("Bộ năm sau", 2, index_set.pk, False)
    assert copy.nodes.count() == index_set.nodes.count()


def test_export_is_an_attachment(client, users, index_set):
    client.force_login(users["officer"])
    response = client.get(url_for("export", index_set))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )

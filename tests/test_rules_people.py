"""One rule for «a user holds at least one role», held by user_save and shown by the form and the import."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import Workbook

from organisations.models import Role, RoleAssignment
from organisations.people import UserRolesInput, user_save
from organisations.people_excel import import_people
from parindex.xlsx import ImportInvalid

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()
NO_ROLE = "Chọn ít nhất một vai trò: người dùng không có vai trò không làm được gì."
USER_HEADER = ["Tên đăng nhập", "Họ và tên", "Email", "Vai trò", "Đơn vị", "Mật khẩu ban đầu"]


def people_workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Người dùng"
    for row in (USER_HEADER, *rows):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def db_state() -> tuple[object, ...]:
    return (
        list(User.objects.order_by("pk").values_list("username", "first_name", "last_name", "email")),
        sorted(RoleAssignment.objects.values_list("user__username", "role", "agency_id")),
    )


def test_user_save_refuses_a_new_account_without_a_role_and_saves_nothing(users):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        user_save(user=User(), username="moi", full_name="Trần Văn Mới", password=PASSWORD, roles=UserRolesInput())
    assert exc.value.message_dict == {"roles": [NO_ROLE]}
    assert db_state() == before


def test_user_save_does_not_take_away_the_last_role(users):
    officer = users["officer"]
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        user_save(user=officer, username="chuyenvien", full_name="Tên Khác", roles=UserRolesInput())
    assert exc.value.message_dict == {"roles": [NO_ROLE]}
    assert db_state() == before


def test_an_account_that_never_had_a_role_can_still_be_saved_as_it_is(users):
    """Accounts made with createsuperuser or Django's admin: an exported workbook must import back."""
    user_save(user=users["no_role"], username="khongvaitro", full_name="Lê Thị Hoa", roles=UserRolesInput())
    saved = User.objects.get(username="khongvaitro")
    assert (saved.last_name, saved.first_name) == ("Lê Thị", "Hoa")
    assert not RoleAssignment.objects.filter(user=saved).exists()


def test_the_form_shows_the_services_message_with_its_other_errors(client, users):
    client.force_login(users["admin"])
    before = db_state()
    response = client.post(
        reverse("people:user_add"), {"username": "moi", "full_name": "Trần Văn Mới", "is_active": "on"}
    )
    assert response.status_code == 200
    assert NO_ROLE in response.text
    assert "Tài khoản mới cần mật khẩu ban đầu." in response.text
    assert db_state() == before


def test_the_form_refuses_to_take_away_every_role(client, users):
    client.force_login(users["admin"])
    officer = users["officer"]
    before = db_state()
    response = client.post(
        reverse("people:user_edit", args=[officer.pk]),
        {"username": "chuyenvien", "full_name": "Hoàng Văn Bình", "is_active": "on"},
    )
    assert response.status_code == 200 and NO_ROLE in response.text
    assert db_state() == before


def test_import_row_without_a_role_gives_the_services_message_with_the_other_errors(users):
    before = db_state()
    with pytest.raises(ImportInvalid) as exc:
        import_people(
            people_workbook(
                ["moi.1", "Trần Văn A", "", "", "", "Cchc@2026-a"],
                ["moi.2", "Trần Văn B", "", "Lãnh đạo tỉnh", "", ""],
            )
        )
    assert [str(e) for e in exc.value.errors] == [
        f"Trang «Người dùng», dòng 2, cột «Vai trò»: {NO_ROLE}",
        "Trang «Người dùng», dòng 3, cột «Mật khẩu ban đầu»: Tài khoản mới cần mật khẩu ban đầu.",
    ]
    assert db_state() == before


def test_import_adds_to_the_roles_a_user_holds(users, agency):
    """An empty «Vai trò» for a user who holds roles keeps them: the file only adds roles."""
    import_people(people_workbook(["chuyenvien", "Hoàng Văn Bình", "binh@example.vn", "", "", ""]))
    officer = User.objects.get(username="chuyenvien")
    assert officer.email == "binh@example.vn"
    assert list(RoleAssignment.objects.filter(user=officer).values_list("role", "agency_id")) == [
        (Role.OFFICER, agency.pk)
    ]


def test_a_rule_only_the_model_knows_is_reported_in_its_row_and_column(users):
    too_long = "a" * 151
    before = db_state()
    with pytest.raises(ImportInvalid) as exc:
        import_people(
            people_workbook(
                ["moi.1", "Trần Văn A", "", "Lãnh đạo tỉnh", "", "Cchc@2026-a"],
                [too_long, "Trần Văn B", "", "Lãnh đạo tỉnh", "", "Cchc@2026-b"],
            )
        )
    [error] = exc.value.errors
    assert (error.sheet, error.row, error.column) == ("Người dùng", 3, "Tên đăng nhập")
    assert db_state() == before

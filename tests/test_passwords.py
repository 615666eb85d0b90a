"""Password messages in the page's language (Django 6's "too short" message has no Vietnamese translation),
and a user changing their own password."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/tai-khoan/doi-mat-khau/"


def messages_for(password: str, language: str) -> list[str]:
    user = get_user_model()(username="chuyenvien.khcn", first_name="An", email="an@example.gov.vn")
    with translation.override(language), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return refused.value.messages


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1!", ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự."]),
        ("password", ["Mật khẩu này quá phổ biến, dễ bị đoán ra."]),
        ("84736251093", ["Mật khẩu không được chỉ gồm chữ số."]),
        ("chuyenvien.khcn1", ["Mật khẩu quá giống tên đăng nhập của tài khoản."]),
    ],
    ids=["too-short", "common", "numeric", "like-the-login"],
)
def test_password_rules_speak_vietnamese(password, expected):
    assert messages_for(password, "vi") == expected


def test_password_rules_speak_the_chosen_language():
    """Each message comes from the project's catalog: in English it is the English msgstr (the Vietnamese
    msgid until the catalogs are regenerated), never Django's untranslated English inside Vietnamese."""
    with translation.override("en"):
        expected = translation.gettext("Mật khẩu này quá phổ biến, dễ bị đoán ra.")
    assert messages_for("password", "en") == [expected]
    assert not any("This password" in text for text in messages_for("Ab1!", "vi"))


def test_help_texts_are_vietnamese():
    with translation.override("vi"):
        texts = password_validators_help_texts()
    assert "Mật khẩu có ít nhất 8 ký tự." in texts
    assert not any("Your password" in text for text in texts)


# ---- changing one's own password -------------------------------------------------------------------------


def test_the_user_menu_links_to_the_password_page(client, users):
    client.force_login(users["officer"])
    page = client.get(reverse("home"))
    assert f'href="{URL}"' in page.text and "Đổi mật khẩu" in page.text


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_wrong_current_password_is_refused_in_vietnamese(client, users):
    officer = users["officer"]
    client.force_login(officer)
    before = get_user_model().objects.get(pk=officer.pk).password
    response = client.post(
        URL, {"old_password": "khong-dung", "new_password1": "Cchc-Moi-2026!", "new_password2": "Cchc-Moi-2026!"}
    )
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng; hãy nhập lại." in response.text
    assert "incorrectly" not in response.text
    assert get_user_model().objects.get(pk=officer.pk).password == before


def test_too_short_new_password_is_refused_in_vietnamese(client, users):
    officer = users["officer"]
    client.force_login(officer)
    response = client.post(URL, {"old_password": PASSWORD, "new_password1": "Ab1!", "new_password2": "Ab1!"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password1"] == ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự."]
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in response.text
    assert "too short" not in response.text
    assert get_user_model().objects.get(pk=officer.pk).check_password(PASSWORD)


def test_mismatch_and_missing_fields_are_vietnamese(client, users):
    client.force_login(users["officer"])
    response = client.post(URL, {"old_password": PASSWORD, "new_password1": "Cchc-Moi-2026!", "new_password2": "x"})
    assert "Hai lần nhập mật khẩu mới không khớp nhau." in response.text
    response = client.post(URL, {})
    assert "Hãy nhập mật khẩu hiện tại." in response.text and "This field" not in response.text


def test_success_changes_the_hash_and_keeps_the_session(client, users):
    officer = users["officer"]
    client.force_login(officer)
    response = client.post(
        URL,
        {"old_password": PASSWORD, "new_password1": "Cchc-Moi-2026!", "new_password2": "Cchc-Moi-2026!"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Đã đổi mật khẩu. Lần đăng nhập sau hãy dùng mật khẩu mới." in response.text
    saved = get_user_model().objects.get(pk=officer.pk)
    assert saved.check_password("Cchc-Moi-2026!") and not saved.check_password(PASSWORD)
    # Still signed in: the session's hash was updated with the password.
    assert client.get(reverse("home")).status_code == 200
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_the_password_page_reads_in_a_fixed_number_of_queries(client, users, django_assert_num_queries):
    client.force_login(users["officer"])
    with django_assert_num_queries(4):  # session, user, the roles for the menu, its unread-notices badge
        page = client.get(URL)
    assert page.status_code == 200 and 'name="old_password"' in page.text

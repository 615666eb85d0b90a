"""Signing in: the lockout after repeated wrong passwords (django-axes), the administrator's unlock, the
client address behind a proxy, changing one's own password, and password messages in the page's language."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from organisations.lockout import login_lockout
from parindex.clientip import client_ip

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"
LOCKED = (
    "Đăng nhập đang tạm khóa vì đã nhập sai mật khẩu 5 lần (với tài khoản này hoặc từ máy này). "
    "Hãy thử lại sau 15 phút, hoặc liên hệ quản trị viên Sở Nội vụ để được mở khóa ngay."
)
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
# Routes added here, for tests/test_url_coverage.py: who may reach them is decided below.
ROUTES = {"people:user_unlock", "account:password_change"}


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).username if user_id else None


# ---- lockout ---------------------------------------------------------------------------------------------


def test_settings_lock_after_five_failures_for_fifteen_minutes(settings):
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_after_five_wrong_passwords_the_right_one_is_refused_with_the_reason(client, users):
    for n in range(4):
        response = attempt(client, "chuyenvien", f"sai-{n}")
        assert response.status_code == 200 and WRONG in response.text and LOCKED not in response.text
    response = attempt(client, "chuyenvien", "sai-5")
    assert response.status_code == 429 and LOCKED in response.text
    response = attempt(client, "chuyenvien", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.text
    assert signed_in_as(client) is None
    # The account is locked from any address, not only the one that failed.
    response = attempt(client, "chuyenvien", PASSWORD, address="10.9.9.9")
    assert response.status_code == 429 and signed_in_as(client) is None
    assert login_lockout("chuyenvien") is not None


def test_the_lockout_message_is_english_in_english(client, users):
    client.cookies["django_language"] = "en"
    for n in range(5):
        response = attempt(client, "chuyenvien", f"sai-{n}")
    assert response.status_code == 429
    with translation.override("en"):
        expected = translation.gettext(
            "Đăng nhập đang tạm khóa vì đã nhập sai mật khẩu %(limit)s lần (với tài khoản này hoặc từ máy này). "
            "Hãy thử lại sau %(minutes)s phút, hoặc liên hệ quản trị viên Sở Nội vụ để được mở khóa ngay."
        ) % {"limit": 5, "minutes": 15}
    assert expected in response.text


def test_one_address_trying_many_accounts_is_locked_too(client, users):
    for username in ("quantri", "thamdinh", "lanhdao", "truongphong", "khongco"):
        attempt(client, username, "sai", address="10.0.0.7")
    # A sixth account, never tried, with its right password: refused from that address...
    response = attempt(client, "chuyenvien", PASSWORD, address="10.0.0.7")
    assert response.status_code == 429 and LOCKED in response.text and signed_in_as(client) is None
    # ...and signs in from another one.
    response = attempt(client, "chuyenvien", PASSWORD, address="10.0.0.8")
    assert response.status_code == 302 and signed_in_as(client) == "chuyenvien"


def test_the_administrator_unlocks_from_the_user_page(client, users):
    officer = users["officer"]
    for n in range(5):
        attempt(client, "chuyenvien", f"sai-{n}")
    admin = client.__class__()
    admin.force_login(users["admin"])
    page = admin.get(reverse("people:user_edit", args=[officer.pk]))
    assert "Tài khoản đang bị tạm khóa đăng nhập sau 5 lần nhập sai mật khẩu" in page.text
    assert reverse("people:user_unlock", args=[officer.pk]) in page.text
    response = admin.post(reverse("people:user_unlock", args=[officer.pk]), follow=True)
    assert "Đã mở khóa đăng nhập cho tài khoản «chuyenvien»." in response.text
    assert "Mở khóa đăng nhập" not in response.text.split("Đã mở khóa", 1)[1]  # the button is gone
    assert not AccessAttempt.objects.filter(username="chuyenvien").exists()
    assert login_lockout("chuyenvien") is None
    response = attempt(client, "chuyenvien", PASSWORD)
    assert response.status_code == 302 and signed_in_as(client) == "chuyenvien"


def test_an_unlocked_account_shows_no_unlock_button(client, users):
    client.force_login(users["admin"])
    page = client.get(reverse("people:user_edit", args=[users["officer"].pk]))
    assert "Mở khóa đăng nhập" not in page.text


@pytest.mark.parametrize("role", ["reviewer", "leadership", "head", "officer", "no_role"])
def test_only_administrators_may_unlock(client, users, role):
    for n in range(5):
        attempt(client.__class__(), "chuyenvien", f"sai-{n}")
    client.force_login(users[role])
    response = client.post(reverse("people:user_unlock", args=[users["officer"].pk]))
    assert response.status_code == 403
    assert login_lockout("chuyenvien") is not None


def test_unlock_is_a_post(client, users):
    client.force_login(users["admin"])
    assert client.get(reverse("people:user_unlock", args=[users["officer"].pk])).status_code == 405


def test_django_admin_lists_and_deletes_the_attempts(client, users):
    officer = users["officer"]
    for n in range(5):
        attempt(client, "chuyenvien", f"sai-{n}")
    superuser = get_user_model().objects.create_superuser("sieuquantri", password=PASSWORD)
    client.force_login(superuser)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "chuyenvien" in listing.text
    row = AccessAttempt.objects.get(username="chuyenvien")
    response = client.post(f"/admin/axes/accessattempt/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    client.logout()
    assert attempt(client, officer.username, PASSWORD).status_code == 302


def test_client_login_needs_a_request_as_django_axes_documents(client, users):
    """Django's test client calls authenticate() without a request, which django-axes refuses; tests pass one
    (or use force_login, as most here do). Proves axes is on in the test suite, too."""
    with pytest.raises(ValueError, match="requires a request"):
        client.login(username="chuyenvien", password=PASSWORD)
    assert client.login(request=HttpRequest(), username="chuyenvien", password=PASSWORD)


# ---- the client's address ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy configured: the header is the client's own word, ignored
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # our proxy appended the address it saw
        (2, "6.6.6.6, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
        (1, "", "10.0.0.1"),  # the request bypassed the proxy
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_client_address_trusts_x_forwarded_for_only_as_configured(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_a_forged_forwarded_header_does_not_escape_the_address_lock(client, users):
    for n in range(5):
        client.post(
            LOGIN,
            {"username": f"khongco{n}", "password": "sai"},
            REMOTE_ADDR="10.0.0.7",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    response = client.post(
        LOGIN, {"username": "chuyenvien", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert response.status_code == 429 and signed_in_as(client) is None

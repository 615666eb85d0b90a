import os
from pathlib import Path

import pytest

from organisations.models import Role

from .factories import make_agency, make_user

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(autouse=True)
def _fast_and_private(settings, tmp_path):
    """A fast password hash (the real one costs ~0,3 s a user), each test's uploads in its own folder, so
    'no file left behind' can be checked exactly, and background tasks run immediately."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    # Background tasks run at once, inside the request that enqueues them: deterministic tests. One test
    # (test_reports_exports) runs the real database backend and its worker command.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def agency(db):
    return make_agency("Sở Khoa học và Công nghệ")


@pytest.fixture
def other_agency(db):
    return make_agency("Sở Tư pháp")


@pytest.fixture
def users(db, agency, other_agency):
    """One user per role, plus an officer of another agency: the rows of every permission matrix."""
    return {
        "admin": make_user("quantri", Role.ADMIN),
        "reviewer": make_user("thamdinh", Role.REVIEWER),
        "leadership": make_user("lanhdao", Role.LEADERSHIP),
        "head": make_user("truongphong", Role.HEAD, agency),
        "officer": make_user("chuyenvien", Role.OFFICER, agency),
        "other_officer": make_user("chuyenvien.khac", Role.OFFICER, other_agency),
        "no_role": make_user("khongvaitro"),
    }


# ---- browser tests: Debian's Chromium driven by Playwright ---------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install it (make system-deps)")
        pytest.skip(f"{CHROMIUM} is not installed (make system-deps)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        # An English browser, as many officers have: the pages must still come in Vietnamese.
        "locale": "en-US",
        "timezone_id": "Asia/Ho_Chi_Minh",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def login(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

"""Settings read from the environment fail loudly on values they cannot read."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from parindex import settings as s


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False)])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert s.env_bool("X_FLAG", not expected) is expected


def test_env_bool_rejects_garbage(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        s.env_bool("X_FLAG", False)


def test_env_int_rejects_garbage_and_below_minimum(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        s.env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="must be at least 1"):
        s.env_int("X_INT", 1, minimum=1)


def test_env_list(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert s.env_list("X_LIST", []) == ["a.example", "b.example"]


def test_production_refuses_to_start_without_secret_key(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "false", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import parindex.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_bad_database_url_is_refused(tmp_path):
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "DATABASE_URL": "nosuchdb://x", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", "import parindex.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "DATABASE_URL is not a database URL" in result.stderr


def test_defaults_are_vietnamese():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    from django.utils import formats, translation

    with translation.override("vi"):
        import datetime
        from decimal import Decimal

        assert formats.date_format(datetime.date(2026, 1, 5), "SHORT_DATE_FORMAT") == "05/01/2026"
        assert formats.number_format(Decimal("82.91"), 2) == "82,91"

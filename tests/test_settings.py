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


def deploy_check(tmp_path, **extra: str):
    """`manage.py check --deploy` in a fresh process with a production-like environment: the settings are read
    from the environment at start-up, so this checks the defaults themselves."""
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "cchc.example.gov.vn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        # Notices are e-mailed through it; without one Django's deploy check reports mail.E001 (test below).
        "EMAIL_HOST": "mail.example.gov.vn",
        **extra,
    }
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(manage), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=manage.parent,
    )


def test_check_deploy_gives_no_warning_in_production(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_a_mail_server_is_reported(tmp_path):
    """Without EMAIL_HOST notices are only printed to the console: in production the deploy check says so."""
    result = deploy_check(tmp_path, EMAIL_HOST="")
    assert result.returncode != 0
    assert "mail.E001" in result.stderr


def test_https_settings_are_on_by_default_and_can_be_turned_off(tmp_path):
    """Behind a proxy that redirects to HTTPS itself, SECURE_SSL_REDIRECT=false: the check then says so."""
    result = deploy_check(tmp_path, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W004" in result.stderr


def test_production_https_settings(tmp_path):
    import subprocess
    import sys

    code = (
        "from parindex import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DEBUG": "false", "SECRET_KEY": "k" * 60}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert run.stdout.split() == ["True", "31536000", "True", "None"]
    env |= {"BEHIND_TLS_PROXY": "true", "DEBUG": "true"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert run.stdout.strip() == "False 0 True ('HTTP_X_FORWARDED_PROTO', 'https')"

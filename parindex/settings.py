"""The one settings module, configured from environment variables.

Every variable is parsed by a typed helper that raises ImproperlyConfigured on a value it cannot read,
so a typo in production stops start-up instead of silently falling back to a default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see README: Configuration)")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - only with DEBUG on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "organisations",
    "criteria",
    "assessments",
    "evidence",
    "appraisal",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parindex.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login except those marked @login_not_required (login, language switch).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a refused login into the login page with the lockout message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parindex.urls"
WSGI_APPLICATION = "parindex.wsgi.application"
ASGI_APPLICATION = "parindex.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.roles",
                "organisations.context_processors.notices",
            ],
            # |pts formats points everywhere without a {% load %} in each template.
            "builtins": ["parindex.templatetags.parindex"],
        },
    },
]

# SQLite file by default; DATABASE_URL (postgres://user@host:5432/name) for PostgreSQL in production.
_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _default_sqlite, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers keep going while a clerk's save is being written.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The test database is a file too: an in-memory one is shared by the live server's threads through a
    # single connection, which SQLite refuses when the browser sends two requests at once.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(DATABASES["default"]["NAME"]).parent / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's rules with our own messages: Django 6's "too short" message is missing from its Vietnamese
# catalog, so it showed in English inside Vietnamese pages (parindex/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "parindex.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "parindex.passwords.MinimumLengthValidator"},
    {"NAME": "parindex.passwords.CommonPasswordValidator"},
    {"NAME": "parindex.passwords.NumericPasswordValidator"},
]
# django-axes checks every login (the app's page and Django admin's) before the password is: after
# LOGIN_FAILURE_LIMIT failures an account, and separately an address, is refused for LOGIN_LOCKOUT_MINUTES
# (counted from the last failure), or until an administrator unlocks it on the user's page.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "organisations.views.login_locked_out"
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT reverse proxies that append to
# X-Forwarded-For stand in front of the app (a client can write that header itself, so it is read only then).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "parindex.clientip.client_ip"
# Keep django-axes' log lines free of the login names tried.
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first; English through the committed catalogs in locale/.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
# dd/mm/yyyy and the decimal comma, overriding Django's own vi formats where they differ.
FORMAT_MODULE_PATH = ["parindex.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing

# Uploaded evidence lives in private storage: never under STATIC or a public MEDIA URL; files are
# served only by the permission-checked download view.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
STORAGES = {
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(MEDIA_ROOT)} if not env_str("FILE_STORAGE_BACKEND") else {},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("STATIC_NO_MANIFEST", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
EVIDENCE_MAX_UPLOAD_BYTES = env_int("EVIDENCE_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_MB", 10, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The set editor posts 14 fields per node: a department set (~150 nodes) sends ~2 200, Django's default
# limit is 1 000. 10 000 covers a set of ~700 nodes and still bounds a hostile request.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_PERMISSIONS = 0o640

# Background tasks (Django's tasks framework): exports that may outlast a request are stored in the database
# and run by `python manage.py db_worker`, which `make run` starts beside the web server (README: Exports).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Progress bars and Bootstrap components set widths through style attributes.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only, unless DEBUG: plain HTTP is redirected and browsers are told (HSTS) to use HTTPS for a year.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Joining the browsers' preload list is the domain owner's decision (it binds the whole registered domain,
# e.g. gov.vn's sub-domain holder cannot make it): off by default, so `check --deploy` is told not to ask.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Behind a proxy that ends TLS and forwards plain HTTP, trust its X-Forwarded-Proto header; only then, as
# a client could otherwise send the header itself.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12, minimum=1) * 3600

# E-mail (notices), through Django 6.1's MAILERS: printed to the console unless EMAIL_HOST names an SMTP
# server, then sent through it. The EMAIL_* names are the environment's only (Django's own EMAIL_* settings
# are deprecated), so they are read into private names here.
_email_host = env_str("EMAIL_HOST", "") or ""
_email_ssl = env_bool("EMAIL_USE_SSL", False)
_email_tls = env_bool("EMAIL_USE_TLS", not _email_ssl)
if _email_tls and _email_ssl:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on (SSL is port 465, TLS 587)")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 465 if _email_ssl else 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER", "") or "",
                "password": env_str("EMAIL_HOST_PASSWORD", "") or "",
                "use_tls": _email_tls,
                "use_ssl": _email_ssl,
                # A slow mail server must not hold a clerk's submission long: the notice is kept, the mail logged.
                "timeout": env_int("EMAIL_TIMEOUT", 10, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chỉ số CCHC <no-reply@localhost>") or ""
# The address the app is reached at (https://cchc.example.gov.vn): links in e-mails are made absolute with it.
SITE_URL = (env_str("SITE_URL", "") or "").rstrip("/")

# The decision publishing the results and its annex (reports/decision.py): the province that issues it and
# who signs. The office may still type the number, date and signer on each download.
PARINDEX_PROVINCE = (env_str("PARINDEX_PROVINCE", "Minh Xuân") or "").strip()
if not PARINDEX_PROVINCE:
    raise ImproperlyConfigured("PARINDEX_PROVINCE must name the province, e.g. «Minh Xuân»")
# «tỉnh» or, for a centrally-run city, «thành phố»: «ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG».
PARINDEX_PROVINCE_KIND = (env_str("PARINDEX_PROVINCE_KIND", "tỉnh") or "").strip().lower()
if PARINDEX_PROVINCE_KIND not in ("tỉnh", "thành phố"):
    raise ImproperlyConfigured(f"PARINDEX_PROVINCE_KIND={PARINDEX_PROVINCE_KIND!r} must be «tỉnh» or «thành phố»")
PARINDEX_SIGNER_NAME = (env_str("PARINDEX_SIGNER_NAME", "") or "").strip()
# A Vice-Chairman signing for the Chairman: «KT. CHỦ TỊCH / PHÓ CHỦ TỊCH» under «TM. ỦY BAN NHÂN DÂN».
PARINDEX_SIGNER_DEPUTY = env_bool("PARINDEX_SIGNER_DEPUTY", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; its warnings (a missing font, a CSS error) still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

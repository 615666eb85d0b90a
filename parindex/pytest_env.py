"""pytest plugin loaded with ``-p`` before Django's settings are read.

Production refuses to start without SECRET_KEY; the test suite gets a throwaway one here instead of
weakening that rule in settings.py.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's page fixture runs an event loop
# Tests render pages without running collectstatic first.
os.environ.setdefault("STATIC_NO_MANIFEST", "true")
# The live server for browser tests speaks plain HTTP.
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

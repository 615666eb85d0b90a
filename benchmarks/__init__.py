"""Benchmarks: scripts that print figures (``python -m benchmarks.<name>``), never timed tests.

Each runs against a throwaway test database, so a benchmark never touches real data.
"""

import contextlib
import os
from collections.abc import Iterator


def django_setup() -> None:
    """Django configured as the tests have it: a benchmark-only secret, no static manifest needed, and the
    test client's plain HTTP served rather than redirected to HTTPS."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("STATIC_NO_MANIFEST", "true")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()


@contextlib.contextmanager
def throwaway_database() -> Iterator[None]:
    """A fresh test database (of the configured engine) for the block, destroyed afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    # autoclobber: a test database left by a killed run is replaced instead of asking on standard input.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()  # so a benchmark may use one fresh database per size

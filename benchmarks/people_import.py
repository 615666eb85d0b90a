"""Time of a people import creating N new accounts, with the configured (production) password hasher.

    .venv/bin/python -m benchmarks.people_import            (SQLite, a throwaway test database)

Each distinct initial password costs one hash (PBKDF2, 1,5 million rounds); the rows themselves are cheap.
"""

import io
import os
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment
    from openpyxl import Workbook

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from organisations.people_excel import MAX_PASSWORDS, import_people

        print(f"hasher: {settings.PASSWORD_HASHERS[0]}")
        for count, distinct in ((50, 1), (200, 1), (50, MAX_PASSWORDS), (200, MAX_PASSWORDS)):
            book = Workbook()
            sheet = book.active
            sheet.title = "Người dùng"
            sheet.append(["Tên đăng nhập", "Họ và tên", "Vai trò", "Mật khẩu ban đầu"])
            for i in range(count):
                sheet.append([f"b{count}.{distinct}.{i}", "Trần Văn An", "Lãnh đạo tỉnh", f"Cchc@2026-{i % distinct}"])
            out = io.BytesIO()
            book.save(out)
            start = time.perf_counter()
            result = import_people(out.getvalue())
            elapsed = time.perf_counter() - start
            print(f"  {result.users_created:4d} new users, {distinct:2d} distinct passwords: {elapsed:6.2f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

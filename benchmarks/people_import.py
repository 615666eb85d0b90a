"""Time of a people import creating N new accounts, with the configured (production) password hasher.

    .venv/bin/python -m benchmarks.people_import            (SQLite, a throwaway test database)

Each distinct initial password costs one hash (PBKDF2, 1,5 million rounds); the rows themselves are cheap.
"""

import io
import time

from benchmarks import django_setup, throwaway_database


def main() -> None:
    django_setup()
    from django.conf import settings
    from openpyxl import Workbook

    with throwaway_database():
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


if __name__ == "__main__":
    main()

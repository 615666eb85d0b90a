"""Clean up the background exports, meant for a daily schedule (cron: ``30 2 * * * … manage.py cleanup_exports``)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.jobs import exports_cleanup


class Command(BaseCommand):
    help = (
        "Delete the files of exports finished more than --days ago (the jobs stay, marked expired: their page "
        "says the file is gone), mark exports queued or running for more than --stuck-minutes as failed (a "
        "worker that was killed or never started), and delete stored export files no job refers to."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="days a finished export's file is kept (default 7)")
        parser.add_argument(
            "--stuck-minutes",
            type=int,
            default=60,
            help="minutes after which a queued or running export counts as stuck (default 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days, minutes = options["days"], options["stuck_minutes"]
        if days < 1:
            raise CommandError("--days phải từ 1 trở lên.")
        if minutes < 1:
            raise CommandError("--stuck-minutes phải từ 1 trở lên.")
        done = exports_cleanup(keep=datetime.timedelta(days=days), stuck_after=datetime.timedelta(minutes=minutes))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xóa tệp của {done.expired} lần xuất quá {days} ngày, đánh dấu lỗi {done.stuck} lần xuất treo "
                f"quá {minutes} phút, xóa {done.orphans} tệp không thuộc lần xuất nào."
            )
        )

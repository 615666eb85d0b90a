"""Deadline reminders, meant for a daily schedule (cron: ``0 7 * * * … manage.py send_reminders``)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from appraisal.reminders import send_reminders


def _moment(value: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now {value!r}: không phải ngày giờ ISO (ví dụ 2026-03-24T07:00)") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Send the deadline reminders due now: 7, 3 and 1 days before an agency's self-assessment deadline "
        "while its sheet is a draft, 3 and 1 days before the explanation deadline while it is returned. "
        "Each reminder is sent once; run it once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="the moment to act as (ISO, local time unless an offset is given)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = _moment(options["now"]) if options["now"] else timezone.now()
        count = send_reminders(now=now)
        self.stdout.write(self.style.SUCCESS(f"Đã gửi {count} thông báo nhắc hạn."))

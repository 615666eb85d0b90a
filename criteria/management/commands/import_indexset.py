import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.excel import import_index_set
from criteria.tree import TreeInvalid
from organisations.models import AgencyKind


def _date(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise CommandError(f"--decision-date «{text}» không phải ngày dạng dd/mm/yyyy") from None


class Command(BaseCommand):
    help = "Nhập bộ chỉ số từ tệp Excel (.xlsx); có lỗi thì không lưu gì và liệt kê mọi lỗi kèm số dòng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", help="Tên bộ chỉ số (mặc định lấy ở trang «Thông tin» của tệp)")
        parser.add_argument("--kind", choices=AgencyKind.values, help="Loại cơ quan áp dụng")
        parser.add_argument("--year", type=int, help="Áp dụng từ năm")
        parser.add_argument("--year-to", type=int, help="Áp dụng đến năm")
        parser.add_argument("--decision-number", help="Số quyết định ban hành")
        parser.add_argument("--decision-date", type=_date, help="Ngày quyết định, dd/mm/yyyy")

    def handle(self, *args: object, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}")
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if file.stat().st_size > limit:
            raise CommandError(f"Tệp lớn hơn {limit // (1024 * 1024)} MB (IMPORT_MAX_UPLOAD_MB): không nhập.")
        try:
            index_set = import_index_set(
                file.read_bytes(),
                name=options["name"],
                agency_kind=options["kind"],
                year_from=options["year"],
                year_to=options["year_to"],
                decision_number=options["decision_number"],
                decision_date=options["decision_date"],
            )
        except TreeInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Không nhập: {len(exc.errors)} lỗi, không lưu gì.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập bộ chỉ số #{index_set.pk} «{index_set.name}» phiên bản {index_set.version} "
                f"({index_set.nodes.count()} mục)."
            )
        )

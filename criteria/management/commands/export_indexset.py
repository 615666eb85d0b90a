from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from criteria.excel import build_workbook
from criteria.models import IndexSet


class Command(BaseCommand):
    help = "Xuất bộ chỉ số ra tệp Excel (.xlsx) theo đúng mẫu nhập."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("set_id", type=int)
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, set_id: int, file: Path, **options: object) -> None:
        try:
            index_set = IndexSet.objects.get(pk=set_id)
        except IndexSet.DoesNotExist:
            raise CommandError(f"Không có bộ chỉ số #{set_id}") from None
        file.write_bytes(build_workbook(index_set))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất «{index_set.name}» ra {file}"))

from django.core.management.base import BaseCommand, CommandParser

from criteria.models import IndexSet
from demo.data import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: bộ chỉ số mẫu, cơ quan, đơn vị của tỉnh và tài khoản mẫu cho mỗi vai trò."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Chỉ nạp khi cơ sở dữ liệu chưa có bộ chỉ số nào (dùng cho make run).",
        )

    def handle(self, *args: object, if_empty: bool = False, **options: object) -> None:
        if if_empty and IndexSet.objects.exists():
            self.stdout.write("Cơ sở dữ liệu đã có dữ liệu; bỏ qua dữ liệu mẫu.")
            return
        counts = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Đã nạp dữ liệu mẫu: {counts}"))
        self.stdout.write(f"Tài khoản mẫu (mật khẩu {DEMO_PASSWORD}): " + ", ".join(u[0] for u in DEMO_USERS))

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from demo.loading import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo units and users. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("vi")
        rows = load_demo()
        self.stdout.write(self.style.SUCCESS("Dữ liệu mẫu đã sẵn sàng. Tài khoản demo:"))
        for username, role, unit in rows:
            self.stdout.write(f"  {username:<16} {DEMO_PASSWORD:<16} {role} · {unit}")

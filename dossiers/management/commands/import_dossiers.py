from typing import Any

from cchc.management.file_import import FileImportCommand
from cchc.models import User
from cchc.spreadsheets import Table
from dossiers.imports import import_dossiers


class Command(FileImportCommand):
    help = "Import procedure-dossier statistics from an .xlsx or .csv file (all or nothing)."

    def import_table(self, table: Table, options: dict[str, Any]) -> str:
        summary = import_dossiers(table, User(is_superuser=True))
        return f"Đã nhập: {summary.created} mới, {summary.updated} thay đổi, {summary.unchanged} không đổi."

"""manage.py export_hsds OUTDIR — the directory as an HSDS 3.0 CSV data package (and tabular JSON)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ecwhub.directory import hsds


class Command(BaseCommand):
    help = "Export the directory as an HSDS 3.0 CSV data package (datapackage.json + CSV files) and hsds.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", type=Path)

    def handle(self, *args: Any, outdir: Path, **options: Any) -> None:
        counts = hsds.write_package(outdir, hsds.rows_from_database())
        for table, count in counts.items():
            if count:
                self.stdout.write(f"  {table}: {count}")
        self.stdout.write(self.style.SUCCESS(f"Exported {sum(counts.values())} records to {outdir}"))

"""manage.py import_hsds PATH — import Open Referral HSDS data into the directory."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecwhub.directory import hsds
from ecwhub.directory.hsds.importer import directory_import


def shown(text: object) -> str:
    """``text`` safe to print on a terminal: control characters (an escape sequence in a file name
    or a CSV header could retitle or clear the terminal, or hide lines) are written as escapes."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in str(text)
    )


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 data: a JSON file (organization or service records, a paged list or the tabular "
        "form), a folder of JSON files, or a CSV data package (a folder with datapackage.json). Each file is "
        "validated completely and imported all or nothing; records are upserted by id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.exists():
            raise CommandError(f"{shown(path)}: no such file or folder")
        folder = hsds.schema_dir()
        self.stdout.write(
            f"Validating against the HSDS schema in {folder}"
            if folder
            else "Validating with the built-in HSDS 3.0.1 rules"
        )
        results = directory_import(acting_user=None, path=path, progress=lambda line: self.stdout.write(shown(line)))
        failed = [r for r in results if not r.ok]
        for result in results:
            for warning in result.warnings:
                self.stdout.write(f"  warning: {shown(warning)}")
            if result.ok:
                created, updated = sum(result.created.values()), sum(result.updated.values())
                self.stdout.write(
                    self.style.SUCCESS(f"{shown(result.name)}: imported ({created} created, {updated} updated)")
                )
            else:
                self.stderr.write(f"{shown(result.name)}: {len(result.errors)} errors, nothing imported from this file")
                for error in result.errors:
                    self.stderr.write(f"  {shown(error)}")
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} files not imported")

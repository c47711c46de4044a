"""Re-encrypt every encrypted field value with the newest key in FIELD_ENCRYPTION_KEYS.

Run after putting a new key first in FIELD_ENCRYPTION_KEYS (keeping the old ones); when it
reports no failures, the old keys can be removed (docs/encryption.md).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.functions import Cast

from ecwhub.core.crypto import FieldDecryptionError, configured_keys, field_cipher, is_current, rotate_token
from ecwhub.core.fields import EncryptedTextField

RAW = "rotation_raw_token"
SHOWN_FAILURES = 20


def _batch_size(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    """Every (model, field) whose table column holds encrypted values, each column once."""
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.proxy:
            continue
        # Local fields only: a multi-table child shares its parent's columns, rotated via the parent.
        for model_field in model._meta.local_concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                yield model, model_field


@dataclass
class FieldResult:
    label: str
    total: int = 0
    rotated: int = 0
    current: int = 0
    failed: list[Any] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field value with the newest key (the first in FIELD_ENCRYPTION_KEYS). "
        "Safe to run again; values already under the newest key are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=_batch_size, default=500, help="rows per transaction (default 500)")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default: default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            field_cipher()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        dry_run: bool = options["dry_run"]
        batch_size: int = options["batch_size"]
        database: str = options["database"]

        targets = list(encrypted_fields())
        if not targets:
            self.stdout.write("No encrypted fields: nothing to rotate.")
            return
        if dry_run:
            self.stdout.write("Dry run: nothing will be written.")
        if len(configured_keys()) == 1:
            self.stdout.write("Only one key is configured: every readable value is already under it.")

        results = [self.rotate_field(model, f, batch_size, database, dry_run) for model, f in targets]

        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write("")
        for result in results:
            self.stdout.write(
                f"{result.label}: {result.total} values, {verb} {result.rotated}, "
                f"{result.current} already current, {len(result.failed)} unreadable"
            )
        rotated = sum(r.rotated for r in results)
        total = sum(r.total for r in results)
        failed = [r for r in results if r.failed]
        summary = f"{verb.capitalize()} {rotated} of {total} values in {len(results)} fields."
        if failed:
            details = "; ".join(
                f"{r.label} rows {', '.join(str(pk) for pk in r.failed[:SHOWN_FAILURES])}"
                + (" and more" if len(r.failed) > SHOWN_FAILURES else "")
                for r in failed
            )
            raise CommandError(
                f"{summary} Some values could not be decrypted with any configured key ({details}). "
                "Do not remove an old key until this command reports none."
            )
        self.stdout.write(self.style.SUCCESS(summary))
        if not dry_run:
            self.stdout.write("Every value is now under the newest key: older keys may be removed.")

    def rotate_field(
        self, model: type[models.Model], model_field: EncryptedTextField, batch_size: int, database: str, dry_run: bool
    ) -> FieldResult:
        result = FieldResult(label=f"{model._meta.label_lower}.{model_field.name}")
        manager = model._base_manager.db_manager(database)
        # Cast to a plain TextField: its output does not pass through EncryptedTextField.from_db_value,
        # so this reads the stored tokens rather than the plaintext.
        stored = (
            manager.annotate(**{RAW: Cast(model_field.name, output_field=models.TextField())})
            .filter(**{f"{RAW}__isnull": False})
            .exclude(**{RAW: ""})
            .order_by("pk")
        )
        result.total = stored.count()
        done = 0
        last_pk: Any = None
        while True:
            with transaction.atomic(using=database):
                batch = stored if last_pk is None else stored.filter(pk__gt=last_pk)
                if not dry_run:
                    batch = batch.select_for_update()
                rows = list(batch.values_list("pk", RAW)[:batch_size])
                if not rows:
                    break
                new_tokens: dict[Any, str] = {}
                for pk, token in rows:
                    try:
                        if is_current(token):
                            result.current += 1
                        else:
                            new_tokens[pk] = rotate_token(token)
                    except FieldDecryptionError:
                        result.failed.append(pk)
                if new_tokens and not dry_run:
                    self.write_tokens(manager, model_field, new_tokens)
                result.rotated += len(new_tokens)
                last_pk = rows[-1][0]
                done += len(rows)
            self.stdout.write(f"{result.label}: {done} of {result.total}")
        return result

    @staticmethod
    def write_tokens(manager: models.Manager[Any], model_field: EncryptedTextField, new_tokens: dict[Any, str]) -> None:
        # The tokens are already encrypted: plain TextField values keep them out of get_prep_value.
        whens = [
            models.When(pk=pk, then=models.Value(token, output_field=models.TextField()))
            for pk, token in new_tokens.items()
        ]
        manager.filter(pk__in=list(new_tokens)).update(
            **{model_field.name: models.Case(*whens, output_field=models.TextField())}
        )

"""Field-level encryption at rest: EncryptedTextField, the key list and rotate_field_keys.

No project model has an encrypted field yet, so each test defines a small model in the ``core``
app, creates its table inside the test's transaction (rolled back afterwards, on SQLite and
PostgreSQL alike) and unregisters it when done.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from pytest_django import Settings

from ecwhub.core.crypto import (
    FieldDecryptionError,
    decrypt_text,
    encrypt_text,
    field_cipher,
    read_key_file,
    rotate_token,
)
from ecwhub.core.fields import EncryptedTextField

TABLE = "core_encryptedsample"
SECRETS = [
    "Immigration status: pending asylum case",
    "Safety plan: do not call the home number",
    "Dirección segura: Calle Ñandú 5",
    "Contact only through the aunt",
    "Restraining order until 2027",
]


def new_key() -> str:
    return Fernet.generate_key().decode()


def raw_value(pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM core_encryptedsample WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def raw_values() -> dict[int, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, secret FROM core_encryptedsample ORDER BY id")
        return dict(cursor.fetchall())


def write_raw(pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_encryptedsample SET secret = %s WHERE id = %s", [value, pk])


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_key(settings: Settings) -> str:
    key = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [key]
    return key


@pytest.fixture
def sample(db: None, old_key: str) -> Iterator[Any]:
    """A model with an encrypted field, registered in ``core`` for this test only."""

    class EncryptedSample(models.Model):
        secret = EncryptedTextField(blank=True, null=True)
        note = models.CharField(max_length=40, blank=True)

        class Meta:
            app_label = "core"
            db_table = TABLE

        def __str__(self) -> str:
            return self.note

    try:
        # table_sql needs no schema-editor context (which SQLite refuses inside a transaction);
        # the CREATE TABLE is rolled back with the test's transaction on both databases.
        sql, params = connection.schema_editor().table_sql(EncryptedSample)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        yield EncryptedSample
    finally:
        del apps.all_models["core"]["encryptedsample"]
        apps.clear_cache()


def test_the_column_holds_ciphertext_and_the_model_reads_plaintext(sample: Any) -> None:
    row = sample.objects.create(secret=SECRETS[0], note="first")
    stored = raw_value(row.pk)
    assert stored is not None
    assert SECRETS[0] not in stored
    assert "asylum" not in stored
    assert stored.isascii()
    assert sample.objects.get(pk=row.pk).secret == SECRETS[0]
    assert list(sample.objects.values_list("secret", flat=True)) == [SECRETS[0]]
    # Equal plaintexts give different tokens (random IV).
    twin = sample.objects.create(secret=SECRETS[0])
    assert raw_value(twin.pk) != stored


def test_none_and_empty_string_are_stored_as_they_are(sample: Any) -> None:
    empty = sample.objects.create(secret="")
    missing = sample.objects.create(secret=None)
    assert raw_value(empty.pk) == ""
    assert raw_value(missing.pk) is None
    assert sample.objects.get(pk=empty.pk).secret == ""
    assert sample.objects.get(pk=missing.pk).secret is None
    assert list(sample.objects.filter(secret__isnull=True).values_list("pk", flat=True)) == [missing.pk]


def test_update_and_bulk_update_encrypt_exactly_once(sample: Any) -> None:
    rows = [sample.objects.create(secret="before") for _ in range(2)]
    sample.objects.filter(pk=rows[0].pk).update(secret=SECRETS[1])
    rows[1].secret = SECRETS[2]
    sample.objects.bulk_update([rows[1]], ["secret"])
    assert sample.objects.get(pk=rows[0].pk).secret == SECRETS[1]
    assert sample.objects.get(pk=rows[1].pk).secret == SECRETS[2]
    assert SECRETS[1] not in (raw_value(rows[0].pk) or "")


def test_values_under_an_old_key_still_decrypt_after_a_new_key_is_put_first(
    sample: Any, settings: Settings, old_key: str
) -> None:
    row = sample.objects.create(secret=SECRETS[0])
    new = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [new, old_key]
    assert sample.objects.get(pk=row.pk).secret == SECRETS[0]
    later = sample.objects.create(secret=SECRETS[1])
    assert Fernet(new.encode()).decrypt(raw_value(later.pk).encode()).decode() == SECRETS[1]  # type: ignore[union-attr]


def test_rotation_lets_the_old_key_be_removed(sample: Any, settings: Settings, old_key: str) -> None:
    rows = [sample.objects.create(secret=text) for text in SECRETS]
    sample.objects.create(secret="")
    sample.objects.create(secret=None)
    before = raw_values()
    new = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [new, old_key]

    out = rotate("--batch-size", "2")

    assert "core.encryptedsample.secret: 2 of 5" in out
    assert "core.encryptedsample.secret: 4 of 5" in out
    assert "core.encryptedsample.secret: 5 of 5" in out
    assert "core.encryptedsample.secret: 5 values, re-encrypted 5, 0 already current, 0 unreadable" in out
    after = raw_values()
    for row in rows:
        assert after[row.pk] != before[row.pk]
    assert [value for value in after.values() if not value] == ["", None]

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert [sample.objects.get(pk=row.pk).secret for row in rows] == SECRETS


def test_dry_run_writes_nothing(sample: Any, settings: Settings, old_key: str) -> None:
    for text in SECRETS:
        sample.objects.create(secret=text)
    before = raw_values()
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), old_key]

    out = rotate("--dry-run")

    assert "Dry run" in out
    assert "would re-encrypt 5" in out
    assert raw_values() == before


def test_rotation_is_idempotent(sample: Any, settings: Settings, old_key: str) -> None:
    for text in SECRETS:
        sample.objects.create(secret=text)
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), old_key]
    rotate()
    once = raw_values()

    out = rotate()

    assert "re-encrypted 0, 5 already current" in out
    assert raw_values() == once
    assert sorted(sample.objects.values_list("secret", flat=True)) == sorted(SECRETS)


def test_a_corrupted_token_raises_an_error_that_reveals_neither_plaintext_nor_token(
    sample: Any, settings: Settings, old_key: str
) -> None:
    row = sample.objects.create(secret=SECRETS[1])
    good = sample.objects.create(secret=SECRETS[2])
    token = raw_value(row.pk)
    assert token is not None
    middle = len(token) // 2
    corrupted = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    write_raw(row.pk, corrupted)

    with pytest.raises(FieldDecryptionError) as caught:
        sample.objects.get(pk=row.pk)
    message = str(caught.value)
    assert "FIELD_ENCRYPTION_KEYS" in message
    for secret in (SECRETS[1], "Safety plan", token, corrupted, token[:20], old_key):
        assert secret not in message
    assert caught.value.__cause__ is None

    settings.FIELD_ENCRYPTION_KEYS = [new_key(), old_key]
    with pytest.raises(CommandError) as failed:
        rotate()
    assert f"rows {row.pk}" in str(failed.value)
    assert corrupted not in str(failed.value)
    assert "Do not remove an old key" in str(failed.value)
    assert sample.objects.get(pk=good.pk).secret == SECRETS[2]  # the readable value was still rotated
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert sample.objects.get(pk=good.pk).secret == SECRETS[2]


@pytest.mark.parametrize(
    "lookup",
    [
        {"secret": "x"},
        {"secret__iexact": "x"},
        {"secret__icontains": "asylum"},
        {"secret__startswith": "x"},
        {"secret__in": ["x"]},
        {"secret__lower": "x"},
        {"secret__gt": ""},
    ],
)
def test_searching_an_encrypted_field_is_refused(sample: Any, lookup: dict[str, Any]) -> None:
    with pytest.raises(FieldError, match="is encrypted and cannot be searched"):
        list(sample.objects.filter(**lookup))


def test_isnull_is_the_one_allowed_lookup(sample: Any) -> None:
    filled = sample.objects.create(secret="x")
    sample.objects.create(secret=None)
    assert list(sample.objects.filter(secret__isnull=False).values_list("pk", flat=True)) == [filled.pk]
    assert list(sample.objects.exclude(secret__isnull=True).values_list("pk", flat=True)) == [filled.pk]


def test_missing_keys_are_reported_at_first_use(sample: Any, settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = []
    row = sample(secret=SECRETS[0])
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"), transaction.atomic():
        row.save()
    with pytest.raises(CommandError, match="FIELD_ENCRYPTION_KEYS is not set"):
        rotate()
    # Rows without a secret need no key.
    assert sample.objects.create(secret="").pk


def test_an_invalid_key_is_named_by_position_not_shown(settings: Settings) -> None:
    good = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [good, "not-a-valid-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="key number 2") as caught:
        field_cipher()
    assert "not-a-valid-fernet-key" not in str(caught.value)
    assert good not in str(caught.value)


def test_the_cached_cipher_follows_the_setting(settings: Settings) -> None:
    first, second = new_key(), new_key()
    settings.FIELD_ENCRYPTION_KEYS = [first]
    token = encrypt_text("hello")
    settings.FIELD_ENCRYPTION_KEYS = [second]
    with pytest.raises(FieldDecryptionError):
        decrypt_text(token)
    settings.FIELD_ENCRYPTION_KEYS = f"{second}, {first}"  # a comma-separated string works too
    assert decrypt_text(token) == "hello"
    rotated = rotate_token(token)
    settings.FIELD_ENCRYPTION_KEYS = [second]
    assert decrypt_text(rotated) == "hello"


def test_the_key_file_is_created_only_when_asked_and_only_for_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "var" / "field_keys"
    assert read_key_file(path) == []
    assert not path.exists()

    keys = read_key_file(path, create=True)

    assert len(keys) == 1
    Fernet(keys[0].encode())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_key_file(path, create=True) == keys  # created once, then read
    assert [p.name for p in path.parent.iterdir()] == ["field_keys"]  # no temporary file left

    older = new_key()
    path.write_text(f"# newest first\n{keys[0]}\n\n{older}\n")
    assert read_key_file(path) == [keys[0], older]


def test_generate_field_key_prints_a_usable_key() -> None:
    out = StringIO()
    call_command("generate_field_key", stdout=out)
    key = out.getvalue().strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"ok")) == b"ok"


def test_the_field_deconstructs_for_stable_migrations() -> None:
    field = EncryptedTextField(blank=True, null=True, help_text="kept")
    field.set_attributes_from_name("secret")
    name, path, args, kwargs = field.deconstruct()
    assert (name, path, args) == ("secret", "ecwhub.core.fields.EncryptedTextField", [])
    assert kwargs == {"blank": True, "null": True, "help_text": "kept"}
    rebuilt = EncryptedTextField(*args, **kwargs)
    rebuilt.set_attributes_from_name("secret")
    assert rebuilt.deconstruct() == (name, path, args, kwargs)


def test_a_unique_encrypted_field_fails_the_system_checks(sample: Any) -> None:
    field = EncryptedTextField(unique=True)
    field.set_attributes_from_name("secret")
    field.model = sample
    assert [error.id for error in field.check() if isinstance(error, checks.Error)] == ["core.E001"]
    assert not [error for error in sample._meta.get_field("secret").check() if isinstance(error, checks.Error)]

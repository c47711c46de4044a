"""Model fields whose values are encrypted at rest (docs/encryption.md)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup, Transform

from .crypto import decrypt_text, encrypt_text

ALLOWED_LOOKUPS = frozenset({"isnull"})


class EncryptedTextField(models.TextField):
    """Text stored in the database as a Fernet token, encrypted with the newest key.

    Python code, forms and fixtures see the plaintext; the database column holds only the token
    (ASCII). ``None`` and the empty string are stored as they are, unencrypted: "no value" is not
    secret, and keeping them visible lets ``isnull`` queries, blank-form handling and
    ``rotate_field_keys`` skip them.

    Each encryption uses a fresh random IV, so equal plaintexts give different tokens: the column
    cannot be searched, compared, sorted or made unique. Lookups other than ``isnull`` are refused
    with a FieldError instead of silently matching nothing.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: BaseDatabaseWrapper) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def to_python(self, value: Any) -> Any:
        # Values reaching to_python come from forms, fixtures, deserialisation and Python code:
        # they are plaintext already (tokens are decrypted in from_db_value when read).
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name in ALLOWED_LOOKUPS:
            return super().get_lookup(lookup_name)
        self._refuse(lookup_name)

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        self._refuse(lookup_name)

    def _refuse(self, lookup_name: str) -> NoReturn:
        model = getattr(self, "model", None)
        where = f"{model._meta.label}.{self.name}" if model is not None else self.name
        raise FieldError(
            f"{where} is encrypted and cannot be searched, compared or transformed in the database "
            f"(lookup '{lookup_name}'): only '{self.name}__isnull' is allowed. Filter on other fields and "
            "compare the decrypted values in Python."
        )

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or self.primary_key:
            errors.append(
                checks.Error(
                    "An EncryptedTextField cannot be unique or a primary key: equal values encrypt differently.",
                    obj=self,
                    id="core.E001",
                )
            )
        return errors

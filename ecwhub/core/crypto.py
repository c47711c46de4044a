"""Encryption of single database values (field-level encryption at rest).

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography``
package) under the keys in the ``FIELD_ENCRYPTION_KEYS`` setting, newest first: the first key
encrypts, every key decrypts, so a new key can be introduced before the old values are
re-encrypted with ``manage.py rotate_field_keys`` (docs/encryption.md).

The settings module imports this module (``read_key_file``), so it must never import models,
apps or anything else that needs configured settings at import time.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

SETTING = "FIELD_ENCRYPTION_KEYS"

_DECRYPTION_FAILED = (
    f"An encrypted value could not be decrypted: no key in {SETTING} matches it, or the stored value "
    "was altered. If a key was removed, put it back at the end of the list."
)

_cached: tuple[MultiFernet, Fernet] | None = None


class FieldDecryptionError(Exception):
    """A stored value could not be decrypted with any configured key.

    The message never contains the stored token or any part of the plaintext.
    """


def generate_key() -> str:
    """A new random Fernet key (URL-safe base64 text), as the first entry of FIELD_ENCRYPTION_KEYS expects."""
    return Fernet.generate_key().decode("ascii")


def configured_keys() -> list[str]:
    """The keys in the ``FIELD_ENCRYPTION_KEYS`` setting, newest first, blanks removed."""
    raw: Any = getattr(settings, SETTING, None) or []
    if isinstance(raw, str):
        raw = raw.split(",")
    return [str(key).strip() for key in raw if str(key).strip()]


def field_cipher() -> MultiFernet:
    """The MultiFernet built from the configured keys (cached until the setting changes).

    Raises ImproperlyConfigured when no key is configured or a key is not a valid Fernet key.
    That happens at first use, not at start-up, so commands that never touch an encrypted field
    run without keys.
    """
    return _ciphers()[0]


def _ciphers() -> tuple[MultiFernet, Fernet]:
    """The cached pair (all keys, newest key)."""
    global _cached
    if _cached is None:
        keys = configured_keys()
        if not keys:
            raise ImproperlyConfigured(
                f"{SETTING} is not set: encrypted fields need at least one Fernet key. Generate one with "
                f"`manage.py generate_field_key` and set {SETTING} in the environment (docs/encryption.md)."
            )
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                # The key itself is secret: name only its position.
                raise ImproperlyConfigured(
                    f"{SETTING}: key number {position} (counting from the newest) is not a valid Fernet key "
                    f"(32 bytes, URL-safe base64). Generate keys with `manage.py generate_field_key`."
                ) from None
        _cached = (MultiFernet(fernets), fernets[0])
    return _cached


def clear_cipher_cache(**kwargs: Any) -> None:
    """Forget the cached ciphers (connected to ``setting_changed``; also callable directly)."""
    global _cached
    setting = kwargs.get("setting")
    if setting is None or setting == SETTING:
        _cached = None


setting_changed.connect(clear_cipher_cache, dispatch_uid="ecwhub.core.crypto.clear_cipher_cache")


def encrypt_text(value: str) -> str:
    """Encrypt ``value`` with the newest key; the result is an ASCII Fernet token."""
    return field_cipher().encrypt(value.encode("utf-8")).decode("ascii")


def _token_bytes(token: str) -> bytes:
    try:
        return token.encode("ascii")
    except UnicodeEncodeError:
        raise FieldDecryptionError(_DECRYPTION_FAILED) from None


def decrypt_text(token: str) -> str:
    """The plaintext of a token made by ``encrypt_text`` with any configured key.

    Raises FieldDecryptionError (without the token or plaintext in its message) on failure.
    """
    try:
        return field_cipher().decrypt(_token_bytes(token)).decode("utf-8")
    except (InvalidToken, UnicodeDecodeError):
        raise FieldDecryptionError(_DECRYPTION_FAILED) from None


def rotate_token(token: str) -> str:
    """``token`` re-encrypted with the newest key (MultiFernet.rotate); the plaintext is unchanged."""
    try:
        return field_cipher().rotate(_token_bytes(token)).decode("ascii")
    except InvalidToken:
        raise FieldDecryptionError(_DECRYPTION_FAILED) from None


def is_current(token: str) -> bool:
    """Whether ``token`` is already encrypted with the newest key (rotation would not change the key)."""
    newest = _ciphers()[1]
    try:
        newest.decrypt(_token_bytes(token))
    except (InvalidToken, FieldDecryptionError):
        return False
    return True


def read_key_file(path: Path, *, create: bool = False) -> list[str]:
    """The keys in ``path`` (one per line, newest first; blank lines and ``#`` comments ignored).

    A missing file gives no keys, unless ``create`` is true: then the file is created with one new
    key, readable by its owner only (mode 0600). Creation is atomic, so processes starting together
    agree on one key.
    """
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        if not create:
            return []
        text = _create_key_file(path)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _create_key_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")  # mode 0600
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(generate_key() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text(encoding="ascii")

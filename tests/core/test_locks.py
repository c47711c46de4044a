"""Named locks: only inside a transaction, and the same key in every process."""

from __future__ import annotations

import pytest
from django.db import transaction

from ecwhub.core.locks import LockOutsideTransaction, lock_key, named_lock

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_named_lock_outside_a_transaction_is_refused() -> None:
    with pytest.raises(LockOutsideTransaction):
        named_lock("intake:new-family")
    with transaction.atomic():
        named_lock("intake:new-family")  # held until the block ends


def test_lock_keys_are_stable_signed_64_bit_numbers() -> None:
    assert lock_key("intake:new-family") == lock_key("intake:new-family")
    assert lock_key("a") != lock_key("b")
    assert all(-(2**63) <= lock_key(name) < 2**63 for name in ("a", "b", "intake:new-family"))

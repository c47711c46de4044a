"""The hub's database cache: Django's, with an ``incr`` that counts every request.

Rate limits (the API's request budgets, sign-in and two-factor limits) count requests with
``cache.add`` then ``cache.incr``. Django's database cache implements ``incr`` as a read followed by
a write, so two servers counting at once both read 7 and both write 8, and a budget of 600 lets
hundreds more through; the write also resets the entry's expiry, so a budget's window never ends
while requests keep coming. Here ``incr`` locks the row (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite transactions here begin IMMEDIATE, one writer at a time) and changes only the value.
Redis, when configured, counts atomically by itself (``INCR``).
"""

from __future__ import annotations

import base64
import pickle
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache.backends import db
from django.db import connections, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(db.DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]
        key_column, value_column = quote("cache_key"), quote("value")
        expires_column = quote("expires")
        now: datetime = tz_now() if settings.USE_TZ else datetime.now()
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Names from the cache's own table, quoted; every value is a parameter.
        select = f"SELECT {value_column} FROM {table} WHERE {key_column} = %s AND {expires_column} > %s{lock}"  # noqa: S608
        update = f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s"  # noqa: S608
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(select, [key, connection.ops.adapt_datetimefield_value(now.replace(microsecond=0))])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode()))  # noqa: S301 (written by this cache only)
            value += delta
            cursor.execute(update, [base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"), key])
        return int(value)

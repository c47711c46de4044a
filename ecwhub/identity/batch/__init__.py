"""Batch linkage of everyone in the hub (and of an agency's file against them) with Splink.

DuckDB runs it in process by default; Spark (``engine="spark"``, needs ``pyspark`` and a Java
runtime) runs the same SQL for state-scale data. The steps:

1. **export** the hub's people with their household's address (PostgreSQL ``COPY``, or a cursor on
   SQLite) into the engine, and the agency file if there is one;
2. **prepare** comparison columns in SQL: folded names without particles, the first given name's
   formal form (nickname table), each surname's romanisation key, date parts and the date with day
   and month swapped, phone digits, house number and street;
3. **train** (``train=True`` or no saved Splink model yet): prior from deterministic rules, ``u``
   by random sampling, ``m`` by two EM sessions; the Splink model is saved as a ``LinkageModel``
   row (``schema="splink-person"``). The hub's own Fellegi–Sunter model used by the real-time
   check is EM-trained on the same people at the same time (``schema="person"``);
4. **predict** candidate pairs (blocking rules below) and **cluster** pairs at or above
   ``LINK_PROBABILITY`` (connected components);
5. **write** the clusters (``LinkCluster``), and the pairs in the uncertain band
   [``REVIEW_PROBABILITY``, ``LINK_PROBABILITY``) as pending ``MatchReview`` rows.

One module per step: ``people`` (the records going in), ``prepare`` (the comparison columns in SQL),
``splink_model`` (the Splink settings, blocking rules and training), ``duckdb_engine`` and
``spark_engine`` (loading the prepared tables), ``rescore`` (the hub's own model over Splink's
pairs), ``results`` (clusters and reviews written), ``run`` (``link_records``, the steps in order);
``base`` holds what they share (the thresholds, a scored pair, the result, the error).
"""

from .base import LINK_PROBABILITY, REVIEW_PROBABILITY, BatchResult, LinkageError
from .people import write_incoming_csv
from .run import link_records

__all__ = [
    "LINK_PROBABILITY",
    "REVIEW_PROBABILITY",
    "BatchResult",
    "LinkageError",
    "link_records",
    "write_incoming_csv",
]

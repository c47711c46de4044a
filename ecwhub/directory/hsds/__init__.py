"""Open Referral HSDS 3.0 ↔ the directory's models: explicit field maps, validation, reading and writing.

The hub works on HSDS *tabular rows* (one dict per row, foreign keys as ``<table>_id`` columns, as in
the CSV data package); nested JSON (``service_full.json``, ``organization_full.json``, paged lists) is
flattened into the same rows, so one validator and one writer serve every input format.

One module per job:

- ``spec``: the tables, their fields, models and foreign keys, and how nested JSON nests them;
- ``vocabulary``: the hub's needs, members and languages in HSDS terms;
- ``errors``: what is wrong with an input, record by record;
- ``read``: CSV data packages, tabular JSON and nested JSON into rows (pure);
- ``validation``: rows checked against the official schemas or the built-in rules (pure);
- ``write``: the directory as HSDS rows, CSV data package and nested records (reads the database);
- ``importer``: ``directory_import``, which validates a batch and upserts it in one transaction.

The names other modules use are re-exported here; ``importer`` is not, so that importing this
package never imports the directory's services.
"""

from .read import read_path
from .spec import TABLES
from .validation import schema_dir, validate
from .vocabulary import NEED_BY_TERM_ID, NEED_TAXONOMY_ID, NEED_TERM_IDS, hub_language
from .write import canonical, record_json, rows_from_database, to_json, write_package

__all__ = [
    "NEED_BY_TERM_ID",
    "NEED_TAXONOMY_ID",
    "NEED_TERM_IDS",
    "TABLES",
    "canonical",
    "hub_language",
    "read_path",
    "record_json",
    "rows_from_database",
    "schema_dir",
    "to_json",
    "validate",
    "write_package",
]

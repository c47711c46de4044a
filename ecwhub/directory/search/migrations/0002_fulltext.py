"""Full text for the search index, one kind per engine.

SQLite: an FTS5 table keyed by the index row id (``unicode61``, accents removed; the text is
already normalized, so the tokenizer only splits on spaces), kept in step by triggers. PostgreSQL: a ``tsvector`` column
generated from ``document`` with the ``simple`` configuration (no stemming, so the same words
match as on SQLite), a GIN index on it, and a pg_trgm GIN index on the vocabulary that
misspelled words are corrected against.
"""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE directory_search_fts USING fts5(document, tokenize = 'unicode61 remove_diacritics 2')",
    # Triggers keep the FTS table in step with the index rows, however they are written or deleted
    # (including the cascade when a service is deleted).
    "CREATE TRIGGER directory_search_fts_ai AFTER INSERT ON directory_search_searchentry BEGIN "
    "INSERT INTO directory_search_fts(rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER directory_search_fts_ad AFTER DELETE ON directory_search_searchentry BEGIN "
    "DELETE FROM directory_search_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER directory_search_fts_au AFTER UPDATE OF document ON directory_search_searchentry BEGIN "
    "UPDATE directory_search_fts SET document = new.document WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_search_fts_au",
    "DROP TRIGGER IF EXISTS directory_search_fts_ad",
    "DROP TRIGGER IF EXISTS directory_search_fts_ai",
    "DROP TABLE IF EXISTS directory_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE directory_search_searchentry ADD COLUMN document_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, document)) STORED",
    "CREATE INDEX search_entry_document_tsv ON directory_search_searchentry USING GIN (document_tsv)",
    "CREATE INDEX search_term_trigram ON directory_search_searchterm USING GIN (term gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_term_trigram",
    "DROP INDEX IF EXISTS search_entry_document_tsv",
    "ALTER TABLE directory_search_searchentry DROP COLUMN IF EXISTS document_tsv",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory_search", "0001_search_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]

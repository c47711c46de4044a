"""Languages by HSDS level and accessibility notes on the index rows; stems on the vocabulary.

The stems of the words already in the vocabulary are filled here, so searches keep finding words
before the next index rebuild (which fills the language levels and accessibility notes)."""

from typing import Any

from django.db import migrations, models


def _stem(word: str) -> str:
    # A copy of ``text.stem`` as it was when this migration was written.
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "i"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 7:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 6:
        word = word[:-2]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word


def fill_stems(apps: Any, schema_editor: Any) -> None:
    term_model = apps.get_model("directory_search", "SearchTerm")
    batch = []
    for term in term_model.objects.only("id", "term").iterator(chunk_size=2000):
        term.stem = _stem(term.term)
        batch.append(term)
        if len(batch) >= 2000:
            term_model.objects.bulk_update(batch, ["stem"])
            batch.clear()
    if batch:
        term_model.objects.bulk_update(batch, ["stem"])


# SQLite adds a NOT NULL column by rebuilding the table, which drops its triggers: they are made again
# (the FTS rows keep their rowids, because the rebuilt table keeps its ids).
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS directory_search_fts_ai AFTER INSERT ON directory_search_searchentry BEGIN "
    "INSERT INTO directory_search_fts(rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER IF NOT EXISTS directory_search_fts_ad AFTER DELETE ON directory_search_searchentry BEGIN "
    "DELETE FROM directory_search_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS directory_search_fts_au AFTER UPDATE OF document ON directory_search_searchentry "
    "BEGIN UPDATE directory_search_fts SET document = new.document WHERE rowid = old.id; END",
]


def sqlite_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("directory_search", "0002_fulltext"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="accessibility_norm",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="language_levels",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="searchterm",
            name="stem",
            field=models.CharField(db_index=True, default="", max_length=64),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(fill_stems, migrations.RunPython.noop),
    ]

"""The audit log becomes keyed and partitioned.

Entries written so far stay as they were (chain version 1: a plain SHA-256 chain, ``key_id``
empty) and become partition 1 (the old single head's id), numbered ``seq`` 1, 2, … in their
order. The next entry appended to partition 1 is the first keyed one: its MAC covers the hash of
the last unkeyed entry, which seals everything before it (docs/privacy.md, "The audit log").
"""

from django.db import migrations, models

# Numbering the existing entries is the one update the log ever receives; PostgreSQL's trigger
# refuses updates, so it is set aside for this statement only, inside the migration's transaction.
NUMBER = """
UPDATE consent_auditentry SET seq = numbered.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM consent_auditentry) AS numbered
WHERE consent_auditentry.id = numbered.id
"""


def number_existing_entries(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("ALTER TABLE consent_auditentry DISABLE TRIGGER consent_auditentry_append_only")
    schema_editor.execute(NUMBER)
    if postgresql:
        schema_editor.execute("ALTER TABLE consent_auditentry ENABLE TRIGGER consent_auditentry_append_only")


GENESIS = "0" * 64
MOST_PARTITIONS = 256  # the most AUDIT_PARTITIONS allows


def create_heads(apps, schema_editor):
    # Every partition's head exists before the first append looks for a free one: a head created
    # inside an append's transaction would hold back, until it commits, every other writer that
    # tries to create it too.
    head = apps.get_model("consent", "AuditHead")
    head.objects.bulk_create(
        [head(id=number, last_hash=GENESIS, count=0) for number in range(1, MOST_PARTITIONS + 1)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_relationship_events")]

    operations = [
        migrations.RemoveConstraint(model_name="audithead", name="audit_head_singleton"),
        migrations.AddField(
            model_name="auditentry", name="key_id", field=models.CharField(blank=True, max_length=16)
        ),
        migrations.AddField(
            model_name="auditentry", name="partition", field=models.PositiveSmallIntegerField(default=1)
        ),
        migrations.AddField(model_name="auditentry", name="seq", field=models.BigIntegerField(default=0)),
        migrations.RunPython(number_existing_entries, migrations.RunPython.noop),
        migrations.RunPython(create_heads, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("partition", "seq"), name="audit_entry_partition_seq"),
        ),
    ]

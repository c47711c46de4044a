from django.db import migrations

GENESIS = "0" * 64

PG_TRIGGER = """
CREATE OR REPLACE FUNCTION consent_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_auditentry_append_only
    BEFORE UPDATE OR DELETE ON consent_auditentry
    FOR EACH ROW EXECUTE FUNCTION consent_audit_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS consent_auditentry_append_only ON consent_auditentry;
DROP FUNCTION IF EXISTS consent_audit_append_only();
"""


def create_head(apps, schema_editor):
    apps.get_model("consent", "AuditHead").objects.get_or_create(id=1, defaults={"last_hash": GENESIS, "count": 0})


def add_trigger(apps, schema_editor):
    # PostgreSQL refuses UPDATE and DELETE on the audit log at the database itself. (SQLite keeps
    # the model-level guard only: its test-database flush deletes rows, and a trigger cannot tell.)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]

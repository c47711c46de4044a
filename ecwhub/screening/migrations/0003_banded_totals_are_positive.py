"""PHQ-9 totals in a band with a finding (5 or more) were stored as "negative" beside their
finding; they are positive results. The band minimum is the one in phq-2-9.json (version 1.0.0)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# (instrument, rule, lowest total of the first band that concludes a finding)
BANDED = [("phq-2-9", "phq9", 5)]


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    ScreeningResult = apps.get_model("screening", "ScreeningResult")
    for instrument, rule, minimum in BANDED:
        ScreeningResult.objects.filter(
            response__instrument=instrument, rule=rule, status="negative", total__gte=minimum
        ).update(status="positive")


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_coded_result_value")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""At most one active designated care coordinator per family.

Before the constraint, the families that have several active designated coordinators keep the
latest one (the latest start, then the latest row); the others end now, with a reason, so the
history stays. Deterministic: the same data ends the same rows."""

from django.db import migrations, models
from django.db.models import Count, Q
from django.utils import timezone

END_REASON = "one designated coordinator per family: a later one was kept"


def end_duplicate_coordinators(apps, schema_editor):
    Relationship = apps.get_model("consent", "Relationship")
    active = Relationship.objects.filter(kind="designated_coordinator", ended_at__isnull=True)
    doubled = (
        active.values("household_id").annotate(n=Count("id")).filter(n__gt=1).values_list("household_id", flat=True)
    )
    now = timezone.now()
    for household_id in list(doubled):
        rows = list(active.filter(household_id=household_id).order_by("-started_at", "-id").values_list("id", flat=True))
        Relationship.objects.filter(pk__in=rows[1:]).update(ended_at=now, end_reason=END_REASON)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0006_break_glass_review_note_and_early_end"),
    ]

    operations = [
        migrations.RunPython(end_duplicate_coordinators, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="relationship",
            constraint=models.UniqueConstraint(
                condition=Q(kind="designated_coordinator", ended_at__isnull=True),
                fields=("household",),
                name="one_designated_coordinator",
            ),
        ),
    ]

# Tokens act in one membership. Existing tokens of a user with exactly one active membership act
# in it; the others stay empty and must name the organization (X-Acting-Organization) per request.

import django.db.models.deletion
from django.db import migrations, models


def bind_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    Membership = apps.get_model("accounts", "Membership")
    for token in ApiToken.objects.filter(membership__isnull=True):
        active = list(Membership.objects.filter(user_id=token.user_id, is_active=True)[:2])
        if len(active) == 1:
            token.membership_id = active[0].pk
            token.save(update_fields=["membership"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="membership",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_tokens",
                to="accounts.membership",
            ),
        ),
        migrations.RunPython(bind_tokens, migrations.RunPython.noop),
    ]

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Recognising people and families the network already knows (record linkage)."""

    name = "ecwhub.identity"
    label = "identity"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from ecwhub.families.models import Household, Person

        from . import signals

        post_save.connect(signals.person_saved, sender=Person, dispatch_uid="identity_person_keys")
        post_save.connect(signals.household_saved, sender=Household, dispatch_uid="identity_household_keys")

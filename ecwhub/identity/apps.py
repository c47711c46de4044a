from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Recognising people and families the network already knows (record linkage)."""

    name = "ecwhub.identity"
    label = "identity"

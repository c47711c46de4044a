from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "ecwhub.families"
    label = "families"
    verbose_name = _("Families")

    def ready(self) -> None:
        from .page_sections import register

        register()

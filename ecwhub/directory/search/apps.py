from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectorySearchConfig(AppConfig):
    name = "ecwhub.directory.search"
    label = "directory_search"
    verbose_name = _("Directory search")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (keeps the index fresh when services change)

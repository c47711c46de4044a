from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ecwhub.core"
    label = "core"
    verbose_name = "Core"

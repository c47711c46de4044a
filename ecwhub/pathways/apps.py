from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "ecwhub.pathways"
    label = "pathways"

    def ready(self) -> None:
        from .registrations import register

        register()

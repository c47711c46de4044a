from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "ecwhub.careplans"
    label = "careplans"

    def ready(self) -> None:
        from .page_sections import register

        register()

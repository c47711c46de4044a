from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "ecwhub.screening"
    label = "screening"

    def ready(self) -> None:
        from .page_sections import register

        register()

from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "ecwhub.consent"
    label = "consent"

    def ready(self) -> None:
        from .page_sections import register

        register()

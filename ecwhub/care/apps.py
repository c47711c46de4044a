from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "ecwhub.care"
    label = "care"

    def ready(self) -> None:
        from . import (
            my_day,
            receivers,  # noqa: F401  (connects the tier recompute to screening)
        )
        from .page_sections import register

        register()
        my_day.register()

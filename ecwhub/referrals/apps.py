from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ecwhub.referrals"
    label = "referrals"

    def ready(self) -> None:
        from . import feedback
        from .page_sections import register

        register()
        feedback.register()

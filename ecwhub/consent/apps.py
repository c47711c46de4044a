from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "ecwhub.consent"
    label = "consent"

from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "ecwhub.screening"
    label = "screening"

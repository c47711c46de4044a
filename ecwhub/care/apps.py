from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "ecwhub.care"
    label = "care"

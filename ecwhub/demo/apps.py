from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ecwhub.demo"
    label = "demo"

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "ecwhub.insights"
    label = "insights"

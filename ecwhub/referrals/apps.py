from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "ecwhub.referrals"
    label = "referrals"

from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "iot_network.impact"
    label = "impact"
    verbose_name = "Impact and evaluation"

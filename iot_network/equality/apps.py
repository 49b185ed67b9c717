from django.apps import AppConfig


class EqualityConfig(AppConfig):
    name = "iot_network.equality"
    label = "equality"
    verbose_name = "Equality monitoring"

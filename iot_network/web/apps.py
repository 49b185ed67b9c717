from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "iot_network.web"
    label = "web"
    verbose_name = "Web pages"

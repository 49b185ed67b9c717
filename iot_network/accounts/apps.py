from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iot_network.accounts"
    label = "accounts"
    verbose_name = "Accounts"

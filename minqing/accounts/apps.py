from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "minqing.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401

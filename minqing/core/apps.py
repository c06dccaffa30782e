from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minqing.core"
    label = "core"

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "minqing.ops"
    label = "ops"
    verbose_name = "运维"

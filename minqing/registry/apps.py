from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "minqing.registry"
    label = "registry"

from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "minqing.home"
    label = "home"
    verbose_name = "工作台"

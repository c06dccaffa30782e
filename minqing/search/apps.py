from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "minqing.search"
    label = "search"

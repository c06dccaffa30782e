from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "minqing.tags"
    label = "tags"

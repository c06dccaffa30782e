from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo county seeding (``manage.py seed_demo``). The top of the import direction: nothing imports it."""

    name = "minqing.demo"
    label = "demo"
    verbose_name = "演示数据"

    def ready(self) -> None:
        from . import checks  # noqa: F401

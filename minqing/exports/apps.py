from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "minqing.exports"
    label = "exports"
    verbose_name = _("导出")

    def ready(self) -> None:
        from minqing.jobs.framework import task_finished

        from .tasks import on_task_finished

        task_finished.connect(on_task_finished, dispatch_uid="minqing.exports.task_finished")

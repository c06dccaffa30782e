from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class JobsConfig(AppConfig):
    name = "minqing.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from . import services

        verbs.register({"task.requeued": _("后台任务重新排队"), "task.lost": _("后台任务中断")})
        from .framework import task_enqueued, task_finished, task_started

        # Every task, whatever app enqueued it, gets a progress row that mirrors its state.
        task_enqueued.connect(services.on_task_enqueued, dispatch_uid="minqing.jobs.enqueued")
        task_started.connect(services.on_task_started, dispatch_uid="minqing.jobs.started")
        task_finished.connect(services.on_task_finished, dispatch_uid="minqing.jobs.finished")

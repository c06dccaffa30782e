from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "minqing.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from . import services
        from .framework import task_enqueued, task_finished, task_started

        # Every task, whatever app enqueued it, gets a progress row that mirrors its state.
        task_enqueued.connect(services.on_task_enqueued, dispatch_uid="minqing.jobs.enqueued")
        task_started.connect(services.on_task_started, dispatch_uid="minqing.jobs.started")
        task_finished.connect(services.on_task_finished, dispatch_uid="minqing.jobs.finished")

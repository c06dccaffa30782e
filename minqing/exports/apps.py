from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from minqing.core import verbs


class ExportsConfig(AppConfig):
    name = "minqing.exports"
    label = "exports"
    verbose_name = _("导出")

    def ready(self) -> None:
        from minqing.jobs.framework import task_finished

        from .models import ExportJob
        from .tasks import on_task_finished

        # An export's audit row is "export.<kind>" (services.export_done).
        verbs.register(
            {f"export.{kind.value}": _("导出%(kind)s") % {"kind": kind.label} for kind in ExportJob.Kind}
        )

        task_finished.connect(on_task_finished, dispatch_uid="minqing.exports.task_finished")

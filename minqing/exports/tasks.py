"""The background task of large exports. Retry-safe: a rerun overwrites the job's own file and row."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from minqing.jobs.framework import TaskResult, TaskResultStatus, task
from minqing.jobs.policy import declare

from . import services


@declare(kind="export", label=_("Excel导出"), retry_safe=True, max_attempts=3)
@task
def export_task(job_id: int) -> int:
    """Write export job ``job_id``; returns the number of rows written."""
    return services.export_task_run(job_id)


def on_task_finished(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    """An export task failed for good (its last attempt raised, or its worker was lost): fail its job."""
    if (
        task_result.status == TaskResultStatus.FAILED
        and task_result.task.module_path == export_task.module_path
    ):
        services.job_task_failed(task_result.id)

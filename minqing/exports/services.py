"""Writes for exports: start an export, run it (in the request or as a task), tidy up. Every finished export is audited."""

from __future__ import annotations

import datetime
import logging
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minqing.areas.models import scope_root
from minqing.core import audit
from minqing.core.queries import capped_count
from minqing.jobs import progress
from minqing.jobs import services as jobs

from . import selectors, xlsx
from .columns import SHEETS, Context
from .models import ExportJob

logger = logging.getLogger(__name__)
MAX_PARAMS = 2000


def inline_max_rows() -> int:
    return settings.EXPORT_INLINE_MAX_ROWS


def export_start(*, owner, kind: str, params: str) -> ExportJob:
    """Record an export of a search: a small one is written now, in the request; a larger one is enqueued
    as a background task (``tasks.export_task``), committed together with its job row.
    """
    from .tasks import export_task

    if not owner.can("export"):
        raise PermissionDenied
    if kind not in SHEETS:
        raise ValidationError(_("不支持的导出类型。"))
    params = selectors.clean_params(params)
    if len(params) > MAX_PARAMS:
        raise ValidationError(_("筛选条件太长，请减少条件后再导出。"))
    rows = selectors.export_rows(user=owner, kind=kind, params=params)
    _count, large = capped_count(rows, inline_max_rows())
    area_path = scope_root(owner, "export")
    if not large:
        job = ExportJob.objects.create(
            owner=owner,
            kind=kind,
            params=params,
            area_path=area_path,
            status=ExportJob.Status.RUNNING,
            started_at=timezone.now(),
        )
        return export_run(job=job)
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=owner, kind=kind, params=params, area_path=area_path, background=True
        )
        result = jobs.enqueue(export_task, args=(job.pk,), requested_by=owner, area_path=area_path)
        ExportJob.objects.filter(pk=job.pk).update(task_id=result.id)
    job.refresh_from_db()  # a backend that runs tasks at once (tests) has finished it already
    return job


def export_task_run(job_id: int) -> int:
    """The body of the background task: (re)write the job's file. Safe to run again after a crash.

    A job already done (its file and audit row committed, the worker lost before it could say so) is left
    alone; otherwise progress starts from zero and the file, named after the job, is overwritten. An error
    puts the job back in the queue state and is raised, so the task fails (and is retried, per its policy);
    ``job_task_failed`` marks the job failed once the task has failed for good.
    """
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job.done_rows
    _update(job, status=ExportJob.Status.RUNNING, started_at=timezone.now(), done_rows=0, error="")
    try:
        return _write(job).done_rows
    except Exception:
        _update(job, status=ExportJob.Status.QUEUED)
        raise


def job_task_failed(task_id: str) -> int:
    """The export task ``task_id`` failed for good (error after its last attempt, or its worker lost)."""
    return (
        ExportJob.objects.filter(task_id=task_id)
        .exclude(status=ExportJob.Status.DONE)
        .update(status=ExportJob.Status.FAILED, error=_("导出失败，请重新导出。"), finished_at=timezone.now())
    )


def export_run(*, job: ExportJob) -> ExportJob:
    """Write the file of a running job now (small exports, in the request). Failures are recorded on the
    job (the owner sees them), never raised into a request.
    """
    try:
        return _write(job)
    except Exception:
        logger.exception("export %s failed", job.pk)
        _update(
            job, status=ExportJob.Status.FAILED, error=_("导出失败，请稍后重试。"), finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job


def _write(job: ExportJob) -> ExportJob:
    """Write the file of a job, chunk by chunk, with progress; audit it when done. Raises on failure.

    Rows and masking are decided now, with the owner's current rights, not those of when the job was queued.
    """
    owner = job.owner
    sheet = SHEETS[job.kind]
    reporter = progress.current()  # the jobs page's progress (a no-op in a request)
    with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile(suffix=".xlsx") as tmp:
        rows = selectors.export_rows(user=owner, kind=job.kind, params=job.params)
        masked = not selectors.may_reveal_all(user=owner, kind=job.kind, rows=rows)
        total = rows.count()
        _update(job, total=total, masked=masked)
        reporter.update(done=0, total=total, force=True)
        ctx = Context(mask=masked, today=timezone.localdate())
        objects = selectors.iterate(rows, related=sheet.related)

        def on_progress(n: int) -> None:
            _update(job, done_rows=n)
            reporter.update(done=n, total=total)

        written = xlsx.write_xlsx(
            tmp,
            title=str(sheet.title),
            headers=sheet.headers(),
            widths=sheet.widths(),
            rows=(sheet.row(n, obj, ctx) for n, obj in enumerate(objects, start=1)),
            on_progress=on_progress,
            every=selectors.CHUNK,
        )
        tmp.seek(0)
        job = _finish(job, tmp, written=written, masked=masked)
        reporter.update(done=written, total=written, force=True)
        return job


def _update(job: ExportJob, **fields) -> None:
    """Progress goes straight to the row (its own short transaction) so the status page sees it at once."""
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(job, name, value)


@transaction.atomic
def _finish(job: ExportJob, handle, *, written: int, masked: bool) -> ExportJob:
    # The file is named after the job: a retry after a crash overwrites what the lost run left behind.
    name = job.file.field.generate_filename(job, job.download_name)
    if job.file.storage.exists(name):
        job.file.storage.delete(name)
    job.file.save(job.download_name, File(handle), save=False)
    job.status, job.total, job.done_rows = ExportJob.Status.DONE, written, written
    job.masked, job.error, job.finished_at = masked, "", timezone.now()
    job.save()
    audit.record(
        actor=job.owner,
        verb=f"export.{job.kind}",
        target=job,
        area_path=job.area_path,
        label=_("%(kind)s %(n)d行") % {"kind": job.get_kind_display(), "n": written},
        changes={"条件": job.params, "行数": written, "敏感信息": _("已脱敏") if masked else _("未脱敏")},
    )
    return job


def jobs_purge(*, days: int | None = None) -> int:
    """Delete export files (and their jobs) older than ``EXPORTS_KEEP_DAYS``: lists of residents must not linger."""
    days = days if days is not None else settings.EXPORTS_KEEP_DAYS
    old = ExportJob.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))
    count = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count

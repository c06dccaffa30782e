"""Writes for exports: start an export, claim and run a job, tidy up. Every finished export is audited."""

from __future__ import annotations

import datetime
import logging
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minqing.areas.models import scope_root
from minqing.core import audit
from minqing.core.queries import capped_count

from . import selectors, xlsx
from .columns import SHEETS, Context
from .models import ExportJob

logger = logging.getLogger(__name__)
MAX_PARAMS = 2000


def worker_configured() -> bool:
    """True when a ``run_exports`` worker serves the queue (the ``EXPORTS_WORKER`` setting)."""
    return bool(settings.EXPORTS_WORKER)


def inline_max_rows() -> int:
    return settings.EXPORT_INLINE_MAX_ROWS


def export_start(*, owner, kind: str, params: str) -> ExportJob:
    """Record an export of a search and, when it is small (or ``EXPORTS_RUN_INLINE``), write it now.

    Larger exports stay queued for the background (``tasks.start_background`` or ``run_exports``).
    """
    if not owner.can("export"):
        raise PermissionDenied
    if kind not in SHEETS:
        raise ValidationError(_("不支持的导出类型。"))
    params = selectors.clean_params(params)
    if len(params) > MAX_PARAMS:
        raise ValidationError(_("筛选条件太长，请减少条件后再导出。"))
    jobs_reap_stale()
    rows = selectors.export_rows(user=owner, kind=kind, params=params)
    _count, large = capped_count(rows, inline_max_rows())
    small = not large
    job = ExportJob.objects.create(
        owner=owner,
        kind=kind,
        params=params,
        area_path=scope_root(owner, "export"),
        background=not small,
    )
    if small or settings.EXPORTS_RUN_INLINE:
        claimed = job_claim(job.pk)
        if claimed is not None:
            return export_run(job=claimed)
    return job


def job_claim(pk: int) -> ExportJob | None:
    """Move one queued job to running; None if someone else (a worker, a thread) took it first."""
    if not ExportJob.objects.filter(pk=pk, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    ):
        return None
    return ExportJob.objects.select_related("owner").get(pk=pk)


def job_claim_next(*, skip_locked: bool | None = None) -> ExportJob | None:
    """The oldest queued job, claimed for this worker.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` so parallel workers never wait on or share a job. SQLite
    (no row locks): the conditional update of ``job_claim`` decides who wins.
    """
    if skip_locked is None:
        skip_locked = connection.features.has_select_for_update_skip_locked
    queued = ExportJob.objects.filter(status=ExportJob.Status.QUEUED).order_by("created_at", "id")
    if skip_locked:
        with transaction.atomic():
            job = queued.select_for_update(skip_locked=True).first()
            if job is None:
                return None
            job.status, job.started_at = ExportJob.Status.RUNNING, timezone.now()
            job.save(update_fields=["status", "started_at", "updated_at"])
            return job
    for pk in queued.values_list("pk", flat=True)[:20]:
        job = job_claim(pk)
        if job is not None:
            return job
    return None


def export_run(*, job: ExportJob) -> ExportJob:
    """Write the file of a claimed (running) job, chunk by chunk, with progress; audit it when done.

    Rows and masking are decided now, with the owner's current rights, not those of when the job was queued.
    Failures are recorded on the job (the owner sees them), never raised into a request.
    """
    owner = job.owner
    sheet = SHEETS[job.kind]
    try:
        with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile(suffix=".xlsx") as tmp:
            rows = selectors.export_rows(user=owner, kind=job.kind, params=job.params)
            masked = not selectors.may_reveal_all(user=owner, kind=job.kind, rows=rows)
            total = rows.count()
            _update(job, total=total, masked=masked)
            ctx = Context(mask=masked, today=timezone.localdate())
            objects = selectors.iterate(rows, related=sheet.related)
            written = xlsx.write_xlsx(
                tmp,
                title=str(sheet.title),
                headers=sheet.headers(),
                widths=sheet.widths(),
                rows=(sheet.row(n, obj, ctx) for n, obj in enumerate(objects, start=1)),
                on_progress=lambda n: _update(job, done_rows=n),
                every=selectors.CHUNK,
            )
            tmp.seek(0)
            return _finish(job, tmp, written=written, masked=masked)
    except Exception:
        logger.exception("export %s failed", job.pk)
        _update(
            job, status=ExportJob.Status.FAILED, error=_("导出失败，请稍后重试。"), finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job


def _update(job: ExportJob, **fields) -> None:
    """Progress goes straight to the row (its own short transaction) so the status page sees it at once."""
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(job, name, value)


@transaction.atomic
def _finish(job: ExportJob, handle, *, written: int, masked: bool) -> ExportJob:
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


def jobs_reap_stale(*, minutes: int | None = None) -> int:
    """Fail jobs that stopped moving (their process ended): they would otherwise show progress forever."""
    minutes = minutes if minutes is not None else settings.EXPORTS_STALE_MINUTES
    cutoff = timezone.now() - datetime.timedelta(minutes=minutes)
    return ExportJob.objects.filter(
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING], updated_at__lt=cutoff
    ).update(status=ExportJob.Status.FAILED, error=_("导出中断，请重新导出。"), finished_at=timezone.now())


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

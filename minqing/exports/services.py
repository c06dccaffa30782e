"""Writes for exports: start an export, run it (in the request or as a task), tidy up. Every finished export is audited."""

from __future__ import annotations

import datetime
import logging
import tempfile
from array import array

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minqing.areas.models import scope_root
from minqing.core import audit, limits
from minqing.core.queries import capped_count
from minqing.jobs import progress
from minqing.jobs import services as jobs

from . import ledger, selectors, xlsx
from .columns import SHEETS, Context
from .models import ExportContent, ExportJob

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
    area_path = scope_root(owner, "export")
    count, large = _size(rows)  # before the lock: counting a large search takes a moment
    with transaction.atomic():
        limits.lock_user(owner)  # the day's count and the new job in one step per user (core/limits.py)
        refusal = _within_limits(owner=owner, count=count)
        if refusal is None:
            # A small export is written below, in the request; a large one is a task committed with its job.
            running = {} if large else {"status": ExportJob.Status.RUNNING, "started_at": timezone.now()}
            job = ExportJob.objects.create(
                owner=owner,
                kind=kind,
                params=params,
                area_path=area_path,
                total=count,
                background=large,
                **running,
            )
            if large:
                result = jobs.enqueue(export_task, args=(job.pk,), requested_by=owner, area_path=area_path)
                ExportJob.objects.filter(pk=job.pk).update(task_id=result.id)
    if refusal is not None:
        _refuse(owner=owner, area_path=area_path, message=refusal)
    if not large:
        return export_run(job=job)
    job.refresh_from_db()  # a backend that runs tasks at once (tests) has finished it already
    return job


def _size(rows) -> tuple[int, bool]:
    """(the rows, counted up to the daily rows limit — 1 more than it when over; large?)."""
    rows_per_day, inline = settings.EXPORT_ROWS_PER_DAY, inline_max_rows()
    count, over = capped_count(rows, max(rows_per_day, inline))
    large = over or count > inline
    if rows_per_day <= 0:
        return (0 if over else count), large
    return (rows_per_day + 1 if over else count), large


def _within_limits(*, owner, count: int) -> str | None:
    """Why not, or None: ``EXPORT_LIMIT_PER_DAY`` exports and ``EXPORT_ROWS_PER_DAY`` rows in 24 hours.

    Jobs that failed do not count; a job counts with the rows counted when it was started, then those
    it wrote."""
    per_day, rows_per_day = settings.EXPORT_LIMIT_PER_DAY, settings.EXPORT_ROWS_PER_DAY
    recent = ExportJob.objects.filter(owner=owner, created_at__gte=limits.since(24)).exclude(
        status=ExportJob.Status.FAILED
    )
    day = recent.aggregate(n=Count("pk"), rows=Sum("total"))
    if per_day > 0 and day["n"] >= per_day:
        return _("您在24小时内的导出次数已达上限（%(n)d次），请明天再试。") % {"n": per_day}
    done = day["rows"] or 0
    if rows_per_day > 0 and done + count > rows_per_day:
        return _(
            "您在24小时内的导出行数将超过上限（%(cap)d行，已导出%(done)d行），请缩小范围或明天再试。"
        ) % {"cap": rows_per_day, "done": done}
    return None


def _refuse(*, owner, area_path: str, message: str) -> None:
    limits.refuse(
        actor=owner,
        verb="export.limit_exceeded",
        hours=24,
        area_path=area_path,
        changes={
            "每日次数上限": settings.EXPORT_LIMIT_PER_DAY,
            "每日行数上限": settings.EXPORT_ROWS_PER_DAY,
            "原因": message,
        },
        message=message + " " + _("本次超限已记录并通知监督员；如确因工作需要，请联系监督员或数据管理员。"),
        code="export_limit",
    )


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
        hidden = selectors.hidden_classes(user=owner, kind=job.kind, rows=rows)
        ctx = Context(
            mask=masked, today=timezone.localdate(), hidden=hidden, scope=owner.scope_prefixes("view")
        )
        objects = selectors.iterate(rows, related=sheet.related)
        ids = array("q")  # what the file holds, for the privacy report (8 bytes a row)

        def numbered():
            for n, obj in enumerate(objects, start=1):
                ids.append(obj.pk)
                yield sheet.row(n, obj, ctx)

        def on_progress(n: int) -> None:
            _update(job, done_rows=n)
            reporter.update(done=n, total=total)

        written = xlsx.write_xlsx(
            tmp,
            title=str(sheet.title),
            headers=sheet.headers(),
            widths=sheet.widths(),
            rows=numbered(),
            on_progress=on_progress,
            every=selectors.CHUNK,
        )
        tmp.seek(0)
        job = _finish(job, tmp, written=written, masked=masked, ids=ids)
        reporter.update(done=written, total=written, force=True)
        return job


def _update(job: ExportJob, **fields) -> None:
    """Progress goes straight to the row (its own short transaction) so the status page sees it at once."""
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(job, name, value)


@transaction.atomic
def _finish(job: ExportJob, handle, *, written: int, masked: bool, ids: array) -> ExportJob:
    # The file is named after the job: a retry after a crash overwrites what the lost run left behind.
    name = job.file.field.generate_filename(job, job.download_name)
    if job.file.storage.exists(name):
        job.file.storage.delete(name)
    job.file.save(job.download_name, File(handle), save=False)
    job.status, job.total, job.done_rows = ExportJob.Status.DONE, written, written
    job.masked, job.error, job.finished_at = masked, "", timezone.now()
    job.save()
    event = audit.record(
        actor=job.owner,
        verb=f"export.{job.kind}",
        target=job,
        area_path=job.area_path,
        label=_("%(kind)s %(n)d行") % {"kind": job.get_kind_display(), "n": written},
        changes={"条件": job.params, "行数": written, "敏感信息": _("已脱敏") if masked else _("未脱敏")},
    )
    packed = ledger.pack(ids)
    ExportContent.objects.create(
        event=event,
        kind=job.kind,
        rows=written,
        masked=masked,
        fields=SHEETS[job.kind].headers()[1:],
        person_ids=packed if job.kind == ExportJob.Kind.PERSONS else b"",
        household_ids=packed if job.kind == ExportJob.Kind.HOUSEHOLDS else b"",
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

"""Running queued exports: the ``run_exports`` worker loop, and a thread as the fallback when no worker runs.

Both claim a job before running it (``services.job_claim``), so a job never runs twice even when a thread
and a worker both try.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connection, transaction

from . import services
from .models import ExportJob

logger = logging.getLogger(__name__)
PURGE_EVERY = 3600.0  # seconds


def start_background(job: ExportJob) -> None:
    """Hand a queued job to the background once the request's transaction has committed.

    With ``EXPORTS_WORKER`` set, a ``run_exports`` process picks it up; otherwise a thread of this process
    runs it (fine for the embedded demo and small sites; a restart interrupts it, and the job then fails).
    """
    if job.status != ExportJob.Status.QUEUED or services.worker_configured():
        return
    transaction.on_commit(lambda: start_thread(job.pk))


def start_thread(pk: int) -> threading.Thread:
    thread = threading.Thread(target=run_job, args=(pk,), name=f"export-{pk}", daemon=True)
    thread.start()
    return thread


def run_job(pk: int) -> None:
    """Thread target: claim and run one job, then give back this thread's database connection."""
    try:
        job = services.job_claim(pk)
        if job is not None:
            services.export_run(job=job)
    except Exception:
        logger.exception("background export %s crashed", pk)
    finally:
        connection.close()


def work(*, once: bool = False, interval: float = 2.0, log: Callable[[str], None] = logger.info) -> int:
    """Claim and run queued jobs until stopped (or, with ``once``, until the queue is empty). Returns jobs run."""
    done, purged_at = 0, 0.0
    while True:
        if not connection.in_atomic_block:  # a worker process: drop connections the database closed
            close_old_connections()
        if time.monotonic() - purged_at > PURGE_EVERY:
            services.jobs_purge()
            purged_at = time.monotonic()
        services.jobs_reap_stale()
        job = services.job_claim_next()
        if job is not None:
            job = services.export_run(job=job)
            done += 1
            log(f"export #{job.pk} {job.status}: {job.done_rows}/{job.total}")
            continue
        if once:
            return done
        time.sleep(interval)

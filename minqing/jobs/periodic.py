"""Periodic work (``manage.py run_periodic``): the jobs of the ``PERIODIC_JOBS`` setting that are due.

Each job holds a lease on its ``PeriodicJobState`` row while it runs, taken with one conditional UPDATE
(the same on SQLite and PostgreSQL, no transaction held open while the job runs its own) and renewed by a
thread. A run that finds the lease held is skipped and logged, never doubled; a crashed run's lease
expires after ``LEASE_SECONDS``.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicJobState

logger = logging.getLogger(__name__)
LEASE_SECONDS = 600


class UnknownPeriodicJob(KeyError):
    pass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    callable_path: str
    schedule: dict[str, Any]

    def is_due(self, state: PeriodicJobState | None, now: datetime.datetime) -> bool:
        last = state.last_started_at if state is not None else None
        if "every_minutes" in self.schedule:
            return last is None or now - last >= datetime.timedelta(
                minutes=int(self.schedule["every_minutes"])
            )
        hour, minute = (int(part) for part in str(self.schedule["daily"]).split(":"))
        local = timezone.localtime(now)
        slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if local < slot:
            slot -= datetime.timedelta(days=1)
        return last is None or last < slot


@dataclass
class Outcome:
    name: str
    status: str  # "ok", "failed", "skipped" (lease held elsewhere), "not_due"
    message: str = ""


def configured() -> dict[str, PeriodicJob]:
    jobs = {}
    specs: dict[str, dict[str, Any]] = settings.PERIODIC_JOBS
    for name, spec in specs.items():
        schedule = spec["schedule"]
        if not ({"daily", "every_minutes"} & set(schedule)):
            raise ValueError(f"periodic job {name}: schedule needs 'daily' or 'every_minutes'")
        jobs[name] = PeriodicJob(name=name, callable_path=spec["callable"], schedule=dict(schedule))
    return jobs


def acquire(name: str, holder: str, *, lease_seconds: int = LEASE_SECONDS) -> bool:
    """Take the lease of ``name`` for ``holder``; False when another run holds an unexpired lease."""
    try:
        with transaction.atomic():
            PeriodicJobState.objects.get_or_create(name=name)
    except IntegrityError:  # created by a concurrent run meanwhile
        pass
    now = timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    return bool(
        PeriodicJobState.objects.filter(free, name=name).update(
            locked_by=holder,
            locked_until=now + datetime.timedelta(seconds=lease_seconds),
            last_started_at=now,
        )
    )


def renew(name: str, holder: str, *, lease_seconds: int = LEASE_SECONDS) -> bool:
    until = timezone.now() + datetime.timedelta(seconds=lease_seconds)
    return bool(PeriodicJobState.objects.filter(name=name, locked_by=holder).update(locked_until=until))


def release(name: str, holder: str, *, status: str, message: str) -> None:
    PeriodicJobState.objects.filter(name=name, locked_by=holder).update(
        locked_by="",
        locked_until=None,
        last_finished_at=timezone.now(),
        last_status=status,
        last_message=message[:300],
    )


class _Renewer(threading.Thread):
    """Keeps a long job's lease alive (every third of the lease) until stopped."""

    def __init__(self, name: str, holder: str, lease_seconds: int) -> None:
        super().__init__(name=f"lease-{name}", daemon=True)
        self.job_name, self.holder, self.lease_seconds = name, holder, lease_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.lease_seconds / 3):
                renew(self.job_name, self.holder, lease_seconds=self.lease_seconds)
        except Exception:
            logger.exception("renewing the lease of %s failed", self.job_name)
        finally:
            connection.close()


def run_one(job: PeriodicJob, *, lease_seconds: int = LEASE_SECONDS) -> Outcome:
    holder = uuid.uuid4().hex
    if not acquire(job.name, holder, lease_seconds=lease_seconds):
        logger.warning("periodic job %s is still running elsewhere: this run is skipped", job.name)
        return Outcome(job.name, "skipped", "上一次运行尚未结束，本次跳过")
    renewer = _Renewer(job.name, holder, lease_seconds)
    renewer.start()
    try:
        func: Callable[[], object] = import_string(job.callable_path)
        result = func()
    except Exception as error:
        logger.exception("periodic job %s failed", job.name)
        outcome = Outcome(job.name, "failed", f"{type(error).__name__}: {error}")
    else:
        outcome = Outcome(job.name, "ok", "" if result is None else str(result))
        logger.info("periodic job %s done: %s", job.name, outcome.message)
    finally:
        renewer.stopped.set()
        renewer.join(timeout=5)
    release(job.name, holder, status=outcome.status, message=outcome.message)
    return outcome


def run(names: list[str] | None = None, *, lease_seconds: int = LEASE_SECONDS) -> list[Outcome]:
    """Run the named jobs now, or (no names) every configured job that is due. Unknown names raise first."""
    jobs = configured()
    unknown = [name for name in names or [] if name not in jobs]
    if unknown:
        raise UnknownPeriodicJob(", ".join(unknown))
    now = timezone.now()
    outcomes = []
    for name, job in jobs.items():
        if names and name not in names:
            continue
        if not names and not job.is_due(PeriodicJobState.objects.filter(name=name).first(), now):
            outcomes.append(Outcome(name, "not_due"))
            continue
        outcomes.append(run_one(job, lease_seconds=lease_seconds))
    return outcomes

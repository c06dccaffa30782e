"""Gunicorn server hooks for Prometheus multiprocess mode; ``gunicorn.conf.py`` imports them::

    from minqing.ops.gunicorn_hooks import child_exit, on_starting  # noqa: F401

They do nothing when ``PROMETHEUS_MULTIPROC_DIR`` is unset. The variable must be in the environment
before gunicorn starts (systemd ``Environment=``), because prometheus_client chooses between in-process
and file-backed values when it is first imported. That is also why this module imports it only inside
the hooks: importing it from ``gunicorn.conf.py`` must not decide that before the variable is read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def multiproc_dir() -> Path | None:
    value = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    return Path(value) if value else None


def on_starting(server: Any) -> None:
    """Master start: create the metrics directory and empty it (files of a previous run would count twice)."""
    directory = multiproc_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """A worker process ended: drop its live gauges (its counters stay, so totals never go backwards)."""
    directory = multiproc_dir()
    if directory is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, str(directory))

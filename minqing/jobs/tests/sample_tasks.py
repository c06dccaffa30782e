"""Module-level tasks for the tests (tasks must be importable by their dotted path)."""

from __future__ import annotations

from minqing.jobs import progress
from minqing.jobs.framework import task
from minqing.jobs.policy import declare


@declare(kind="sample-add", label="加法")
@task
def add(a: int, b: int) -> int:
    progress.current().update(done=1, total=1, message="算完了")
    return a + b


@declare(kind="sample-fragile")
@task
def fragile(id_number: str) -> None:
    """Not retry-safe: fails once, never runs again."""
    raise ValueError(f"bad person {id_number}")


@declare(kind="sample-flaky", retry_safe=True, max_attempts=2, retry_delay=0)
@task
def flaky() -> None:
    raise RuntimeError("boom")


@declare(kind="sample-retry-safe", retry_safe=True, max_attempts=3, retry_delay=0)
@task
def idempotent() -> str:
    return "ok"


def periodic_ok() -> str:
    return "did it"


def periodic_broken() -> None:
    raise RuntimeError("nightly job broke")

"""Which archives to keep: the newest of each of the last N days, N ISO weeks and N months.

The default scheme (7 daily, 4 weekly, 12 monthly) keeps about a year of history in ~23 archives.
An archive kept by one rule counts for that rule only; the union of the three rules is kept, everything
else (with its ``.sha256``) is deleted. Only files named ``minqing-YYYYmmdd-HHMMSS.tar`` are considered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

ARCHIVE_RE = re.compile(r"^minqing-(\d{8}-\d{6})\.tar$")
DEFAULT_KEEP = {"daily": 7, "weekly": 4, "monthly": 12}


def archive_time(name: str) -> datetime | None:
    match = ARCHIVE_RE.match(name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def archives_in(dest: Path) -> list[tuple[datetime, Path]]:
    """The archives in ``dest``, newest first."""
    found = []
    for path in dest.iterdir() if dest.is_dir() else []:
        when = archive_time(path.name)
        if when is not None and path.is_file():
            found.append((when, path))
    return sorted(found, reverse=True)


def _keep_by(
    archives: list[tuple[datetime, Path]], count: int, key: Callable[[datetime], object]
) -> set[Path]:
    kept: set[Path] = set()
    seen: set[object] = set()
    for when, path in archives:  # newest first: the newest archive of each period is kept
        if len(seen) >= count:
            break
        period = key(when)
        if period not in seen:
            seen.add(period)
            kept.add(path)
    return kept


def to_keep(archives: list[tuple[datetime, Path]], daily: int, weekly: int, monthly: int) -> set[Path]:
    return (
        _keep_by(archives, daily, lambda d: d.date())
        | _keep_by(archives, weekly, lambda d: d.isocalendar()[:2])
        | _keep_by(archives, monthly, lambda d: (d.year, d.month))
    )


def prune(dest: Path, daily: int, weekly: int, monthly: int, protect: Iterable[Path] = ()) -> list[Path]:
    """Delete the archives the policy does not keep (never those in ``protect``); returns what went."""
    archives = archives_in(dest)
    keep = to_keep(archives, daily, weekly, monthly) | set(protect)
    deleted = []
    for _when, path in archives:
        if path in keep:
            continue
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".sha256").unlink(missing_ok=True)
        deleted.append(path)
    return deleted

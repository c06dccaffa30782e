"""Helpers for tests that run the real servers (gunicorn, serve_demo) as child processes against the test DB."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url_for_children(tmp_path: Path) -> str:
    """A DATABASE_URL through which another process sees the committed rows of the test database.

    PostgreSQL: the test database itself. SQLite: pytest-django's test database is in memory, which no
    other process can open, so it is copied (schema and committed rows) to a file with SQLite's backup API.
    """
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(settings["USER"] or "", safe="")
        password = quote(settings["PASSWORD"] or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings["HOST"] or "localhost"
        port = settings["PORT"] or "5432"
        return f"postgres://{auth}{host}:{port}/{settings['NAME']}"
    assert connection.vendor == "sqlite"
    target = tmp_path / "served.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()
    return f"sqlite:///{target}"


def child_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a served test app: the test settings (same throwaway key, DEBUG off)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "PYTEST_", "PROMETHEUS_"))}
    env.pop("MINQING_DEMO", None)
    env.update(
        TESTING="1",
        DEBUG="0",
        DATABASE_URL=database_url,
        MINQING_VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="minqing.settings",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 15) -> tuple[int, str]:
    """One GET on a fresh connection (no redirect following: a 302 to the login page must show as 302)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wait_until_up(port: int, process: subprocess.Popen, log: Path, seconds: float = 25) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if get(port, "/healthz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server did not answer /healthz within {seconds} s:\n{log.read_text()}")


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, session id) of a live process, None when it is gone or a zombie."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    state, ppid, _pgrp, session = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    return None if state in {"Z", "X"} else (state, ppid, session)


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, grandchildren, …)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)] = stat[1]
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if _stat(pid) is not None}


def kill_leftovers(pids: set[int]) -> None:
    for pid in alive(pids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

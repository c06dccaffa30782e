"""Serve the demo like production: gunicorn (gunicorn.conf.py) and the tasks worker, stopped together.

``make demo`` runs it last, after migrate, seed_demo and collectstatic, with ``MINQING_DEMO=1``. It is a
small supervisor, not a process manager for real use: production runs the same two programs under
systemd (deploy/minqing-web.service, deploy/minqing-worker.service).

Shutdown: Ctrl+C (SIGINT), SIGTERM or SIGHUP stops both children (SIGTERM, then SIGKILL after a grace
period). The children run in their own session, so a terminal's Ctrl+C reaches only this process and the
children see exactly one SIGTERM; on Linux they also receive SIGTERM if this process dies without
cleaning up (PR_SET_PDEATHSIG), so nothing is left behind. If either child exits, the other is stopped.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.accounts.checks import DEMO_PASSWORD

from ...users import DEMO_USERS

ROOT = Path(settings.BASE_DIR)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 20
STARTUP_SECONDS = 90
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: get SIGTERM when the supervisor dies, even by SIGKILL (Linux only)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:  # the supervisor died before prctl took effect
            os._exit(1)


class Command(BaseCommand):
    help = "Run the demo web server (gunicorn) and the tasks worker together; Ctrl+C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address of the web server")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")

    def handle(self, *args: Any, bind: str, workers: int, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError(
                "serve_demo 只用于演示（MINQING_DEMO=1）；生产环境请用 systemd（见 docs/install.md）。"
            )
        self.stop = threading.Event()
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            code = self._run(bind, workers)
        finally:
            self._stop_children()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if code:
            raise CommandError("演示服务异常退出。", returncode=code)
        self.stdout.write("民情演示已停止。")

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

    def _run(self, bind: str, workers: int) -> int:
        env = dict(os.environ)
        env.update(
            GUNICORN_BIND=bind,
            GUNICORN_WORKERS=str(workers),
            GUNICORN_THREADS=env.get("GUNICORN_THREADS", "2"),
            GUNICORN_GRACEFUL_TIMEOUT=env.get("GUNICORN_GRACEFUL_TIMEOUT", "5"),
            PYTHONUNBUFFERED="1",
        )
        self._start("web", [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")], env)
        self._start("worker", [sys.executable, str(ROOT / "manage.py"), self._worker_command()], env)

        url = f"http://{bind}/"
        if not self._wait_until_up(url + "healthz"):
            return 0 if self.stop.is_set() else 1
        self._print_welcome(url)
        while not self.stop.wait(0.5):
            for name, child in self.children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} 进程意外退出（{child.returncode}），正在停止演示。")
                    return 1
        return 0

    @staticmethod
    def _worker_command() -> str:
        # run_worker (minqing.jobs) is the project's worker; db_worker is django-tasks-db's own loop.
        return "run_worker" if "run_worker" in get_commands() else "db_worker"

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        parent = os.getpid()
        self.children[name] = subprocess.Popen(  # noqa: S603 — our own interpreter and fixed arguments
            command,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            preexec_fn=lambda: _die_with_parent(parent),  # safe: the supervisor starts no threads
        )

    def _wait_until_up(self, url: str) -> bool:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and not self.stop.is_set():
            for name, child in self.children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} 进程未能启动（{child.returncode}）：端口是否已被占用？")
                    return False
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — http on loopback
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            self.stop.wait(0.3)
        if not self.stop.is_set():
            self.stderr.write(f"{STARTUP_SECONDS} 秒内 {url} 没有应答，正在停止演示。")
        return False

    def _print_welcome(self, url: str) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"民情演示已启动：{url}  （gunicorn + 后台任务进程，Ctrl+C 停止）")
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write("  admin       系统管理员 · 全部数据")
        for username, family, given, role, area_code, _department in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {family}{given} · {role.label} · {area_code}")
        self.stdout.flush()

    def _stop_children(self) -> None:
        alive = [child for child in self.children.values() if child.poll() is None]
        for child in alive:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in alive:
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

"""Processes for bench/load.py: a free port, the gunicorn server (start, find master and workers, read their
memory, stop with no orphans). Standard library only.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

USER_AGENT = "minqing-bench-load/1"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

# ------------------------------------------------------------------------------------------ the client


class Client:
    """One simulated user: its own connection and cookies (a logged-in session) and, for the API, a token.

    Requests say ``X-Forwarded-Proto: https`` as the TLS-terminating proxy in front of gunicorn would, so a
    production configuration (``SECURE_SSL_REDIRECT``, secure cookies) answers the pages, not redirects.
    """

    def __init__(self, host: str, port: int, *, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.origin = f"https://{host}:{port}"
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str = "",
        api: bool = False,
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = {"User-Agent": USER_AGENT, "X-Forwarded-Proto": "https"}
        if api:
            headers["Accept"] = "application/json"
            if self.token:
                headers["Authorization"] = f"Token {self.token}"
        else:
            headers["Accept"] = "text/html"
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while idle: reconnect once.
                self.close()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                self.close()
                raise
            if response.will_close:
                self.close()
            if not api:
                self._keep_cookies(response)
            return response.status, data, response
        raise AssertionError("unreachable")

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or ():
            first, _, attributes = header.partition(";")
            name, _, value = first.strip().partition("=")
            attrs = attributes.lower().replace(" ", "")
            if not value.strip('"') or "max-age=0" in attrs or "expires=thu,01jan1970" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def login(self, username: str, password: str) -> None:
        """Log in through the login page (GET for the CSRF token, POST the form); raise on failure."""
        status, page, _ = self.request("GET", "/accounts/login/")
        match = CSRF_INPUT.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"login page of {username}: HTTP {status}, no CSRF token")
        form = {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": match.group(1).decode(),
            "next": "/",
        }
        status, _, response = self.request(
            "POST",
            "/accounts/login/",
            body=urlencode(form).encode(),
            content_type="application/x-www-form-urlencoded",
        )
        location = response.getheader("Location") or ""
        if status != 302 or "/accounts/login/" in location or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: HTTP {status} -> {location or 'no redirect'}")

    def fetch_token(self, username: str, password: str) -> str:
        body = json.dumps({"username": username, "password": password}).encode()
        status, data, _ = self.request(
            "POST", "/api/v1/auth/token/", body=body, content_type="application/json", api=True
        )
        if status != 200:
            raise RuntimeError(f"API token of {username}: HTTP {status} {data[:200]!r}")
        return json.loads(data)["token"]


# ------------------------------------------------------------------------------- processes and memory


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int | None:
    """VmRSS of a process from /proc/<pid>/status, in KiB (None when it is gone or unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":
        return None
    return int(fields[1])


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def children(pid: int) -> list[int]:
    """Live direct children of ``pid`` (gunicorn's workers are children of its master)."""
    return sorted(p for p in _pids() if _ppid(p) == pid)


def listening_master(port: int) -> int | None:
    """The process that owns the listening socket on ``port`` and whose parent does not (the master)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{cols[9]}]")
    holders = set()
    for pid in _pids():
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    holders.add(pid)
                    break
            except OSError:
                continue
    masters = [p for p in holders if _ppid(p) not in holders]
    return masters[0] if len(masters) == 1 else None


@dataclass(frozen=True)
class Memory:
    at: float
    master: tuple[int, int | None]
    workers: tuple[tuple[int, int | None], ...]

    @property
    def total_kib(self) -> int:
        return sum(kib or 0 for _, kib in (self.master, *self.workers))


def memory_of(master: int) -> Memory:
    return Memory(
        at=time.monotonic(),
        master=(master, rss_kib(master)),
        workers=tuple((pid, rss_kib(pid)) for pid in children(master)),
    )


class Gunicorn:
    """gunicorn started by us on a free loopback port; ``stop()`` leaves no process behind."""

    def __init__(self, root: Path, python: Path, env: dict[str, str], workers: int | None, log: Path) -> None:
        self.port = free_port()
        gunicorn = python.parent / "gunicorn"
        conf = root / "gunicorn.conf.py"
        self.command = [str(gunicorn)]
        if conf.exists():
            self.command += ["-c", str(conf)]
        elif workers is None:
            workers = 2 * (os.cpu_count() or 1) + 1
        self.command += ["--bind", f"127.0.0.1:{self.port}"]
        if workers is not None:
            self.command += ["--workers", str(workers)]
        self.command += ["minqing.wsgi"]
        self.root, self.python, self.env, self.log = root, python, env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.seen: set[int] = set()

    def start(self, ready_timeout: float = 90.0) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # DEBUG=0 serves static files through the manifest: collect them (incremental) into our var dir.
        subprocess.run(  # noqa: S603 (a fixed argv, no shell)
            [str(self.python), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=self.root,
            env=self.env,
            check=True,
        )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (a fixed argv, no shell)
                self.command,
                cwd=self.root,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: Ctrl+C reaches us, and we stop it
            )
        deadline = time.monotonic() + ready_timeout
        probe = Client("127.0.0.1", self.port, timeout=10)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _, _ = probe.request("GET", "/healthz")
                if status == 200:
                    self.remember()
                    return
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz in {ready_timeout:.0f} s:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def remember(self) -> None:
        """Note the current workers, to check after the stop that none of them is left."""
        if self.process is not None:
            self.seen.update(children(self.process.pid))

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 40.0) -> list[int]:
        """SIGTERM the master (graceful), SIGKILL our process group if it lingers; returns pids left alive."""
        if self.process is None:
            return []
        self.remember()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        deadline = time.monotonic() + 10
        left = [p for p in self.seen if _ppid(p) is not None]
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = [p for p in self.seen if _ppid(p) is not None]
        if left:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            time.sleep(0.5)
            left = [p for p in self.seen if _ppid(p) is not None]
        self.process = None
        return left

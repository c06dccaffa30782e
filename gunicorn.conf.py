"""Gunicorn settings for Minqing: production (deploy/minqing-web.service), `make demo` and the server test.

Run from the repository root: ``.venv/bin/gunicorn -c gunicorn.conf.py minqing.wsgi:application``.
Everything a county may need to change is read from the environment (deploy/minqing.env.example);
options given on the command line override this file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # the hooks below live in the project; gunicorn may start from elsewhere
    sys.path.insert(0, str(ROOT))

# Prometheus multiprocess mode (docs/operations.md): `on_starting` empties PROMETHEUS_MULTIPROC_DIR when the
# master starts, `child_exit` marks a finished worker's live gauges dead. Both do nothing when the variable
# is unset, and the module imports prometheus_client only inside them (it must see the variable first).
from minqing.ops.gunicorn_hooks import child_exit, on_starting  # noqa: E402, F401


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Only nginx on the same machine talks to gunicorn: listen on loopback, never on the county network.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
chdir = str(ROOT)
wsgi_app = "minqing.wsgi:application"
proc_name = "minqing-web"

# Processes: the classic 2 × cores + 1, capped, because each worker holds its own copy of Django (~100 MB)
# and, with threads, up to `threads` PostgreSQL connections (9 × 4 = 36 stays well under max_connections=100,
# leaving room for the tasks worker, backups and psql).
workers = _int("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, _int("GUNICORN_MAX_WORKERS", 9)))
# Threads: a request mostly waits on the database, so a few threads per process serve more at once for
# little memory. The code keeps no per-request state in globals (contextvars in core/middleware.py).
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes a minute is stuck (large exports run in the background worker): kill and restart it.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On `systemctl stop|restart` (SIGTERM) running requests get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps upstream connections short-lived; a few seconds is enough to reuse one.
keepalive = 5
# Recycle each worker after about ten thousand requests, with jitter so that they do not all restart at
# once: a slow leak (a C extension, an unbounded cache) cannot grow for the years a county runs the server.
# Not much sooner: a restart costs a second of CPU and cold caches, and at 150 req/s a limit of 1,000
# restarted some worker every 7 seconds.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# The heartbeat file of each worker: in memory when possible (a slow disk must not look like a hung worker).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 — gunicorn's documented choice

# Preloading is OFF on purpose. With preload_app the master imports Django once and forks the workers
# (less memory, faster start), but then `systemctl reload minqing-web` (SIGHUP) keeps serving the OLD code
# after an upgrade, and anything opened at import time (a database or Redis connection, a metrics file)
# would be shared by every forked worker. Without it each worker imports the code itself: after an
# upgrade a reload starts workers on the new code with no dropped request, at the cost of ~1 s per worker
# start and some memory, which a county server has.
preload_app = False

# No control socket (gunicorn ≥ 25): systemd manages the service, and the default path ($HOME/.gunicorn)
# is read-only under ProtectSystem=strict and shared by every gunicorn of the same user.
control_socket_disable = True

# Logging: errors and gunicorn's own messages to stderr (journald). No access log: the application logs
# one JSON line per request itself, with the user and the timing, so a second line per request is noise.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = True

# X-Forwarded-For / X-Forwarded-Proto are trusted only from the local nginx (SECURE_PROXY_SSL_HEADER and
# the audit IP in core/middleware.py rely on them).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Refuse absurd request lines and headers before Django sees them (nginx limits the body).
limit_request_line = 8190
limit_request_fields = 100

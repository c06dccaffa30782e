"""Prometheus metrics: django-prometheus's request metrics plus task-queue and worker gauges.

The gauges are read from the database at scrape time (``TaskCollector``), so they are the same whichever
gunicorn process answers. The request counters and histograms live in each process; with several
processes, set ``PROMETHEUS_MULTIPROC_DIR`` (see docs/operations.md) and every scrape adds them up
from the files the processes write there.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from minqing.jobs import selectors as jobs

logger = logging.getLogger(__name__)


class TaskCollector(Collector):
    """Queue depth and age, running and failed tasks, live workers: one database read per scrape."""

    def collect(self) -> Iterator[Metric]:
        up = 1
        try:
            queue = jobs.queue_summary()
            workers = jobs.worker_summary(max_age_seconds=settings.READYZ_WORKER_MAX_AGE_SECONDS)
        except Exception as error:  # the scrape still answers, with the request metrics and this flag
            logger.warning("task metrics unavailable: %s", error.__class__.__name__)
            up = 0
        yield GaugeMetricFamily(
            "minqing_task_metrics_up", "1 when the task queue and worker figures could be read.", value=up
        )
        if not up:
            return
        yield GaugeMetricFamily("minqing_tasks_ready", "Tasks waiting for a worker.", value=queue["ready"])
        yield GaugeMetricFamily("minqing_tasks_running", "Tasks being run.", value=queue["running"])
        yield GaugeMetricFamily(
            "minqing_tasks_failed_last_day",
            "Tasks that failed in the last 24 hours.",
            value=queue["failed_last_day"],
        )
        yield GaugeMetricFamily(
            "minqing_tasks_oldest_ready_age_seconds",
            "Age of the oldest task waiting for a worker (0 when none waits).",
            value=queue["oldest_ready_age_seconds"] or 0.0,
        )
        yield GaugeMetricFamily(
            "minqing_workers_live", "Task workers with a recent heartbeat.", value=workers["live"]
        )


class _ProcessRegistry(Collector):
    """The default registry of this process, as one collector of the per-scrape registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape() -> bytes:
    """The exposition text: request metrics (all processes in multiprocess mode) and the task gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessRegistry())
    registry.register(TaskCollector())
    return generate_latest(registry)


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_IPS]


def may_scrape(request: HttpRequest) -> bool:
    """A valid ``Authorization: Bearer <METRICS_TOKEN>``, or a direct connection from an allowed address.

    The address is the socket's (``REMOTE_ADDR``), never a forwarded header. A request that came through
    a proxy (it carries ``X-Forwarded-For``) arrives from the proxy's address, often 127.0.0.1, so the
    address list does not apply to it: through the proxy only the token opens ``/metrics``.
    """
    token: str = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        return hmac.compare_digest(given.removeprefix("Bearer ").strip().encode(), token.encode())
    if "X-Forwarded-For" in request.headers or "X-Real-IP" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket reports 127.0.0.1 as ::ffff:127.0.0.1
    return any(address in network for network in _networks())

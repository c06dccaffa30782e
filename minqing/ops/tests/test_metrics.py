"""/metrics: only for allowed addresses or the bearer token, request metrics plus task gauges, all processes."""

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from minqing.jobs import selectors
from minqing.ops import gunicorn_hooks

TOKEN = "scrape-token-0123456789abcdef"


@pytest.fixture
def jobs_figures(monkeypatch, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1"]
    settings.METRICS_TOKEN = TOKEN
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setattr(
        selectors,
        "queue_summary",
        lambda: {"ready": 4, "running": 1, "failed_last_day": 2, "oldest_ready_age_seconds": 75.5},
    )
    monkeypatch.setattr(
        selectors, "worker_summary", lambda *, max_age_seconds=120: {"live": 3, "newest_seen_at": None}
    )


def scrape(client, **extra):
    return client.get(reverse("ops:metrics"), **extra)


def samples(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
        if not sample.labels
    }


@pytest.mark.parametrize(
    ("remote", "headers"),
    [
        ("10.1.2.3", {}),
        ("192.168.0.9", {"Authorization": "Bearer wrong-token"}),
        ("10.1.2.3", {"Authorization": f"Basic {TOKEN}"}),
        # Through a reverse proxy the socket address is the proxy's: the address list does not apply.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}),
        ("127.0.0.1", {"X-Real-IP": "127.0.0.1"}),
        ("127.0.0.1", {"Authorization": "Bearer wrong-token"}),
        ("not-an-address", {}),
    ],
)
def test_not_found_for_anyone_else(client, db, jobs_figures, remote, headers):
    response = scrape(client, REMOTE_ADDR=remote, headers=headers)
    assert response.status_code == 404
    assert b"minqing_" not in response.content


def test_allowed_address(client, db, jobs_figures):
    assert scrape(client).status_code == 200  # the test client's 127.0.0.1
    assert scrape(client, REMOTE_ADDR="::1").status_code == 200
    assert scrape(client, REMOTE_ADDR="::ffff:127.0.0.1").status_code == 200


def test_allowed_network(client, db, jobs_figures, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16"]
    assert scrape(client, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert scrape(client, REMOTE_ADDR="10.21.3.4").status_code == 404
    assert scrape(client).status_code == 404


def test_bearer_token_from_anywhere(client, db, jobs_figures, settings):
    headers = {"Authorization": f"Bearer {TOKEN}", "X-Forwarded-For": "203.0.113.7"}
    assert scrape(client, REMOTE_ADDR="10.1.2.3", headers=headers).status_code == 200
    settings.METRICS_TOKEN = ""  # no token configured: a bearer header opens nothing
    assert scrape(client, REMOTE_ADDR="10.1.2.3", headers=headers).status_code == 404


def test_task_gauges_and_request_metrics(client, db, jobs_figures):
    client.get(reverse("healthz"))
    response = scrape(client)
    assert "no-cache" in response["Cache-Control"]
    values = samples(response)
    assert values["minqing_task_metrics_up"] == 1
    assert values["minqing_tasks_ready"] == 4
    assert values["minqing_tasks_running"] == 1
    assert values["minqing_tasks_failed_last_day"] == 2
    assert values["minqing_tasks_oldest_ready_age_seconds"] == 75.5
    assert values["minqing_workers_live"] == 3
    assert values["django_http_requests_before_middlewares_total"] >= 1
    text = response.content.decode()
    assert (
        'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="healthz"}'
        in text
    )


def test_gauges_follow_the_figures_at_each_scrape(client, db, jobs_figures, monkeypatch):
    monkeypatch.setattr(
        selectors,
        "queue_summary",
        lambda: {"ready": 0, "running": 0, "failed_last_day": 0, "oldest_ready_age_seconds": None},
    )
    values = samples(scrape(client))
    assert values["minqing_tasks_ready"] == 0
    assert values["minqing_tasks_oldest_ready_age_seconds"] == 0


def test_scrape_answers_when_the_figures_cannot_be_read(client, db, jobs_figures, monkeypatch):
    def broken():
        raise RuntimeError("no database")

    monkeypatch.setattr(selectors, "queue_summary", broken)
    values = samples(scrape(client))
    assert values["minqing_task_metrics_up"] == 0
    assert "minqing_tasks_ready" not in values


def test_real_selectors(client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    values = samples(scrape(client))
    assert values["minqing_task_metrics_up"] == 1
    assert values["minqing_workers_live"] == 0
    assert values["minqing_tasks_ready"] == 0


WRITER = """
from prometheus_client import Counter, Gauge
Counter("minqing_test_jobs", "test counter").inc(5)
Gauge("minqing_test_inflight", "test gauge", multiprocess_mode="livesum").set(1)
"""


def write_from_another_process(directory):
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    command = [sys.executable, "-c", WRITER]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    return result


def test_multiprocess_mode_adds_up_every_process(client, db, jobs_figures, monkeypatch, tmp_path):
    write_from_another_process(tmp_path)
    write_from_another_process(tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    values = samples(scrape(client))
    assert values["minqing_test_jobs_total"] == 10
    assert values["minqing_test_inflight"] == 2
    assert values["minqing_workers_live"] == 3  # the task gauges are read at scrape time in any mode


def test_gunicorn_hooks_clean_up_dead_workers(monkeypatch, tmp_path):
    directory = tmp_path / "prometheus"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    gunicorn_hooks.on_starting(server=None)
    assert directory.is_dir()
    for name in ("counter_4242.db", "gauge_livesum_4242.db", "gauge_livesum_4343.db"):
        (directory / name).write_bytes(b"")
    gunicorn_hooks.child_exit(server=None, worker=SimpleNamespace(pid=4242))
    assert sorted(p.name for p in directory.iterdir()) == ["counter_4242.db", "gauge_livesum_4343.db"]
    gunicorn_hooks.on_starting(server=None)  # a new start forgets the previous run
    assert list(directory.iterdir()) == []


def test_gunicorn_hooks_do_nothing_without_multiprocess_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    gunicorn_hooks.on_starting(server=None)
    gunicorn_hooks.child_exit(server=None, worker=SimpleNamespace(pid=1))

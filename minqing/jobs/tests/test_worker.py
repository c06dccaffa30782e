"""The database backend and the worker: selectors, heartbeats, lost tasks, retries, failures, progress."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from minqing.core.models import AuditEvent
from minqing.jobs import progress, selectors, services
from minqing.jobs.models import TaskProgress, WorkerHeartbeat
from minqing.jobs.tests import sample_tasks
from minqing.jobs.tests.fixtures import make_worker

pytestmark = pytest.mark.usefixtures("database_tasks")


def stale_beat(worker_id: str, *, minutes: int = 10) -> WorkerHeartbeat:
    seen = timezone.now() - datetime.timedelta(minutes=minutes)
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="h", pid=1, started_at=seen, seen_at=seen
    )


def running(task, *args, worker: str) -> DBTaskResult:
    result = services.enqueue(task, args=args, area_path="520622102211")
    db_result = DBTaskResult.objects.get(pk=result.id)
    db_result.claim(worker)
    return db_result


def test_selectors_have_the_agreed_shape_and_values(db):
    assert selectors.worker_summary() == {"live": 0, "newest_seen_at": None}
    assert selectors.queue_summary() == {
        "ready": 0,
        "running": 0,
        "failed_last_day": 0,
        "oldest_ready_age_seconds": None,
    }
    sample_tasks.add.enqueue(1, 2)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(seconds=90))
    sample_tasks.add.enqueue(3, 4)
    running(sample_tasks.add, 5, 6, worker="w1")
    DBTaskResult.objects.create(
        task_path="x.y",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        status="FAILED",
        finished_at=timezone.now(),
    )
    queue = selectors.queue_summary()
    assert (queue["ready"], queue["running"], queue["failed_last_day"]) == (2, 1, 1)
    assert 89 <= queue["oldest_ready_age_seconds"] < 120
    stale_beat("old", minutes=5)
    services.heartbeat_start(worker_id="new", queues="default")
    workers = selectors.worker_summary(max_age_seconds=120)
    assert workers["live"] == 1 and workers["newest_seen_at"] == WorkerHeartbeat.objects.get(pk="new").seen_at
    assert selectors.worker_summary(max_age_seconds=3600)["live"] == 2


def test_worker_runs_tasks_beats_and_reports_progress(db):
    result = services.enqueue(sample_tasks.add, args=(2, 3), area_path="520622102211")
    row = TaskProgress.objects.get(task_id=result.id)
    assert (row.status, row.kind, row.area_path) == ("READY", "sample-add", "520622102211")
    make_worker("w-progress").run()
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value == 5
    row.refresh_from_db()
    assert (row.status, row.done, row.total, row.message, row.attempts) == ("SUCCESSFUL", 1, 1, "算完了", 1)
    assert row.started_at and row.finished_at and row.duration_seconds is not None
    beat = WorkerHeartbeat.objects.get(pk="w-progress")
    assert beat.stopped_at is not None and beat.current_task_id == "" and beat.pid > 0
    assert selectors.worker_summary()["live"] == 0  # stopped workers are not live


def test_run_worker_command_has_db_worker_options_and_a_heartbeat(db, keep_signals):
    result = sample_tasks.add.enqueue(1, 1)
    call_command(
        "run_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--worker-id",
        "cmd-1",
        "--heartbeat",
        "1",
    )
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.worker_ids == ["cmd-1"]
    assert WorkerHeartbeat.objects.filter(pk="cmd-1", stopped_at__isnull=False).exists()


def test_a_task_that_raises_is_failed_with_a_safe_error_and_not_retried(db):
    result = services.enqueue(sample_tasks.fragile, args=("520622197001011234",), area_path="520622102211")
    make_worker().run()
    db_result = DBTaskResult.objects.get(pk=result.id)
    assert db_result.status == "FAILED" and db_result.worker_ids == ["test-worker"]
    assert "ValueError" in db_result.traceback
    row = TaskProgress.objects.get(task_id=result.id)
    assert row.status == "FAILED" and row.error == "ValueError: bad person ***"


def test_a_retry_safe_task_is_retried_up_to_max_attempts(db):
    result = sample_tasks.flaky.enqueue()
    make_worker().run()  # batch: the retry (no delay) runs in the same pass
    db_result = DBTaskResult.objects.get(pk=result.id)
    assert db_result.status == "FAILED" and db_result.worker_ids == ["test-worker", "test-worker"]
    row = TaskProgress.objects.get(task_id=result.id)
    assert row.attempts == 2 and row.error == "RuntimeError: boom"


def test_lost_worker_fails_unsafe_tasks_and_requeues_safe_ones(db):
    stale_beat("dead")
    services.heartbeat_start(worker_id="alive", queues="default")
    unsafe = running(sample_tasks.fragile, "x", worker="dead")
    safe = running(sample_tasks.idempotent, worker="dead")
    never_beat = running(sample_tasks.fragile, "y", worker="ghost")
    busy = running(sample_tasks.fragile, "z", worker="alive")
    waiting = sample_tasks.fragile.enqueue("w")  # waited a week in the queue: never judged by that
    DBTaskResult.objects.filter(pk=waiting.id).update(enqueued_at=timezone.now() - datetime.timedelta(days=7))

    outcome = services.reap_stale(stale_seconds=120)

    assert sorted(outcome["failed"]) == sorted([str(unsafe.pk), str(never_beat.pk)])
    assert outcome["requeued"] == [str(safe.pk)]
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[unsafe.pk] == status[never_beat.pk] == "FAILED"
    assert status[safe.pk] == "READY" and status[busy.pk] == "RUNNING"
    assert str(status[DBTaskResult.objects.get(pk=waiting.id).pk]) == "READY"
    lost = TaskProgress.objects.get(task_id=str(unsafe.pk))
    assert lost.status == "FAILED" and lost.error.startswith("WorkerLost")
    assert TaskProgress.objects.get(task_id=str(safe.pk)).status == "READY"
    assert AuditEvent.objects.filter(verb="task.lost").count() == 2
    assert AuditEvent.objects.filter(verb="task.requeued", area_path="520622102211").count() == 1
    # The re-enqueued task runs again on the next worker, which reaps on start too.
    make_worker("next").run()
    assert DBTaskResult.objects.get(pk=safe.pk).worker_ids == ["dead", "next"]
    assert DBTaskResult.objects.get(pk=safe.pk).status == "SUCCESSFUL"


def test_a_safe_task_lost_too_often_is_failed(db):
    stale_beat("dead")
    lost = running(sample_tasks.idempotent, worker="w1")
    DBTaskResult.objects.filter(pk=lost.pk).update(worker_ids=["w1", "w2", "dead"])
    assert services.reap_stale() == {"requeued": [], "failed": [str(lost.pk)]}


def test_progress_is_throttled(db):
    result = services.enqueue(sample_tasks.idempotent)
    reporter = progress.Progress(result.id, every_seconds=60)
    assert reporter.update(done=1, total=100) is True
    assert reporter.update(done=2, total=100) is False  # within the minute
    assert reporter.update(done=3, total=100, message="第二步") is True  # a new message is worth a write
    assert reporter.update(done=100, total=100) is True  # the end is always written
    row = TaskProgress.objects.get(task_id=result.id)
    assert (row.done, row.total, row.message, row.percent) == (100, 100, "第二步", 100)
    assert progress.current().update(done=1) is False  # outside a task: a no-op


def test_prune_keeps_recent_and_unfinished_tasks(db):
    old = sample_tasks.idempotent.enqueue()
    make_worker().run()
    recent = sample_tasks.idempotent.enqueue()
    long_ago = timezone.now() - datetime.timedelta(days=40)
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=long_ago)
    TaskProgress.objects.filter(task_id=old.id).update(enqueued_at=long_ago)
    assert services.tasks_prune().startswith("1 task results, 1 progress rows")
    assert list(DBTaskResult.objects.values_list("pk", flat=True)) == [
        DBTaskResult.objects.get(pk=recent.id).pk
    ]

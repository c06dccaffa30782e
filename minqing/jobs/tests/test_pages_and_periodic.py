"""The jobs page per role, and ``run_periodic``: due jobs, overlapping runs, failures, unknown names."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.jobs import periodic, services
from minqing.jobs.models import PeriodicJobState, TaskProgress
from minqing.jobs.tests import sample_tasks
from minqing.jobs.tests.fixtures import make_worker

URL = "/jobs/"


@pytest.fixture
def failed_task(users, database_tasks):
    """A task of village V's cadre that raised, run by the real worker."""
    result = services.enqueue(
        sample_tasks.fragile, args=("13800001111",), requested_by=users.inside, area_path="520622102211"
    )
    make_worker().run()
    return TaskProgress.objects.get(task_id=result.id)


def test_route_is_jobs_list():
    assert reverse("jobs:list") == URL


def test_data_admin_in_scope_sees_the_failed_task_and_its_safe_error(client, users, failed_task):
    client.force_login(users.data_admin)  # data admin of township T, which holds village V
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "后台任务" in body and "失败" in body and "ValueError: bad person ***" in body
    assert "13800001111" not in body and "Traceback" not in body
    assert users.inside.username in body or users.inside.get_full_name() in body
    assert response.headers["Cache-Control"].startswith("max-age=0")
    fragment = client.get(URL + "?status=FAILED", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "bad person" in fragment.content.decode()
    assert "bad person" not in client.get(URL + "?status=SUCCESSFUL").content.decode()


def test_data_admin_of_another_area_gets_an_empty_list(client, tree, failed_task):
    other = assign(UserFactory(username="keeper-u"), Role.DATA_ADMIN, tree.u)
    client.force_login(other)
    response = client.get(URL)
    assert response.status_code == 200
    assert "bad person" not in response.content.decode() and "没有后台任务" in response.content.decode()


@pytest.mark.parametrize("who", ["inside", "above", "county", "supervisor", "grid", "nobody"])
def test_users_without_the_manage_right_get_403(client, users, failed_task, who):
    client.force_login(getattr(users, who))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client, failed_task):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_superuser_sees_system_tasks_too(client, users, failed_task, database_tasks):
    system = sample_tasks.idempotent.enqueue()  # no requester, no area
    client.force_login(users.admin)
    body = client.get(URL).content.decode()
    assert "bad person" in body and "系统" in body and "sample-retry-safe" in body
    client.force_login(users.data_admin)
    assert TaskProgress.objects.filter(task_id=system.id).exists()
    assert "sample-retry-safe" not in client.get(URL).content.decode()


def test_nav_links_the_page_for_managers_only(client, users):
    client.force_login(users.data_admin)
    assert 'href="/jobs/"' in client.get(reverse("home:index")).content.decode()
    client.force_login(users.inside)
    assert 'href="/jobs/"' not in client.get(reverse("home:index")).content.decode()


def test_page_is_paginated(client, users, db):
    for _ in range(51):
        TaskProgress.objects.create(task_id=f"t{_:03}", kind="bulk", area_path="520622102211")
    client.force_login(users.data_admin)
    first = client.get(URL).content.decode()
    assert first.count('<td data-label="类型">bulk</td>') == 50 and "page=2" in first
    assert client.get(URL + "?page=2").content.decode().count('<td data-label="类型">bulk</td>') == 1


# run_periodic


@pytest.fixture
def jobs_setting(settings):
    settings.PERIODIC_JOBS = {
        "ok": {"callable": "minqing.jobs.tests.sample_tasks.periodic_ok", "schedule": {"every_minutes": 60}},
        "broken": {
            "callable": "minqing.jobs.tests.sample_tasks.periodic_broken",
            "schedule": {"daily": "02:00"},
        },
    }
    return settings


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("run_periodic", *args, stdout=out)
    return out.getvalue()


def test_named_job_runs_now_and_records_its_outcome(db, jobs_setting):
    assert "ok: ok — did it" in run("ok")
    state = PeriodicJobState.objects.get(name="ok")
    assert state.last_status == "ok" and state.last_message == "did it" and state.locked_until is None
    assert state.last_started_at <= state.last_finished_at


def test_second_run_while_the_first_holds_the_lease_is_skipped(db, jobs_setting, caplog):
    assert periodic.acquire("ok", "first-run")  # the first run is still going
    assert not periodic.acquire("ok", "second-run")
    assert "ok: skipped" in run("ok")
    assert "still running elsewhere" in caplog.text
    state = PeriodicJobState.objects.get(name="ok")
    assert state.locked_by == "first-run" and state.last_status == ""
    periodic.release("ok", "first-run", status="ok", message="")
    assert "ok: ok" in run("ok")


def test_an_expired_lease_of_a_crashed_run_is_taken_over(db, jobs_setting):
    assert periodic.acquire("ok", "crashed", lease_seconds=60)
    PeriodicJobState.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))
    assert "ok: ok" in run("ok")


def test_only_due_jobs_run_without_names(db, jobs_setting):
    with pytest.raises(CommandError) as error:  # both are due on the first run; "broken" fails
        run()
    assert error.value.returncode == 1 and "broken" in str(error.value)
    assert PeriodicJobState.objects.get(name="broken").last_message.startswith(
        "RuntimeError: nightly job broke"
    )
    out = run("-v", "2")  # an hour has not passed, and today's 02:00 run is done
    assert "ok: not_due" in out and "broken: not_due" in out


def test_schedules():
    now = timezone.make_aware(datetime.datetime(2025, 3, 2, 3, 0))
    daily = periodic.PeriodicJob("d", "x.y", {"daily": "02:00"})
    state = PeriodicJobState(name="d", last_started_at=now - datetime.timedelta(hours=2))
    assert daily.is_due(None, now) and daily.is_due(state, now)  # last ran before today's 02:00
    state.last_started_at = now - datetime.timedelta(minutes=30)
    assert not daily.is_due(state, now)
    hourly = periodic.PeriodicJob("h", "x.y", {"every_minutes": 60})
    assert not hourly.is_due(state, now)
    state.last_started_at = now - datetime.timedelta(minutes=61)
    assert hourly.is_due(state, now)


def test_unknown_name_is_a_clear_error_with_exit_status_2(db, jobs_setting):
    with pytest.raises(CommandError) as error:
        run("ok", "nightly_magic")
    assert error.value.returncode == 2
    assert "unknown periodic job: nightly_magic" in str(error.value) and "known: ok, broken" in str(
        error.value
    )
    assert not PeriodicJobState.objects.exists()  # nothing ran


def test_refresh_tags_is_the_configured_nightly_job(db, records):
    assert periodic.configured()["refresh_tags"].schedule == {"daily": "02:00"}
    assert "refresh_tags: ok — catalog +" in run("refresh_tags")
    assert "refresh_tags\t{'daily': '02:00'}" in run("--list")

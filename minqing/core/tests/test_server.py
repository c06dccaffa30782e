"""The real servers: gunicorn with gunicorn.conf.py under concurrent load, and the demo supervisor's shutdown.

Both run as child processes on a free loopback port against the test database (its committed rows: the
tests are transactional), and both must stop cleanly, leaving no process behind.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

from .serving import (
    ROOT,
    alive,
    child_env,
    database_url_for_children,
    descendants,
    free_port,
    get,
    kill_leftovers,
    wait_until_up,
)

pytestmark = [
    pytest.mark.server,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find leftover processes"),
]

THREADS = 20
REQUESTS_PER_THREAD = 10


@pytest.fixture
def served_data(tree, users, client):
    """Households inside the user's village V and in the sibling village W, committed for other processes."""
    inside = [
        HouseholdFactory(number=f"52062210221100{i:02d}", area=tree.v1, grid=tree.vg1, head_name=f"龙内{i}")
        for i in range(6)
    ]
    outside = [
        HouseholdFactory(number=f"52062210221200{i:02d}", area=tree.w1, grid=tree.wg1, head_name=f"杨邻{i}")
        for i in range(4)
    ]
    for household in inside + outside:
        PersonFactory(household=household, name=household.head_name)
    client.force_login(users.inside)
    return {
        "inside": inside,
        "outside": outside,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "token": Token.objects.create(user=users.inside).key,
    }


@pytest.fixture
def gunicorn(tmp_path, served_data):
    """gunicorn -c gunicorn.conf.py with 3 workers on a free port; stopped with SIGTERM (graceful) after."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = child_env(
        tmp_path, database_url_for_children(tmp_path), GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="3"
    )
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    spawned: set[int] = set()
    try:
        wait_until_up(port, process, log)
        spawned = descendants(process.pid)
        yield port, process, spawned, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            kill_leftovers(spawned | descendants(process.pid) | {process.pid})


def test_gunicorn_serves_concurrent_scoped_requests_and_stops_cleanly(gunicorn, served_data):
    port, process, workers, log = gunicorn
    assert len(workers) == 3, log.read_text()
    session = {"Cookie": served_data["cookie"]}
    token = {"Authorization": f"Token {served_data['token']}", "Accept": "application/json"}
    inside_numbers = {h.number for h in served_data["inside"]}
    outside_numbers = {h.number for h in served_data["outside"]}
    own = served_data["inside"][0]
    other = served_data["outside"][0]

    def one(i: int) -> list[str]:
        problems = []
        kind = i % 4
        if kind == 0:
            status, body = get(port, "/households/", session)
            if (
                status != 200
                or not inside_numbers <= set(_numbers(body))
                or outside_numbers & set(_numbers(body))
            ):
                problems.append(f"household list: {status}")
        elif kind == 1:
            status, body = get(port, f"/households/{own.pk}/", session)
            if status != 200 or own.number not in body:
                problems.append(f"household page: {status}")
        elif kind == 2:
            status, body = get(port, "/api/v1/households/?page_size=100", token)
            numbers = {row["number"] for row in json.loads(body)["results"]} if status == 200 else set()
            if status != 200 or numbers != inside_numbers:
                problems.append(f"API list: {status} {sorted(numbers)}")
        else:
            status, _ = get(port, f"/households/{other.pk}/", session)
            if status != 404:  # another village's household is not found, exactly like a missing one
                problems.append(f"out-of-scope household page: {status}")
        return problems

    def thread(t: int) -> list[str]:
        return [p for r in range(REQUESTS_PER_THREAD) for p in one(t * REQUESTS_PER_THREAD + r + t)]

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        problems = [p for result in pool.map(thread, range(THREADS)) for p in result]
    elapsed = time.monotonic() - started
    assert not problems, (
        f"{len(problems)} of {THREADS * REQUESTS_PER_THREAD} answers wrong ({elapsed:.1f} s), e.g. {problems[:5]}\n"
        + log.read_text()[-3000:]
    )

    # DEBUG is off: an unknown address answers the project's own Chinese 404 page, never a URL list.
    status, body = get(port, "/no-such-page/", session)
    assert status == 404
    assert "未找到该页面或记录" in body and "URLconf" not in body and "urlpatterns" not in body

    # Graceful stop: SIGTERM to the master, every worker ends with it, exit code 0.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text()
    assert not alive(workers | {process.pid}), "gunicorn left processes behind"


def _numbers(body: str) -> list[str]:
    return re.findall(r"\b52062210221[12]00\d\d\b", body)


def test_demo_supervisor_stops_gunicorn_and_worker_on_ctrl_c(tmp_path, served_data):
    """``manage.py serve_demo`` (make demo's last step): up with both children, Ctrl+C stops everything."""
    port = free_port()
    log = tmp_path / "serve_demo.log"
    env = child_env(tmp_path, database_url_for_children(tmp_path), MINQING_DEMO="1", TESTING="0")
    with log.open("wb") as out:
        supervisor = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "serve_demo", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like the terminal's foreground group of make
        )
    tree: set[int] = set()
    try:
        deadline = time.monotonic() + 40
        while "民情演示已启动" not in log.read_text() and time.monotonic() < deadline:
            assert supervisor.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "民情演示已启动" in log.read_text(), log.read_text()
        assert "Minqing#2026" in log.read_text()  # the logins are printed
        assert (
            get(port, "/healthz")[0] == 200
        )  # pages need collected static files: the test above serves them
        tree = descendants(supervisor.pid)
        commands = {cmdline(pid) for pid in tree}
        assert any("gunicorn" in c for c in commands), commands
        assert any("run_worker" in c or "db_worker" in c for c in commands), commands

        os.killpg(supervisor.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
        assert supervisor.wait(timeout=40) == 0, log.read_text()
        time.sleep(0.5)
        assert not alive(tree), f"left behind: {alive(tree)}\n{log.read_text()}"
        assert "民情演示已停止" in log.read_text()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
        kill_leftovers(tree | descendants(supervisor.pid))


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as raw:
            return raw.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""

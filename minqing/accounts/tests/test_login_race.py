"""The lockout under parallel attack: each thread has its own database connection (PostgreSQL only).

Alone in its module because a transactional test makes the module build its users per test.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from minqing.accounts.models import LoginAttempt, User

from .factories import UserFactory

THREADS = 20

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def attack(username: str, *, threads: int = THREADS) -> list[int]:
    """``threads`` clients post a wrong password for ``username`` at the same moment."""
    barrier = threading.Barrier(threads)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            client = Client()
            barrier.wait()
            response = client.post(
                reverse("accounts:login"), {"username": username, "password": "wrong-password"}
            )
            statuses.append(response.status_code)
        except BaseException as error:  # re-raised in the test thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    return statuses


@pytest.mark.parametrize("username", ["inside", "ghost"])
def test_parallel_wrong_passwords_are_checked_exactly_the_limit(hasher, username):
    if username == "inside":
        UserFactory(username="inside")
    hasher.runs = 0
    hasher.delay = 0.05  # every check takes a while, as a real hasher does: the window for a race
    statuses = attack(username)
    assert statuses == [200] * THREADS
    assert hasher.runs == settings.LOGIN_MAX_FAILURES
    evaluated = LoginAttempt.objects.exclude(reason="locked")
    assert evaluated.count() == settings.LOGIN_MAX_FAILURES
    assert LoginAttempt.objects.filter(reason="locked").count() == THREADS - settings.LOGIN_MAX_FAILURES
    if username == "inside":
        assert User.objects.get(username="inside").is_locked

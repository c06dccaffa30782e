"""Filing at the same moment from several desks: numbers never collide, a repeated key files once
(PostgreSQL only: each thread has its own connection). Alone in its module: transactional tests make the
module build its users per test."""

import threading
import uuid

import pytest
from django.db import connection, connections

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.areas.models import Area
from minqing.tickets import services
from minqing.tickets.models import Category, Ticket

from .conftest import ensure_seeded

THREADS = 8

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run_parallel(calls):
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def one(call):
        try:
            barrier.wait()
            call()
        except BaseException as error:  # re-raised in the test thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=one, args=(call,)) for call in calls]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors


@pytest.fixture
def desk(tree):
    return assign(UserFactory(username="desk-race"), Role.SERVICE_DESK, tree.county)


def filing(desk, tree, key):
    ensure_seeded()  # a transactional test flushes the seed migration's rows
    category = Category.objects.get(code="99")
    data = {
        "channel": "hotline",
        "kind": "help",
        "category": category.pk,
        "area": tree.v.pk,
        "description": "求助",
    }

    def call():
        user = type(desk).objects.get(pk=desk.pk)
        services.file_ticket(actor=user, data=data, client_id=key)

    return call


def test_parallel_filings_get_distinct_consecutive_numbers(desk, tree):
    assert Area.objects.filter(pk=tree.v.pk).exists()
    run_parallel([filing(desk, tree, uuid.uuid4()) for _ in range(THREADS)])
    numbers = sorted(int(n) for n in Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == THREADS
    assert numbers == list(range(numbers[0], numbers[0] + THREADS))


def test_a_key_sent_in_parallel_files_one_ticket(desk, tree):
    key = uuid.uuid4()
    run_parallel([filing(desk, tree, key) for _ in range(THREADS)])
    assert Ticket.objects.count() == 1

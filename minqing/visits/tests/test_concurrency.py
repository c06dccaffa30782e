"""Concurrent visits keep one unbroken chain per author; the same client_id sent at once is stored once.

Threads with their own connections write at once (PostgreSQL only). Alone in its module because a
transactional test makes the module build its users per test.
"""

import threading

import pytest
from django.db import connection, connections

from minqing.visits import services
from minqing.visits.models import Visit

from .helpers import data, new_id

THREADS = 6
EACH = 5

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run(threads: int, work) -> list[BaseException]:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except BaseException as error:  # re-raised in the test thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return errors


def test_concurrent_visits_keep_each_authors_chain(users, records):
    authors = [users.inside, users.above]

    def work(n: int) -> None:
        for _ in range(EACH):
            services.log_visit(actor=authors[n % 2], household=records.hv, data=data(), client_id=new_id())

    assert not run(THREADS, work)
    assert Visit.objects.count() == THREADS * EACH
    for author in authors:
        prevs = list(Visit.objects.filter(author=author).values_list("prev_hash", flat=True))
        assert len(set(prevs)) == len(prevs)  # no fork
    report = services.visits_verify()
    assert report.ok and report.chains == 2 and report.checked == THREADS * EACH


def test_the_same_entry_sent_at_once_is_stored_once(users, records):
    key = new_id()
    results = []

    def work(n: int) -> None:
        results.append(
            services.log_visit(actor=users.inside, household=records.hv, data=data(), client_id=key)
        )

    assert not run(4, work)
    assert Visit.objects.count() == 1
    assert sorted(created for _, created in results) == [False, False, False, True]

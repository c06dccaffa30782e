"""Concurrent writers keep one chain: threads with their own connections append at once (PostgreSQL only).

Alone in its module because a transactional test makes the module build its users per test.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from minqing.core import audit
from minqing.core.models import AuditEvent

THREADS = 8
EACH = 10

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_appends_keep_one_unbroken_chain():
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                with transaction.atomic():  # a service: its own write, then its audit row, then commit
                    audit.record(
                        actor=None, verb="test.concurrent", label=f"{n}-{i}", changes={"n": n, "i": i}
                    )
        except BaseException as error:  # re-raised in the test thread
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    rows = list(AuditEvent.objects.order_by("pk").values_list("prev_hash", "row_hash"))
    assert len(rows) == THREADS * EACH
    prevs = [prev for prev, _ in rows]
    assert len(set(prevs)) == len(prevs)  # no two rows chained onto the same row: no fork
    report = audit.audit_verify()
    assert report.ok and report.checked == THREADS * EACH


def test_a_rolled_back_append_leaves_no_gap_in_the_chain():
    audit.record(actor=None, verb="test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, verb="test.lost")
        raise RuntimeError("the service failed after auditing")
    audit.record(actor=None, verb="test.kept")
    assert list(AuditEvent.objects.values_list("verb", flat=True).order_by("pk")) == ["test.kept"] * 2
    assert audit.audit_verify().ok

"""The reveal counter under concurrent requests: threads on PostgreSQL, each with its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from minqing.accounts.models import User
from minqing.core.limits import LimitExceeded
from minqing.core.masking import sensitive_reveal
from minqing.core.models import AuditEvent
from minqing.registry.models import Person

THREADS = 12
LIMIT = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_reveals_never_pass_the_limit(users, records, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite: test_limits.py::test_a_loop_of_reveals_is_counted_exactly)")
    settings.REVEAL_LIMIT_PER_HOUR = LIMIT
    start = threading.Barrier(THREADS)
    results: list[object] = []

    def reveal() -> None:
        try:
            actor = User.objects.get(pk=users.inside.pk)
            person = Person.objects.get(pk=records.pv.pk)
            start.wait(timeout=30)
            sensitive_reveal(actor=actor, obj=person, field="phone")
            results.append(True)
        except LimitExceeded:
            results.append(False)
        except Exception as error:  # reported by the assertion below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reveal) for _n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, results)) == ["False"] * (THREADS - LIMIT) + ["True"] * LIMIT, results
    assert AuditEvent.objects.filter(actor_id=users.inside.pk, verb="sensitive.revealed").count() == LIMIT
    assert AuditEvent.objects.filter(actor_id=users.inside.pk, verb="reveal.limit_exceeded").count() == 1

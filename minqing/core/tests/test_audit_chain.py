"""The audit log's hash chain: built by ``record``, checked by ``audit_verify``, append-only on PostgreSQL.

Tampering is simulated with raw SQL; on PostgreSQL the append-only trigger is switched off for it first
(``session_replication_role = replica``, local to the test's transaction), as an attacker with the
database superuser could.
"""
# ruff: noqa: S608 — raw SQL on the audit table is the tampering under test

import datetime
import itertools
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from minqing.core import audit, hashchain
from minqing.core.hashchain import GENESIS, AppendOnlyError
from minqing.core.models import AuditEvent

PG = connection.vendor == "postgresql"
pg_only = pytest.mark.skipif(not PG, reason="the append-only trigger is PostgreSQL's")
TABLE = "core_auditevent"


def bypass(sql: str, params=None) -> None:
    """Run ``sql`` the way someone with direct database access would: past the trigger."""
    with connection.cursor() as cursor:
        if PG:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if PG:
            cursor.execute("SET LOCAL session_replication_role = origin")


def events(n: int, actor=None) -> list[AuditEvent]:
    return [
        audit.record(
            actor=actor, verb="test.chain", label=f"事件{i}", area_path="520622102211", changes={"i": i}
        )
        for i in range(n)
    ]


def broken() -> hashchain.Break:
    report = audit.audit_verify()
    assert report.broken is not None, report
    return report.broken


# ------------------------------------------------------------------------------------- building


def test_record_builds_the_chain_in_id_order(db):
    rows = events(4)
    stored = list(AuditEvent.objects.order_by("pk"))
    assert [e.pk for e in stored[-4:]] == [e.pk for e in rows]
    assert stored[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.row_hash
    assert all(e.row_hash.startswith("sha256:") and len(e.row_hash) == 71 for e in stored)
    assert len({e.row_hash for e in stored}) == len(stored)
    report = audit.audit_verify()
    assert report.ok and report.checked == len(stored) and report.head == stored[-1].row_hash


def test_values_hash_the_same_after_the_database_round_trip(db, users):
    """Floats jsonb rewrites (1.0, 1e16), decimals, dates, IPv6 and nested keys still verify."""
    audit.record(
        actor=users.inside,
        verb="test.values",
        changes={
            "a": 1.0,
            "b": 1e16,
            "c": 0.1,
            "d": datetime.date(2026, 1, 2),
            "e": {"z": [1, 2.5], "a": None},
        },
        household_id=7,
    )
    from minqing.core.middleware import client_ip

    token = client_ip.set("2001:DB8:0:0::1")
    try:
        audit.record(actor=None, verb="test.ip", label="＝中文 " * 3)
    finally:
        client_ip.reset(token)
    assert audit.audit_verify().ok


def test_canonical_form_is_stable_json():
    moment = datetime.datetime(2026, 1, 2, 11, 0, 0, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert hashchain.plain(moment) == "2026-01-02T03:00:00.000005+00:00"
    from decimal import Decimal

    assert hashchain.plain({"b": Decimal("1.50"), "a": 1e16, "c": 2.0}) == {
        "b": "1.50",
        "a": 10000000000000000,
        "c": 2,
    }


def test_bulk_create_appends_to_the_chain(db):
    made = AuditEvent.objects.bulk_create(AuditEvent(verb="test.bulk", target_label=str(i)) for i in range(5))
    assert all(e.pk and e.row_hash for e in made)
    assert audit.audit_verify().ok


def test_orm_refuses_changes_and_deletes(db):
    event = events(1)[0]
    event.verb = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(verb="x")], ignore_conflicts=True)
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.chain"


def test_sm3_and_switching_algorithms(db, settings):
    assert hashchain.digest("sm3", b"abc") == (  # GB/T 32905-2016, example 1
        "sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    events(2)
    settings.AUDIT_HASH_ALGORITHM = "sm3"
    rows = events(2)
    assert all(e.row_hash.startswith("sm3:") for e in rows)
    settings.AUDIT_HASH_ALGORITHM = "sha256"
    events(1)
    assert audit.audit_verify().ok  # each row verifies with the algorithm it names


# ------------------------------------------------------------------------------------- tampering


def test_changed_verb_is_caught_at_that_row(db):
    rows = events(5)
    bypass(f"UPDATE {TABLE} SET verb = %s WHERE id = %s", ["registry.household.viewed", rows[2].pk])
    found = broken()
    assert (found.row_id, found.reason) == (rows[2].pk, "changed")


def test_changed_changes_is_caught_at_that_row(db):
    rows = events(5)
    cast = "::jsonb" if PG else ""
    bypass(f"UPDATE {TABLE} SET changes = %s{cast} WHERE id = %s", [json.dumps({"i": 99}), rows[3].pk])
    found = broken()
    assert (found.row_id, found.reason) == (rows[3].pk, "changed")


def test_rewritten_row_with_a_fresh_hash_breaks_the_next_link(db):
    rows = events(4)
    spec = hashchain.spec_of(AuditEvent)
    target = AuditEvent.objects.get(pk=rows[1].pk)
    target.verb = "forged"
    forged = spec.row_hash(target.prev_hash, [getattr(target, a) for a in spec.attnames], "sha256")
    bypass(f"UPDATE {TABLE} SET verb = 'forged', row_hash = %s WHERE id = %s", [forged, target.pk])
    found = broken()
    assert (found.row_id, found.reason) == (rows[2].pk, "removed")
    assert f"#{rows[1].pk} was replaced" in found.detail


def test_deleted_row_is_caught_at_the_row_after_it(db):
    rows = events(5)
    bypass(f"DELETE FROM {TABLE} WHERE id = %s", [rows[2].pk])
    found = broken()
    assert (found.row_id, found.reason) == (rows[3].pk, "removed")
    assert f"does not link to #{rows[1].pk}" in found.detail


def test_deleting_the_oldest_rows_without_a_purge_is_caught(db):
    events(3)
    first = AuditEvent.objects.order_by("pk").first()
    bypass(f"DELETE FROM {TABLE} WHERE id = %s", [first.pk])
    found = broken()
    assert found.reason == "removed" and found.row_id == AuditEvent.objects.order_by("pk").first().pk


def _swap(a: AuditEvent, b: AuditEvent) -> None:
    columns = ["at", "actor_id", "actor_name", "verb", "target_label", "changes", "prev_hash", "row_hash"]
    cast = "::jsonb" if PG else ""
    for into, source in ((a.pk, b), (b.pk, a)):
        values = [getattr(source, c) for c in columns]
        values[columns.index("changes")] = json.dumps(source.changes)
        sets = ", ".join(f"{c} = %s{cast if c == 'changes' else ''}" for c in columns)
        bypass(f"UPDATE {TABLE} SET {sets} WHERE id = %s", [*values, into])


def test_swapped_order_is_caught(db):
    rows = events(5)
    a, b = AuditEvent.objects.get(pk=rows[1].pk), AuditEvent.objects.get(pk=rows[2].pk)
    _swap(a, b)
    found = broken()
    assert (found.row_id, found.reason) == (rows[1].pk, "reordered")


def test_inserted_row_is_caught(db):
    before = events(1)[0]
    gap = events(1)[0]
    after = events(2)
    # A sound chain with a free id in it: the middle row removed and the rows after it linked again.
    bypass(f"DELETE FROM {TABLE} WHERE id = %s", [gap.pk])
    spec = hashchain.spec_of(AuditEvent)
    prev = before.row_hash
    for row in AuditEvent.objects.filter(pk__gte=after[0].pk).order_by("pk"):
        fresh = spec.row_hash(prev, [getattr(row, a) for a in spec.attnames], "sha256")
        bypass(f"UPDATE {TABLE} SET prev_hash = %s, row_hash = %s WHERE id = %s", [prev, fresh, row.pk])
        prev = fresh
    assert audit.audit_verify().ok
    forged = AuditEvent(verb="forged", target_label="伪造", at=timezone.now())
    forged.prev_hash = before.row_hash
    forged.row_hash = spec.row_hash(before.row_hash, [getattr(forged, a) for a in spec.attnames], "sha256")
    forged.pk = gap.pk
    from django.db import models

    models.Model.save(forged, force_insert=True)
    found = broken()
    assert (found.row_id, found.reason) == (gap.pk, "inserted")


def test_row_written_around_the_chain_is_caught(db):
    events(2)
    from django.db import models

    stray = AuditEvent(verb="stray")
    models.Model.save(stray, force_insert=True)  # no hashes: not appended through the chain
    events(1)
    found = broken()
    assert (found.row_id, found.reason) == (stray.pk, "inserted")


def test_chain_existing_rows_as_the_migration_does(db):
    events(3)
    bypass(f"UPDATE {TABLE} SET prev_hash = '', row_hash = ''")
    assert broken().reason == "inserted"
    if PG:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    hashchain.chain_existing(AuditEvent, AuditEvent.chain_fields, using="default", algorithm="sm3", batch=2)
    if PG:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
    assert audit.audit_verify().ok
    assert AuditEvent.objects.filter(row_hash__startswith="sm3:").count() == AuditEvent.objects.count()


def test_partial_check_trusts_its_first_row_only(db):
    old = timezone.now() - datetime.timedelta(days=3)
    AuditEvent.objects.create(verb="test.old", at=old)
    AuditEvent.objects.create(verb="test.old", at=old)
    recent = events(3)
    bypass(f"DELETE FROM {TABLE} WHERE verb = 'test.old'")
    assert broken().row_id == AuditEvent.objects.order_by("pk").first().pk
    since = timezone.now() - datetime.timedelta(days=1)
    report = audit.audit_verify(since=since)
    assert report.ok and report.checked == 3 and report.first_id == recent[0].pk
    bypass(f"UPDATE {TABLE} SET verb = 'x' WHERE id = %s", [recent[0].pk])
    assert audit.audit_verify(since=since).broken.row_id == recent[0].pk


# ------------------------------------------------------------------------------ deleting a user


def test_deleting_a_user_keeps_the_log_intact(db, users):
    from minqing.accounts.tests.factories import UserFactory

    leaver = UserFactory(username="leaver")
    event = audit.record(actor=leaver, verb="test.by_leaver")
    pk = leaver.pk
    leaver.delete()  # with SET_NULL this would UPDATE audit rows, which the trigger refuses
    row = AuditEvent.objects.get(pk=event.pk)
    assert (row.actor_id, row.actor_name) == (pk, event.actor_name)
    assert audit.audit_verify().ok


# ------------------------------------------------------------------------- PostgreSQL trigger


def _raw(sql: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pg_only
def test_trigger_refuses_update(db):
    event = events(1)[0]
    with pytest.raises(IntegrityError, match="core_auditevent is append-only: UPDATE refused"):
        _raw(f"UPDATE {TABLE} SET verb = 'forged' WHERE id = %s", [event.pk])


@pg_only
def test_trigger_refuses_delete(db):
    event = events(1)[0]
    with pytest.raises(IntegrityError, match="core_auditevent is append-only: DELETE refused"):
        _raw(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])


@pg_only
def test_trigger_refuses_purging_young_rows_and_updates_during_a_purge(db):
    event = events(1)[0]
    with pytest.raises(IntegrityError, match=f"row {event.pk} is younger than 180 days and cannot be purged"):
        _raw(f"SET LOCAL minqing.audit_purge = 'on'; DELETE FROM {TABLE} WHERE id = {event.pk}")
    with pytest.raises(IntegrityError, match="UPDATE refused"):
        _raw(f"SET LOCAL minqing.audit_purge = 'on'; UPDATE {TABLE} SET verb = 'x' WHERE id = {event.pk}")
    assert AuditEvent.objects.filter(pk=event.pk, verb="test.chain").exists()


@pg_only
def test_trigger_allows_the_purge_of_old_rows(db):
    AuditEvent.objects.create(verb="test.old", at=timezone.now() - datetime.timedelta(days=181))
    _raw(f"SET LOCAL minqing.audit_purge = 'on'; DELETE FROM {TABLE} WHERE verb = 'test.old'")
    assert not AuditEvent.objects.filter(verb="test.old").exists()

"""``manage.py verify_logs`` catches a changed, a removed and an inserted entry, and a changed photo file.

Tampering is simulated with raw SQL; on PostgreSQL the append-only trigger is switched off for it first
(``session_replication_role = replica``, local to the test's transaction), as someone with the database
superuser could.
"""
# ruff: noqa: S608 — raw SQL on the visit table is the tampering under test

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from minqing.core import hashchain
from minqing.visits import services
from minqing.visits.models import Visit

from .helpers import data, new_id, photo

PG = connection.vendor == "postgresql"
TABLE = "visits_visit"


def bypass(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        if PG:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if PG:
            cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def entries(users, records):
    rows = []
    for i, actor in enumerate([users.inside, users.above, users.inside, users.inside, users.above]):
        visit, _ = services.log_visit(
            actor=actor,
            household=records.hv,
            data=data(found=f"第{i}次"),
            photos=[photo(size=(80, 60))] if i == 2 else None,
            client_id=new_id(),
        )
        rows.append(visit)
    return rows


def verify(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_logs", *args, stdout=out)
    return out.getvalue()


def test_intact_log_verifies(entries):
    output = verify("--photos")
    assert "5 entries in 2 chains" in output and "heads digest" in output


def test_a_changed_entry_is_named(entries):
    bypass(f"UPDATE {TABLE} SET found = %s WHERE id = %s", ["没有去过", entries[2].pk])
    with pytest.raises(CommandError, match=rf"记录 #{entries[2].pk}.*内容被修改"):
        verify()


def test_a_changed_time_is_caught(entries):
    bypass(f"UPDATE {TABLE} SET created_at = %s WHERE id = %s", ["2020-01-01 00:00:00", entries[0].pk])
    with pytest.raises(CommandError, match=rf"#{entries[0].pk}"):
        verify()


def test_a_removed_entry_is_caught(entries):
    bypass("DELETE FROM visits_visitphoto WHERE visit_id = %s", [entries[2].pk])
    bypass(f"DELETE FROM {TABLE} WHERE id = %s", [entries[2].pk])
    with pytest.raises(CommandError, match=rf"记录 #{entries[3].pk}.*删除或替换"):
        verify()


def test_a_removed_first_entry_is_caught(entries):
    bypass(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError, match=rf"#{entries[4].pk}"):
        verify()


def test_an_entry_moved_to_another_author_is_caught(entries, users):
    bypass(f"UPDATE {TABLE} SET author_id = %s WHERE id = %s", [users.above.pk, entries[3].pk])
    with pytest.raises(CommandError):
        verify()


def test_a_changed_photo_file_is_caught(entries):
    stored = entries[2].photos.get()
    with open(stored.file.path, "ab") as handle:
        handle.write(b"forged")
    verify()  # the entries still verify …
    with pytest.raises(CommandError, match=rf"visit #{entries[2].pk}: photo 1 was changed"):
        verify("--photos")  # … the photo does not


def test_a_changed_photo_row_is_caught(entries):
    bypass("UPDATE visits_visitphoto SET sha256 = %s", ["0" * 64])
    with pytest.raises(CommandError, match="do not match the hashes it chained"):
        verify("--photos")


def test_the_report_lists_every_broken_chain(entries):
    bypass(f"UPDATE {TABLE} SET done = 'x' WHERE id IN (%s, %s)", [entries[0].pk, entries[1].pk])
    report = services.visits_verify()
    assert sorted(key for key, _ in report.broken) == sorted({entries[0].author_id, entries[1].author_id})


def test_append_many_keeps_one_chain_per_author(users, records):
    rows = [
        Visit(
            client_id=new_id(),
            household=records.hv,
            area_path=records.hv.area_path,
            author=actor,
            kind="home",
            found="批量",
        )
        for actor in (users.inside, users.above, users.inside)
    ]
    Visit.objects.bulk_create(rows)
    assert rows[2].prev_hash == rows[0].row_hash and rows[1].prev_hash == hashchain.GENESIS
    assert services.visits_verify().ok


@pytest.mark.skipif(not PG, reason="the append-only trigger is PostgreSQL's")
def test_trigger_refuses_update_and_delete(entries):
    for sql in (f"UPDATE {TABLE} SET found = 'x' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"):
        with pytest.raises(IntegrityError, match="visits_visit is append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entries[0].pk])
    with pytest.raises(IntegrityError, match="visits_visitphoto is append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE visits_visitphoto SET sha256 = 'x'")

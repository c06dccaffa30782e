"""A backup restores byte for byte: table contents and uploaded files, on SQLite and on PostgreSQL.

Restores replace the whole database, so these tests are transactional (committed rows, tables flushed
afterwards): pg_dump and pg_restore connect on their own and must see what the test wrote.
"""

from __future__ import annotations

import hashlib
import json
import tarfile

import pytest
from django.db import connection

from minqing.ops.tests.conftest import files, only_archive, run, snapshot
from minqing.registry.models import Attachment, Household, Person
from minqing.registry.tests.attachment_helpers import PDF, add, image_bytes, upload
from minqing.registry.tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(storage, users, records):
    photo = add(
        users.inside, records.hv, upload("门牌.png", image_bytes(size=(64, 48), noise=True)), title="门牌"
    )
    pdf = add(users.inside, records.hv, upload("低保证明.pdf", PDF), kind="certificate", person=records.pv)
    export = storage / "exports" / "202601" / "0123abcd.xlsx"
    export.parent.mkdir(parents=True)
    export.write_bytes(b"PK\x03\x04 not really a workbook \x00\xff")
    return records, photo, pdf


def test_backup_then_restore_gives_back_every_row_and_every_byte(data, storage, backup_dir, tree, safety_dir):
    records, photo, pdf = data
    photo_bytes = (storage / photo.file.name).read_bytes()
    db_before, files_before = snapshot(), files(storage)
    assert len(files_before) == 4  # photo, its thumbnail, the PDF, the export

    output = run("backup", "--dest", backup_dir)
    archive = only_archive(backup_dir)
    assert str(archive) in output

    # Change everything: edit a household, delete a person, add a row, change and delete files.
    Household.objects.filter(pk=records.hv.pk).update(address="改过的地址", phone="13999999999")
    Person.objects.filter(pk=records.px.pk).delete()
    HouseholdFactory(number="5206221022110099", area=tree.v1, head_name="新来户")
    (storage / photo.file.name).write_bytes(b"overwritten")
    (storage / pdf.file.name).unlink()
    (storage / "attachments" / "stray.bin").write_bytes(b"added after the backup")
    assert snapshot() != db_before and files(storage) != files_before

    output = run("restore", archive, "--yes")
    assert "恢复完成" in output
    safety = only_archive(safety_dir)  # the data as it was before the restore, kept first
    assert str(safety) in output and safety != archive

    assert snapshot() == db_before, output
    assert files(storage) == files_before
    assert not [p for p in storage.iterdir() if p.name.startswith(".minqing-")]  # no work directory left
    restored = Attachment.objects.get(pk=photo.pk)
    with restored.file.open("rb") as handle:
        assert handle.read() == photo_bytes
    assert Household.objects.get(pk=records.hv.pk).address == records.hv.address
    assert Person.objects.filter(pk=records.px.pk).exists()
    # Sequences came back too: a new row gets a fresh key.
    assert HouseholdFactory(number="5206221022110098", area=tree.v1).pk > records.hx.pk


def test_archive_layout_manifest_and_checksums(data, storage, backup_dir):
    run("backup", "--dest", backup_dir)
    archive = only_archive(backup_dir)
    sums = archive.with_name(archive.name + ".sha256").read_text()
    assert sums == f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n"
    assert not [p for p in backup_dir.iterdir() if p.name.startswith(".")]  # no partial left behind

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        members = {m["name"]: m for m in manifest["members"]}
        for name, entry in members.items():
            body = tar.extractfile(name).read()
            assert (len(body), hashlib.sha256(body).hexdigest()) == (entry["size"], entry["sha256"])
    dump = "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert names[0] == dump and names[-1] == "manifest.json"
    assert set(names) == {*members, "manifest.json"}
    assert manifest["format"] == "minqing-backup" and manifest["format_version"] == 1
    assert manifest["app_version"] == "0.1.0"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["uploads"] == {
        "files": 4,
        "bytes": sum(len(b) for b in files(storage).values()),
    }
    assert manifest["migrations"]["latest"]["registry"] >= "0001"
    assert ["contenttypes", "0001_initial"] in manifest["migrations"]["applied"]
    assert manifest["created_at"].startswith(archive.name[8:12])
    assert {f"uploads/{n}" for n in files(storage)} <= set(members)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump: PostgreSQL only")
def test_postgresql_dump_is_pg_dump_custom_format(data, backup_dir):
    run("backup", "--dest", backup_dir)
    with tarfile.open(only_archive(backup_dir)) as tar:
        assert tar.extractfile("database.pgdump").read(5) == b"PGDMP"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup API only")
def test_sqlite_dump_is_a_sqlite_database(data, backup_dir):
    run("backup", "--dest", backup_dir)
    with tarfile.open(only_archive(backup_dir)) as tar:
        assert tar.extractfile("database.sqlite3").read(16) == b"SQLite format 3\x00"


def test_restore_with_no_uploads_in_the_archive_empties_the_storage(storage, backup_dir, records):
    run("backup", "--dest", backup_dir)
    (storage / "late.pdf").write_bytes(PDF)
    run("restore", only_archive(backup_dir), "--yes")
    assert files(storage) == {}

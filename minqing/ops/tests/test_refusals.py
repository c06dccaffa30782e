"""Bad archives and bad conditions are refused with a clear message before anything changes."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError
from django.db import connection

from minqing.ops import dbdump
from minqing.ops.tests.conftest import files, only_archive, run, snapshot
from minqing.registry.models import Household
from minqing.registry.tests.attachment_helpers import PDF, add, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def changed(storage, backup_dir, users, records):
    """An archive of the data with one attachment, then the data changed: what a refused restore must keep."""
    add(users.inside, records.hv, upload("证明.pdf", PDF), kind="certificate")
    run("backup", "--dest", backup_dir)
    Household.objects.filter(pk=records.hv.pk).update(address="备份之后改的")
    (storage / "attachments" / "after.pdf").write_bytes(PDF)
    return SimpleNamespace(archive=only_archive(backup_dir), db=snapshot(), files=files(storage))


def refused(changed, storage, *args: object) -> str:
    with pytest.raises(CommandError) as caught:
        run("restore", *args)
    assert snapshot() == changed.db
    assert files(storage) == changed.files
    assert not [p for p in storage.iterdir() if p.name.startswith(".minqing-")]
    return str(caught.value)


def rewrite(archive: Path, edit) -> Path:
    """Rebuild ``archive`` with ``edit(manifest)`` applied and every checksum recomputed (a valid archive)."""
    with tarfile.open(archive) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar.getmembers()]
    manifest = json.loads(next(body for info, body in members if info.name == "manifest.json"))
    edit(manifest)
    data = json.dumps(manifest).encode()
    with tarfile.open(archive, "w") as tar:
        for info, body in members:
            if info.name == "manifest.json":
                info.size, body = len(data), data
            tar.addfile(info, io.BytesIO(body))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    archive.with_name(archive.name + ".sha256").write_text(f"{digest}  {archive.name}\n")
    return archive


def test_truncated_archive_is_refused_by_its_checksum(changed, storage):
    data = changed.archive.read_bytes()
    changed.archive.write_bytes(data[: len(data) // 2])
    assert "校验和不符" in refused(changed, storage, changed.archive, "--yes")


@pytest.mark.parametrize("where", ["half", "manifest"])
def test_truncated_archive_without_checksum_file_is_refused_as_incomplete(changed, storage, where):
    with tarfile.open(changed.archive) as tar:
        manifest = tar.getmember("manifest.json")
    data = changed.archive.read_bytes()
    cut = len(data) // 2 if where == "half" else manifest.offset_data + manifest.size // 2
    changed.archive.write_bytes(data[:cut])
    changed.archive.with_name(changed.archive.name + ".sha256").unlink()
    message = refused(changed, storage, changed.archive, "--yes")
    assert "不完整" in message and "truncated" in message


def test_altered_archive_is_refused_by_the_archive_checksum(changed, storage):
    data = bytearray(changed.archive.read_bytes())
    data[1000] ^= 0xFF
    changed.archive.write_bytes(bytes(data))
    assert "Checksum mismatch" in refused(changed, storage, changed.archive, "--yes")


def test_altered_member_is_refused_by_the_manifest_checksum(changed, storage):
    with tarfile.open(changed.archive) as tar:
        member = next(i for i in tar.getmembers() if i.name.startswith("uploads/"))
    data = bytearray(changed.archive.read_bytes())
    data[member.offset_data] ^= 0xFF  # same size: only the member's SHA-256 can tell
    changed.archive.write_bytes(bytes(data))
    changed.archive.with_name(changed.archive.name + ".sha256").unlink()
    message = refused(changed, storage, changed.archive, "--yes")
    assert "校验和不符" in message and member.name in message


def test_archive_from_a_newer_version_is_refused(changed, storage):
    rewrite(
        changed.archive, lambda m: m["migrations"]["applied"].append(["registry", "9999_from_the_future"])
    )
    message = refused(changed, storage, changed.archive, "--yes")
    assert "更新的版本" in message and "registry.9999_from_the_future" in message


def test_unsupported_format_version_is_refused(changed, storage):
    rewrite(changed.archive, lambda m: m.update(format_version=99))
    assert "不支持的备份格式版本 99" in refused(changed, storage, changed.archive, "--yes")


def test_archive_from_another_vendor_is_refused(changed, storage):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    rewrite(changed.archive, lambda m: m["database"].update(vendor=other))
    message = refused(changed, storage, changed.archive, "--yes")
    assert "数据库类型不符" in message and other in message


def test_not_a_backup_is_refused(changed, storage, tmp_path):
    other = tmp_path / "minqing-20260101-000000.tar"
    body = json.dumps({"hello": "world"}).encode()
    with tarfile.open(other, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    assert "不是民情的备份" in refused(changed, storage, other, "--yes")


def test_restore_without_yes_and_without_a_terminal_is_refused(changed, storage, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert "--yes" in refused(changed, storage, changed.archive)


def test_restore_with_too_little_space_is_refused(changed, storage, monkeypatch):
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: SimpleNamespace(total=10**9, used=10**9, free=4096)
    )
    assert "磁盘空间不足" in refused(changed, storage, changed.archive, "--yes")


def test_archive_from_an_older_version_is_restored_and_migrated(changed, storage, records):
    # Pretend the archive predates this code's newest registry migration.
    def older(manifest):
        applied = manifest["migrations"]["applied"]
        latest = max(m for m in applied if m[0] == "registry")
        applied.remove(latest)

    rewrite(changed.archive, older)
    # Two restores within a second: the first keeps no safety copy (its name would be the second's).
    output = run("restore", changed.archive, "--yes", "--no-migrate", "--no-safety-backup")
    assert "manage.py migrate" in output and "backed up first" not in output
    assert Household.objects.get(pk=records.hv.pk).address != "备份之后改的"
    output = run("restore", changed.archive, "--yes")
    assert "running migrate" in output


def test_backup_with_too_little_space_is_refused(storage, backup_dir, monkeypatch, db):
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: SimpleNamespace(total=10**9, used=10**9, free=4096)
    )
    with pytest.raises(CommandError, match="磁盘空间不足"):
        run("backup", "--dest", backup_dir)
    assert list(backup_dir.iterdir()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump: PostgreSQL only")
def test_backup_without_pg_dump_is_refused(storage, backup_dir, monkeypatch):
    monkeypatch.setattr(dbdump.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="找不到 pg_dump"):
        run("backup", "--dest", backup_dir)
    assert not backup_dir.exists() or list(backup_dir.iterdir()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump: PostgreSQL only")
def test_backup_when_pg_dump_fails_is_refused_and_leaves_nothing(storage, backup_dir, monkeypatch, tmp_path):
    failing = tmp_path / "pg_dump"
    failing.write_text("#!/bin/sh\necho 'pg_dump: error: connection to server lost' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setattr(dbdump.shutil, "which", lambda name: str(failing))
    with pytest.raises(CommandError, match="pg_dump 失败") as caught:
        run("backup", "--dest", backup_dir)
    assert "connection to server lost" in str(caught.value)
    assert list(backup_dir.iterdir()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump: PostgreSQL only")
def test_password_goes_through_the_environment_not_the_command_line(monkeypatch):
    seen = {}

    def fake_run(args, **kwargs):
        seen.update(args=args, env=kwargs["env"])
        return SimpleNamespace(returncode=0, stdout="", stderr="")

    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-pass")
    monkeypatch.setattr(dbdump.subprocess, "run", fake_run)
    dbdump.dump_database(connection, Path("/nonexistent/dump"))
    assert seen["env"]["PGPASSWORD"] == "s3cret-pass"
    assert seen["env"]["PGDATABASE"] == connection.settings_dict["NAME"]
    assert not any("s3cret" in arg for arg in seen["args"])

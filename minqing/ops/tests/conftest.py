"""Fixtures for the backup and restore tests: private storage and backup directory in tmp_path."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.fixture
def storage(settings, tmp_path: Path) -> Path:
    """Private storage (attachments, exports) in a temporary directory."""
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def backup_dir(tmp_path: Path) -> Path:
    return tmp_path / "backups"


@pytest.fixture(autouse=True)
def safety_dir(settings, tmp_path: Path) -> Path:
    """Where ``restore`` backs up the current data first (BACKUP_DIR), apart from the archives under test."""
    settings.BACKUP_DIR = tmp_path / "safety"
    return settings.BACKUP_DIR


def run(*args: object) -> str:
    out, err = StringIO(), StringIO()
    call_command(*[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Every table's rows (every column), in a stable order: equal snapshots mean equal databases."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()
            ]
            result[table] = sorted(rows, key=repr)
    return result


def files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def only_archive(directory: Path) -> Path:
    archives = sorted(directory.glob("minqing-*.tar"))
    assert len(archives) == 1, archives
    return archives[0]

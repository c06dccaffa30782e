"""Restore an archive written by ``backup``: verify everything first, then replace database and uploads.

1. ``verify``: the ``.sha256`` beside the archive matches (when present); the tar is readable and has
   its manifest (written last, so a truncated archive has none); the format version is supported; the
   database vendor is the configured one; no applied migration is unknown to this code (an archive
   from a newer version is refused).
2. ``stage``: every member is extracted into a work directory inside the private root and checked
   against the manifest's size and SHA-256; the dump is checked by its own tool (``pg_restore --list``,
   SQLite ``integrity_check``). Nothing live has changed yet.
3. ``apply``: the current uploads are moved aside, the staged ones moved in, the database restored
   (``pg_restore --clean --if-exists --no-owner --single-transaction``, or the SQLite backup API into
   the live database: both all or nothing); when the database restore fails, the old uploads are put back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.db.backends.base.base import BaseDatabaseWrapper

from . import dbdump
from .backup import (
    CHUNK,
    FORMAT,
    MANIFEST,
    SUPPORTED_FORMAT_VERSIONS,
    UPLOADS,
    WORK_PREFIX,
    check_free_space,
    private_root,
    sha256_file,
)
from .errors import OpsError


@dataclass
class Verified:
    archive: Path
    manifest: dict[str, Any]
    conn: BaseDatabaseWrapper
    # Migrations of this code the archive's database has not applied: run `migrate` after the restore.
    pending: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _unreadable(archive: Path, reason: object) -> OpsError:
    return OpsError(
        f"备份文件不完整或无法读取（可能被截断）：{archive}（{reason}）。未做任何修改。",
        f"The archive is incomplete or unreadable (truncated?): {archive} ({reason}). Nothing was changed.",
    )


def _check_archive_checksum(archive: Path, warnings: list[str]) -> None:
    sums = archive.with_name(archive.name + ".sha256")
    if not sums.exists():
        warnings.append(
            f"没有找到 {sums.name}，只按清单逐个核对成员的校验和。/ "
            f"{sums.name} is missing: only the members' checksums from the manifest are checked."
        )
        return
    expected = sums.read_text("utf-8").split()[:1]
    actual = sha256_file(archive)
    if expected != [actual]:
        raise OpsError(
            f"校验和不符：{archive.name} 的 SHA-256 与 {sums.name} 记录的不一致，文件已损坏或被改动。未做任何修改。",
            f"Checksum mismatch: the SHA-256 of {archive.name} differs from {sums.name}; the file is "
            "damaged or was altered. Nothing was changed.",
        )


def _read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:") as tar:
            names = tar.getnames()
            if MANIFEST not in names:
                raise _unreadable(archive, "manifest.json missing")
            handle = tar.extractfile(MANIFEST)
            if handle is None:
                raise _unreadable(archive, "manifest.json is not a file")
            manifest = json.loads(handle.read().decode("utf-8"))
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _unreadable(archive, error) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise OpsError("这不是民情的备份文件。", "This is not a Minqing backup archive.")
    if set(names) - {MANIFEST} != {m.get("name") for m in manifest.get("members", [])}:
        raise _unreadable(archive, "members differ from the manifest")
    return manifest


def verify(archive: Path) -> Verified:
    """Every check that needs no extraction; raises ``OpsError`` with the reason."""
    if not archive.is_file():
        raise OpsError(f"找不到备份文件：{archive}", f"Archive not found: {archive}")
    warnings: list[str] = []
    _check_archive_checksum(archive, warnings)
    manifest = _read_manifest(archive)
    version = manifest.get("format_version")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        raise OpsError(
            f"不支持的备份格式版本 {version}（本程序支持 {sorted(SUPPORTED_FORMAT_VERSIONS)}）：请用更新版本的民情恢复。",
            f"Unsupported archive format version {version} (this code reads {sorted(SUPPORTED_FORMAT_VERSIONS)}): "
            "restore it with a newer Minqing.",
        )
    conn = dbdump.default_connection()
    vendor = manifest.get("database", {}).get("vendor")
    if vendor != conn.vendor:
        raise OpsError(
            f"数据库类型不符：备份来自 {vendor}，当前配置的是 {conn.vendor}。未做任何修改。",
            f"Database vendor mismatch: the archive is from {vendor}, this server uses {conn.vendor}. "
            "Nothing was changed.",
        )
    applied = {(str(app), str(name)) for app, name in manifest.get("migrations", {}).get("applied", [])}
    known = dbdump.known_migrations()
    unknown = sorted(applied - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:10])
        raise OpsError(
            f"备份来自更新的版本（{manifest.get('app_version')}）：本程序不认识这些迁移：{listed}。请先升级民情再恢复。",
            f"The archive comes from a newer version ({manifest.get('app_version')}): unknown migrations "
            f"{listed}. Upgrade Minqing before restoring.",
        )
    return Verified(archive, manifest, conn, pending=sorted(known - applied), warnings=warnings)


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise OpsError(f"备份中有不安全的文件名：{name}", f"Unsafe member name in the archive: {name}")
    return path


def stage(verified: Verified) -> Path:
    """Extract and check every member into a new work directory in the private root; returns it."""
    root = private_root()
    root.mkdir(parents=True, exist_ok=True)
    check_free_space(root, verified.archive.stat().st_size + 16 * 1024 * 1024)
    staging = Path(tempfile.mkdtemp(prefix=WORK_PREFIX + "restore-", dir=root))
    try:
        try:
            _extract_checked(verified, staging)
        except (tarfile.TarError, EOFError) as error:
            raise _unreadable(verified.archive, error) from error
        dump = staging / verified.manifest["database"]["file"]
        if not dump.is_file():
            raise _unreadable(verified.archive, "database dump missing")
        dbdump.check_dump(verified.conn, dump)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _extract_checked(verified: Verified, staging: Path) -> None:
    (staging / UPLOADS).mkdir()
    expected = {m["name"]: m for m in verified.manifest["members"]}
    with tarfile.open(verified.archive, "r:") as tar:
        for info in tar:
            if info.name == MANIFEST:
                continue
            entry = expected.get(info.name)
            if entry is None or not info.isfile():
                raise _unreadable(verified.archive, f"unexpected member {info.name}")
            target = staging.joinpath(*_safe_name(info.name).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(info)
            if source is None:
                raise _unreadable(verified.archive, info.name)
            _copy_checked(source, target, entry, verified.archive)
            os.utime(target, (info.mtime, info.mtime))


def _copy_checked(source: IO[bytes], target: Path, entry: dict[str, Any], archive: Path) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise _unreadable(archive, error) from error
    if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
        raise OpsError(
            f"校验和不符：备份中的 {entry['name']} 与清单记录不一致，文件已损坏或被改动。未做任何修改。",
            f"Checksum mismatch: {entry['name']} differs from the manifest; the archive is damaged or was "
            "altered. Nothing was changed.",
        )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def apply(verified: Verified, staging: Path) -> None:
    """Swap the uploads and restore the database; on failure the old uploads are put back."""
    root = private_root()
    aside = staging / "previous"
    aside.mkdir()
    moved_in: list[Path] = []
    try:
        for child in list(root.iterdir()):
            if not child.name.startswith(WORK_PREFIX):
                os.replace(child, aside / child.name)
        for child in list((staging / UPLOADS).iterdir()):
            os.replace(child, root / child.name)
            moved_in.append(root / child.name)
        dbdump.restore_database(verified.conn, staging / verified.manifest["database"]["file"])
    except BaseException:
        for path in moved_in:
            _remove(path)
        for child in list(aside.iterdir()):
            os.replace(child, root / child.name)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)

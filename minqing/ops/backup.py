"""One dated archive holding everything needed to rebuild a Minqing server's data.

``minqing-YYYYmmdd-HHMMSS.tar`` (uncompressed tar: the PostgreSQL dump is already compressed, uploads
are JPEG/PNG/PDF/XLSX) holds, in this order:

- ``database.pgdump`` (``pg_dump -Fc``) or ``database.sqlite3`` (SQLite online backup API);
- ``uploads/…``: every file under the private storage root (attachments, thumbnails, export files);
- ``manifest.json`` (last, so an archive that has it was written to the end): format version, app
  version, database vendor, applied migrations, created_at, counts and sizes, and the size and SHA-256
  of every other member.

Beside it, ``minqing-….tar.sha256`` holds the archive's SHA-256 in ``sha256sum`` format. Both are written
under a temporary name in the destination and renamed at the end: a final name is always complete.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from . import dbdump
from .errors import OpsError

FORMAT = "minqing-backup"
FORMAT_VERSION = 1
SUPPORTED_FORMAT_VERSIONS = {1}
MANIFEST = "manifest.json"
UPLOADS = "uploads"
# Work directories (backup in the destination, restore staging in the private root) start with this:
# a backup never archives them and a restore never moves them.
WORK_PREFIX = ".minqing-"
CHUNK = 1024 * 1024


def private_root() -> Path:
    """The private storage root (attachments, thumbnails, exports), from ``STORAGES["default"]``."""
    default = settings.STORAGES.get("default")
    options = default.get("OPTIONS") if isinstance(default, dict) else None
    location = options.get("location") if isinstance(options, dict) else None
    return Path(location or settings.MEDIA_ROOT)


def default_destination() -> Path:
    return Path(getattr(settings, "BACKUP_DIR", "") or Path(settings.VAR_DIR) / "backups")


def app_version() -> str:
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    try:
        return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        try:
            return metadata.version("minqing")
        except metadata.PackageNotFoundError:
            return "unknown"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def upload_files(root: Path) -> list[tuple[Path, str]]:
    """(path, name in the archive) of every regular file under the private root; symlinks are skipped."""
    if not root.is_dir():
        return []
    found = []
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        subdirs[:] = sorted(d for d in subdirs if not (here == root and d.startswith(WORK_PREFIX)))
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                found.append((path, f"{UPLOADS}/{path.relative_to(root).as_posix()}"))
    return found


class _HashingReader:
    """A file wrapper that hashes what tarfile reads from it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> dict[str, Any]:
    with path.open("rb") as handle:
        info = tar.gettarinfo(arcname=arcname, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"name": arcname, "size": info.size, "sha256": reader.digest.hexdigest()}


def estimate_bytes(db_bytes: int, upload_bytes: int) -> int:
    """Free space a backup needs: the dump (at most the database's size) twice, as a work file and in
    the archive, the uploads once, and 5% + 16 MB to spare."""
    return int((2 * db_bytes + upload_bytes) * 1.05) + 16 * 1024 * 1024


def check_free_space(directory: Path, need: int) -> None:
    free = shutil.disk_usage(directory).free
    if free < need:
        raise OpsError(
            f"磁盘空间不足：{directory} 只剩 {human(free)}，本次操作预计需要 {human(need)}。请清理空间或换一个目录。",
            f"Not enough free space in {directory}: {human(free)} free, about {human(need)} needed. "
            "Free some space or choose another directory.",
        )


@dataclass
class BackupResult:
    archive: Path
    checksum: str
    manifest: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def _manifest(
    vendor: str,
    migrations: list[tuple[str, str]],
    created: datetime,
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    latest: dict[str, str] = {}
    for app, name in migrations:
        latest[app] = max(latest.get(app, name), name)
    uploads = [m for m in members if m["name"].startswith(UPLOADS + "/")]
    database = next(m for m in members if m["name"] == dbdump.DUMP_NAMES[vendor])
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": app_version(),
        "created_at": created.isoformat(),
        "database": {"vendor": vendor, "file": database["name"], "bytes": database["size"]},
        "migrations": {"latest": dict(sorted(latest.items())), "applied": [list(m) for m in migrations]},
        "uploads": {"files": len(uploads), "bytes": sum(m["size"] for m in uploads)},
        "members": members,
    }


def create_backup(dest: Path, now: datetime | None = None) -> BackupResult:
    """Write one archive into ``dest``; refuses (``OpsError``) before writing when space or tools lack."""
    conn = dbdump.default_connection()
    vendor = conn.vendor
    if vendor == "postgresql":
        dbdump.find_tool("pg_dump")
    dest.mkdir(mode=0o750, parents=True, exist_ok=True)
    root = private_root()
    files = upload_files(root)
    need = estimate_bytes(dbdump.database_size(conn), sum(path.stat().st_size for path, _ in files))
    check_free_space(dest, need)

    created = timezone.localtime(now or timezone.now())
    name = f"minqing-{created:%Y%m%d-%H%M%S}.tar"
    final = dest / name
    if final.exists():
        raise OpsError(f"备份文件已存在：{final}", f"The archive already exists: {final}")
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, suffix=".partial", dir=dest))
    try:
        migrations = dbdump.applied_migrations(conn)
        dump = work / dbdump.DUMP_NAMES[vendor]
        dbdump.dump_database(conn, dump)
        partial = work / name
        members: list[dict[str, Any]] = []
        skipped: list[str] = []
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            members.append(_add_file(tar, dump, dump.name))
            dump.unlink()
            for path, arcname in files:
                try:
                    members.append(_add_file(tar, path, arcname))
                except FileNotFoundError:  # deleted by the application since the walk
                    skipped.append(arcname)
            manifest = _manifest(vendor, migrations, created, members)
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o640
            tar.addfile(info, io.BytesIO(data))
        partial.chmod(0o600)  # it holds every ID number of the county
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        checksum = sha256_file(partial)
        sums = work / (name + ".sha256")
        sums.write_text(f"{checksum}  {name}\n", "utf-8")
        os.replace(partial, final)
        os.replace(sums, dest / sums.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(archive=final, checksum=checksum, manifest=manifest, skipped=skipped)

"""``manage.py backup``: one dated, checksummed archive of the database and the private uploads."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from minqing.ops.backup import create_backup, default_destination, human
from minqing.ops.errors import OpsError
from minqing.ops.retention import DEFAULT_KEEP, prune


class Command(BaseCommand):
    help = (
        "备份数据库和私有上传文件到一个带日期的归档（含清单与 SHA-256），并按保留策略清理旧归档。 / "
        "Back up the database and the private uploads into one dated, checksummed archive, then prune "
        "old archives (default: 7 daily, 4 weekly, 12 monthly)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dest", type=Path, default=None, help="目标目录 / destination directory")
        for period in ("daily", "weekly", "monthly"):
            parser.add_argument(
                f"--keep-{period}",
                type=int,
                default=DEFAULT_KEEP[period],
                help=f"keep the newest archive of each of the last N {period} periods "
                f"(default {DEFAULT_KEEP[period]})",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        keep = {period: options[f"keep_{period}"] for period in ("daily", "weekly", "monthly")}
        if any(count < 0 for count in keep.values()):
            raise OpsError("保留数量不能为负数。", "--keep-* values must not be negative.")
        dest: Path = (options["dest"] or default_destination()).resolve()
        result = create_backup(dest)
        manifest = result.manifest
        self.stdout.write(
            f"备份完成 / Backup written: {result.archive}\n"
            f"  SHA-256: {result.checksum}\n"
            f"  数据库 / database: {manifest['database']['vendor']}, {human(manifest['database']['bytes'])}\n"
            f"  上传文件 / uploads: {manifest['uploads']['files']} files, {human(manifest['uploads']['bytes'])}"
        )
        for name in result.skipped:
            self.stderr.write(f"  跳过（备份期间被删除）/ skipped (deleted during the backup): {name}")
        for path in prune(dest, keep["daily"], keep["weekly"], keep["monthly"], protect=[result.archive]):
            self.stdout.write(f"  已清理旧备份 / pruned: {path.name}")

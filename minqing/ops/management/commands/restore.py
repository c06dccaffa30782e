"""``manage.py restore ARCHIVE``: verify an archive completely, then replace the database and uploads."""

from __future__ import annotations

import shutil
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from minqing.ops.backup import create_backup, default_destination, human
from minqing.ops.errors import OpsError
from minqing.ops.restore import apply, stage, verify


class Command(BaseCommand):
    help = (
        "从备份归档恢复数据库和上传文件（先完整校验，校验不通过则不做任何修改）。 / "
        "Restore the database and the uploads from an archive; everything is verified first and a bad "
        "archive changes nothing. An archive from an older version is migrated afterwards."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path, help="minqing-YYYYmmdd-HHMMSS.tar")
        parser.add_argument(
            "--yes", action="store_true", help="不询问，直接恢复 / do not ask for confirmation"
        )
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="恢复前不先备份当前数据 / do not back up the current data first (BACKUP_DIR)",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="恢复旧版本的备份后不自动运行 migrate / do not run migrate after restoring an older archive",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verified = verify(options["archive"].resolve())
        manifest = verified.manifest
        for warning in verified.warnings:
            self.stderr.write(warning)
        self.stdout.write(
            f"备份 / archive: {verified.archive.name}（{manifest['created_at']}，版本 / version "
            f"{manifest['app_version']}，{manifest['database']['vendor']}，"
            f"{manifest['uploads']['files']} files / {human(manifest['uploads']['bytes'])}）"
        )
        staging = stage(verified)
        self.stdout.write("校验通过 / archive verified: checksums, manifest, version and dump are in order.")
        try:
            self._confirm(options["yes"])
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if not options["no_safety_backup"]:  # a wrong archive chosen must not cost today's data
            try:
                safety = create_backup(default_destination())
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            self.stdout.write(
                f"恢复前的数据已先备份 / the current data was backed up first: {safety.archive}"
            )
        apply(verified, staging)
        self.stdout.write(self.style.SUCCESS("恢复完成 / Restore complete."))
        if not verified.pending:
            return
        listed = ", ".join(f"{app}.{name}" for app, name in verified.pending[:10])
        if options["no_migrate"]:
            self.stdout.write(
                self.style.WARNING(
                    f"备份来自较旧的版本，还有 {len(verified.pending)} 个迁移未应用（{listed}）：请运行 manage.py migrate。\n"
                    f"The archive is from an older version: run `manage.py migrate` ({listed})."
                )
            )
            return
        self.stdout.write(f"备份来自较旧的版本，正在运行 migrate / older archive: running migrate ({listed})")
        call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout, stderr=self.stderr)

    def _confirm(self, yes: bool) -> None:
        if yes:
            return
        if not sys.stdin or not sys.stdin.isatty():
            raise OpsError(
                "恢复会覆盖当前的数据库和上传文件：请在终端中确认，或加 --yes。",
                "A restore replaces the current database and uploads: confirm at a terminal or pass --yes.",
            )
        answer = input(
            "恢复会覆盖当前的数据库和上传文件。输入 yes 继续 / Type yes to replace the current data: "
        )
        if answer.strip().lower() != "yes":
            raise OpsError("已取消，未做任何修改。", "Cancelled; nothing was changed.")

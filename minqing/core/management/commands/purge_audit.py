"""``manage.py purge_audit [--days N] [--dry-run]``: delete audit rows older than the retention period."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minqing.core.audit import MIN_RETENTION_DAYS, RetentionError, audit_purge


class Command(BaseCommand):
    help = (
        f"删除早于保留期（AUDIT_RETENTION_DAYS，至少 {MIN_RETENTION_DAYS} 天）的审计日志，并记录一条清理日志。 / "
        f"Delete audit rows older than the retention period (AUDIT_RETENTION_DAYS, at least "
        f"{MIN_RETENTION_DAYS} days) and record the purge in the log."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="保留天数 / retention in days (default: setting)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只统计，不删除 / count only, delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = audit_purge(days=options["days"], dry_run=options["dry_run"])
        except RetentionError as error:
            raise CommandError(
                f"保留天数不能少于 {MIN_RETENTION_DAYS} 天（给定 {error.args[0]} 天），未删除任何记录。\n"
                f"The retention must be at least {MIN_RETENTION_DAYS} days (got {error.args[0]}); nothing was "
                "deleted."
            ) from None
        cutoff = timezone.localtime(result.cutoff).strftime("%Y-%m-%d %H:%M")
        if options["dry_run"]:
            self.stdout.write(
                f"将删除 {result.deleted} 条 {cutoff} 以前的审计日志（保留 {result.days} 天）/ "
                f"would purge {result.deleted} rows before {cutoff} (dry run)"
            )
            return
        if result.event is None:
            self.stdout.write(f"没有早于 {cutoff} 的审计日志 / nothing older than {cutoff} to purge")
            return
        self.stdout.write(
            f"已删除 {result.deleted} 条 {cutoff} 以前的审计日志（保留 {result.days} 天），新的链首为第 "
            f"{result.anchor_id} 行 / purged {result.deleted} rows before {cutoff}; the chain now starts at "
            f"#{result.anchor_id} (purge recorded as #{result.event.pk})"
        )

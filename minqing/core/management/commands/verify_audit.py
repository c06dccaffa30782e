"""``manage.py verify_audit [--since DATE]``: check the audit log's hash chain; non-zero exit when broken."""

from __future__ import annotations

import datetime
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minqing.core.audit import audit_verify, day_start, parse_day

REASONS = {
    "changed": "内容被修改 / changed",
    "removed": "有行被删除或替换 / removed or replaced",
    "reordered": "顺序被调换 / reordered",
    "inserted": "有行被插入 / inserted",
}


class Command(BaseCommand):
    help = (
        "校验审计日志的哈希链：每行的哈希与内容一致、每行都链接到前一行。发现问题时以非零状态退出并指出第一处断点。 / "
        "Verify the audit log's hash chain (every row matches its hash and links to the row before); exits "
        "non-zero naming the first broken row."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--since",
            type=parse_day,
            default=None,
            help="只校验该日(含)以后的行，YYYY-MM-DD / check only rows from this day on (its first row is trusted)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since: datetime.date | None = options["since"]
        started = time.monotonic()
        report = audit_verify(since=day_start(since) if since is not None else None)
        elapsed = time.monotonic() - started
        if report.broken is not None:
            broken = report.broken
            raise CommandError(
                f"审计日志校验失败：第 {broken.row_id} 行，{REASONS.get(broken.reason, broken.reason)}。\n"
                f"Audit chain broken at row #{broken.row_id} ({broken.reason}): {broken.detail}\n"
                f"已校验 / rows checked before it: {report.checked}, {elapsed:.2f}s"
            )
        if not report.checked:
            self.stdout.write(f"审计日志为空，无需校验 / No audit rows to check ({elapsed:.2f}s)")
            return
        self.stdout.write(
            f"审计日志校验通过 / Audit chain verified: {report.checked} rows "
            f"(#{report.first_id}–#{report.last_id}) in {elapsed:.2f}s\n"
            f"  最新一行 / head: #{report.last_id} {report.head}"
        )

"""``manage.py verify_logs [--photos]``: check the visit log's hash chains; non-zero exit when one is broken."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minqing.visits.services import photos_verify, visits_verify

REASONS = {
    "changed": "内容被修改 / changed",
    "removed": "有记录被删除或替换 / removed or replaced",
    "reordered": "顺序被调换 / reordered",
    "inserted": "有记录被插入 / inserted",
}


class Command(BaseCommand):
    help = (
        "校验走访记录的哈希链（每名记录人一条链）：每条记录与其哈希一致、链接到同一记录人的上一条记录。"
        "发现问题时以非零状态退出并指出被改动的记录。 / Verify the visit log's hash chains (one per author); "
        "exits non-zero naming the broken entry."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--photos",
            action="store_true",
            help="同时校验照片文件与记录中的哈希 / also check every stored photo file against its chained hash",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        report = visits_verify()
        problems = photos_verify() if options["photos"] else []
        elapsed = time.monotonic() - started
        lines = []
        for author_id, chain in report.broken:
            broken = chain.broken
            assert broken is not None
            lines.append(
                f"走访记录校验失败：记录 #{broken.row_id}（记录人 {author_id}），"
                f"{REASONS.get(broken.reason, broken.reason)}。\n"
                f"Visit chain of author {author_id} broken at entry #{broken.row_id} ({broken.reason}): {broken.detail}"
            )
        lines.extend(f"照片校验失败 / photo check failed: {problem}" for problem in problems)
        if lines:
            raise CommandError("\n".join(lines) + f"\n({report.checked} entries, {elapsed:.2f}s)")
        self.stdout.write(
            f"走访记录校验通过 / Visit log verified: {report.checked} entries in {report.chains} chains"
            f"{' and their photos' if options['photos'] else ''} in {elapsed:.2f}s\n"
            f"  链头摘要 / heads digest: {report.heads_digest}"
        )

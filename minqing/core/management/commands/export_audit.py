"""``manage.py export_audit [--from DATE] [--to DATE] --output FILE.xlsx|FILE.csv``: the log for assessors.

Rows in chain order with both hashes, so an assessor can follow the links (each row's 前一行哈希 is the
row_hash of the row before). Change details are masked as the log pages show them (``shown_changes``): a
masked export cannot be re-hashed, the chain itself is checked on the server by ``verify_audit``.
"""

from __future__ import annotations

import csv
import datetime
import json
from argparse import ArgumentParser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from minqing.core import audit
from minqing.core.models import AuditEvent

HEADERS = [
    "编号",
    "时间",
    "操作人编号",
    "操作人",
    "动作",
    "对象类型",
    "对象编号",
    "对象",
    "区域路径",
    "所属户",
    "内容（已脱敏）",
    "IP地址",
    "前一行哈希",
    "本行哈希",
]
WIDTHS = [10, 32, 10, 14, 28, 18, 12, 24, 18, 10, 60, 16, 74, 74]
# A spreadsheet runs text starting with these as a formula (CSV injection): such cells get a leading quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _row(event: AuditEvent) -> list[Any]:
    changes = json.dumps(event.shown_changes, ensure_ascii=False, sort_keys=True)
    return [
        event.pk,
        timezone.localtime(event.at).isoformat(),
        event.actor_id,
        event.actor_name,
        event.verb,
        event.target_type,
        event.target_id,
        event.target_label,
        event.area_path,
        event.household_id,
        changes,
        event.ip or "",
        event.prev_hash,
        event.row_hash,
    ]


def _clean(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _safe(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run as a formula starts with a quote instead."""
    value = _clean(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _write_xlsx(path: Path, rows: Iterator[list[Any]], summary: list[tuple[str, Any]]) -> int:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="审计日志")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold = Font(bold=True)
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_clean(value))
            if isinstance(value, str):
                cell.data_type = "s"  # text never becomes a formula
            cells.append(cell)
        sheet.append(cells)
        count += 1
    about = book.create_sheet(title="说明")
    for key, value in [*summary, ("行数", count)]:
        about.append([key, _clean(value)])
    book.save(path)
    return count


def _write_csv(path: Path, rows: Iterator[list[Any]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # the BOM lets Excel read UTF-8
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(["" if value is None else _safe(value) for value in row])
            count += 1
    return count


class Command(BaseCommand):
    help = (
        "导出审计日志（含哈希，敏感内容已脱敏）为 .xlsx 或 .csv，供等保测评。 / "
        "Export the audit log (with hashes, sensitive values masked) as .xlsx or .csv for assessors."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--from", dest="start", type=audit.parse_day, default=None, help="起始日 YYYY-MM-DD"
        )
        parser.add_argument(
            "--to", dest="end", type=audit.parse_day, default=None, help="截止日(含) YYYY-MM-DD"
        )
        parser.add_argument("--output", type=Path, required=True, help="输出文件 .xlsx 或 .csv / output file")

    def handle(self, *args: Any, **options: Any) -> None:
        start: datetime.date | None = options["start"]
        end: datetime.date | None = options["end"]
        output: Path = options["output"]
        kind = output.suffix.lower()
        if kind not in {".xlsx", ".csv"}:
            raise CommandError(
                "输出文件须以 .xlsx 或 .csv 结尾。\nThe output file must end in .xlsx or .csv."
            )
        if not output.parent.is_dir():
            raise CommandError(f"目录不存在：{output.parent}\nNo such directory: {output.parent}")
        if start is not None and end is not None and end < start:
            raise CommandError("截止日不能早于起始日。\n--to must not be before --from.")
        events = AuditEvent.objects.order_by("pk")
        if start is not None:
            events = events.filter(at__gte=audit.day_start(start))
        if end is not None:
            events = events.filter(at__lt=audit.day_start(end + datetime.timedelta(days=1)))
        rows = (_row(event) for event in events.iterator(chunk_size=2000))
        span = f"{start or '最早'} ~ {end or '最新'}"
        if kind == ".xlsx":
            summary = [
                ("导出时间", timezone.localtime().isoformat()),
                ("范围", span),
                ("内容", "敏感值已脱敏"),
            ]
            count = _write_xlsx(output, rows, summary)
        else:
            count = _write_csv(output, rows)
        audit.record(
            actor=None,
            verb="audit.exported",
            changes={"范围": span, "行数": count, "文件": output.name},
        )
        self.stdout.write(f"已导出 {count} 条审计日志到 {output} / exported {count} audit rows to {output}")

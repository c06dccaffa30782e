"""Read area files: Minqing's ``code,name,level,parent_code`` CSV and the national ``villages.csv``."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .models import LEVEL_LENGTHS, Area, Level

LEVEL_BY_LENGTH = {2: Level.PROVINCE, 4: Level.CITY, 6: Level.COUNTY, 9: Level.TOWNSHIP, 12: Level.VILLAGE}


@dataclass
class Row:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)

    @property
    def ok(self) -> bool:
        return not self.rejected


def _clean(value: str | None) -> str:
    return (value or "").strip().lstrip("\ufeff")


def read_rows(path: Path, *, county: str | None = None) -> list[Row]:
    """Parse either layout into rows; ``county`` keeps only that county's subtree (and its parents)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        if {"code", "name", "level", "parent_code"} <= set(header):
            rows = [
                Row(
                    n,
                    _clean(r.get("code")),
                    _clean(r.get("name")),
                    _clean(r.get("level")),
                    _clean(r.get("parent_code")),
                )
                for n, r in enumerate(reader, start=2)
            ]
        elif {"code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"} <= set(header):
            rows = _villages_layout(reader)
        else:
            raise ValueError(
                _(
                    "无法识别的区划文件表头：%(header)s。应为 code,name,level,parent_code 或全国 villages.csv 格式。"
                )
                % {"header": ",".join(header)}
            )
    if county:
        keep = {county[:n] for n in (2, 4)}
        rows = [r for r in rows if r.code.startswith(county) or r.code in keep]
    return rows


def _villages_layout(reader) -> list[Row]:
    """The national file lists villages only; parents appear as codes and get placeholder rows."""
    rows: list[Row] = []
    parents: dict[str, str] = {}
    for n, r in enumerate(reader, start=2):
        code, street = _clean(r["code"]), _clean(r["streetCode"])
        province, city, county = _clean(r["provinceCode"]), _clean(r["cityCode"]), _clean(r["areaCode"])
        for child, parent in ((city, province), (county, city), (street, county)):
            parents.setdefault(child, parent)
        parents.setdefault(province, "")
        rows.append(Row(n, code, _clean(r["name"]), Level.VILLAGE, street))
    # Parents first, shortest codes first; their names stay as codes unless already known.
    head = [
        Row(0, c, c, LEVEL_BY_LENGTH.get(len(c), ""), p)
        for c, p in sorted(parents.items(), key=lambda x: (len(x[0]), x[0]))
    ]
    return head + rows


def validate_row(row: Row, known_codes: set[str]) -> str | None:
    """Return a Chinese reason if the row cannot be imported."""
    if not row.code.isdigit():
        return _("区划代码必须全部是数字")
    if row.level not in LEVEL_LENGTHS:
        return _("未知的层级“%(level)s”") % {"level": row.level}
    if len(row.code) != LEVEL_LENGTHS[row.level]:
        return _("%(level)s级区划代码应为 %(n)d 位") % {
            "level": Level(row.level).label,
            "n": LEVEL_LENGTHS[row.level],
        }
    if not row.name:
        return _("名称不能为空")
    if len(row.name) > 100:
        return _("名称过长（最多100字）")
    if row.parent_code:
        if not row.code.startswith(row.parent_code) or len(row.parent_code) >= len(row.code):
            return _("区划代码与上级代码 %(parent)s 不一致") % {"parent": row.parent_code}
        if row.parent_code not in known_codes:
            return _("上级代码 %(parent)s 不存在（孤立的区划）") % {"parent": row.parent_code}
    elif row.level != Level.PROVINCE:
        return _("缺少上级代码")
    return None


@transaction.atomic
def import_areas(rows: list[Row], *, dry_run: bool = False) -> ImportReport:
    """Create or update areas. Idempotent. Any rejected row rolls the whole import back."""
    report = ImportReport()
    existing = {a.code: a for a in Area.objects.all()}
    known = set(existing)
    seen: set[str] = set()
    for row in rows:
        reason = validate_row(row, known)
        if reason is None and row.code in seen:
            reason = _("区划代码重复")
        if reason:
            report.rejected.append((row.line, row.code, reason))
            continue
        seen.add(row.code)
        area = existing.get(row.code)
        parent = existing.get(row.parent_code) if row.parent_code else None
        if area is None:
            area = Area.objects.create(code=row.code, name=row.name, level=row.level, parent=parent)
            existing[row.code] = area
            known.add(row.code)
            report.created += 1
        else:
            # Placeholder parent rows of villages.csv (line 0) never rename a known area.
            name = row.name if row.line else area.name
            if (area.name, area.level, area.parent_id) == (name, row.level, getattr(parent, "pk", None)):
                report.unchanged += 1
                continue
            area.name, area.level, area.parent = name, row.level, parent
            area.save(update_fields=["name", "level", "parent"])
            report.updated += 1
    if report.rejected or dry_run:
        transaction.set_rollback(True)
    return report

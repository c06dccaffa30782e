"""Demo areas: the real Yuping county plus 村民小组 and grids, which the national code list does not have."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from minqing.areas.importer import import_areas, read_rows
from minqing.areas.models import Area, GridMember, Level

if TYPE_CHECKING:
    from minqing.accounts.models import User

YUPING_CSV = Path(__file__).resolve().parent.parent / "areas" / "data" / "520622-yuping.csv"
COUNTY_CODE = "520622"
FOCUS_VILLAGE = "520622102211"  # 朱家场镇鱼塘村, the village of the Yuping report: 8 groups, 286 households
FOCUS_GROUPS = 8
CHINESE_NUMBERS = "一二三四五六七八九十"


def group_name(n: int) -> str:
    return f"{CHINESE_NUMBERS[n - 1]}组" if n <= 10 else f"{n}组"


@transaction.atomic
def ensure_demo_areas(*, seed: int = 2026) -> list[Area]:
    """Import Yuping and give each village its groups (001–0NN) and grids (901–9NN). Idempotent.

    Returns the villages.
    """
    report = import_areas(read_rows(YUPING_CSV))
    if report.rejected:
        raise RuntimeError(f"bundled area file rejected: {report.rejected[:3]}")
    villages = list(Area.objects.filter(level=Level.VILLAGE, code__startswith=COUNTY_CODE).order_by("code"))
    existing = set(Area.objects.filter(level__in=[Level.GROUP, Level.GRID]).values_list("code", flat=True))
    new: list[Area] = []
    for index, village in enumerate(villages):
        groups = FOCUS_GROUPS if village.code == FOCUS_VILLAGE else 3 + (index * 7 + seed) % 5
        grids = 3 if village.code == FOCUS_VILLAGE else 1 + (index + seed) % 2
        for n in range(1, groups + 1):
            code = f"{village.code}{n:03d}"
            if code not in existing:
                new.append(Area(code=code, name=group_name(n), level=Level.GROUP, parent=village))
        for n in range(1, grids + 1):
            code = f"{village.code}{900 + n:03d}"
            if code not in existing:
                new.append(
                    Area(code=code, name=f"{village.short_name}第{n}网格", level=Level.GRID, parent=village)
                )
    Area.objects.bulk_create(new)
    return villages


def children_of(village: Area, level: str) -> list[Area]:
    return list(Area.objects.filter(parent=village, level=level).order_by("code"))


def ensure_grid_members(
    *, grid: Area, leader: str, worker: str, informant: str, worker_user: User | None = None
) -> None:
    for duty, name, user in (
        (GridMember.Duty.LEADER, leader, None),
        (GridMember.Duty.WORKER, worker, worker_user),
        (GridMember.Duty.INFORMANT, informant, None),
    ):
        GridMember.objects.get_or_create(grid=grid, duty=duty, name=name, defaults={"user": user})

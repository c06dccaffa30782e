"""Seed the demo county: real Yuping areas, groups and grids, demo logins, and households."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import QuerySet

from minqing.accounts.checks import DEMO_PASSWORD
from minqing.accounts.demo import DEMO_USERS, ensure_demo_users
from minqing.areas.demo import FOCUS_VILLAGE, children_of, ensure_demo_areas, ensure_grid_members
from minqing.areas.models import Area, Level
from minqing.core.scoping import under
from minqing.registry.demo import generate_registry
from minqing.registry.models import Household, Person
from minqing.tags.models import PersonTag
from minqing.tags.services import refresh_all, sync_catalog

if TYPE_CHECKING:
    from minqing.accounts.models import User

FOCUS_HOUSEHOLDS = 286  # 鱼塘村 in the Yuping report: 8 groups, 286 households
STATIONED_PAIRS = 20


def spread(total: int, villages: list[Area]) -> list[int]:
    """Households per village: the focus village keeps its real 286, the rest share the remainder."""
    focus = min(FOCUS_HOUSEHOLDS, total)
    others = [v for v in villages if v.code != FOCUS_VILLAGE]
    rest = total - focus
    base, extra = divmod(rest, len(others)) if others else (0, 0)
    counts = []
    index = 0
    for village in villages:
        if village.code == FOCUS_VILLAGE:
            counts.append(focus)
        else:
            counts.append(base + (1 if index < extra else 0))
            index += 1
    return counts


class Command(BaseCommand):
    help = "Seed the demo county 玉屏侗族自治县 with groups, grids, demo logins and households (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--households", type=int, default=3000, help="households in the county (default 3000)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (deterministic data)")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args: Any, households: int, seed: int, batch_size: int, **options: Any) -> None:
        if households < 1 or households > 5_000_000:
            raise CommandError("--households 应在 1 到 5000000 之间。")
        villages = ensure_demo_areas(seed=seed)
        users = ensure_demo_users()
        if Household.objects.exists():
            self.stdout.write("演示数据已存在，跳过户籍数据生成。")
        else:
            started = time.monotonic()
            plan = [
                (village, children_of(village, Level.GROUP), children_of(village, Level.GRID), count)
                for village, count in zip(villages, spread(households, villages), strict=True)
            ]

            def progress(done: int) -> None:
                if households >= 20_000:
                    rate = done / max(time.monotonic() - started, 1e-6)
                    self.stdout.write(f"  {done:,} / {households:,} 户  ({rate:,.0f} 户/秒)")

            counts = generate_registry(villages=plan, seed=seed, batch_size=batch_size, progress=progress)
            self.stdout.write(
                "生成 {households:,} 户、{persons:,} 人、{houses:,} 处房屋、{places:,} 个场所、{economy:,} 条年度收支".format(
                    **counts
                )
                + f"，用时 {time.monotonic() - started:.1f} 秒。"
            )
        self._link_demo_people(users)
        sync_catalog()
        if not PersonTag.objects.exists():
            started = time.monotonic()
            totals = refresh_all()
            self.stdout.write(
                f"计算 {totals['tags']} 个规则标签，共 {totals['added']:,} 条，用时 {time.monotonic() - started:.1f} 秒。"
            )
        self._print_logins()

    @transaction.atomic
    def _link_demo_people(self, users: dict[str, User]) -> None:
        grids = list(focus_grids())
        if grids:
            ensure_grid_members(
                grid=grids[0], leader="龙光明", worker="杨秀英", informant="吴老三", worker_user=users["grid"]
            )
        stationed = users["stationed"]
        if not Household.objects.filter(responsible_cadre=stationed).exists():
            ids = list(
                Household.objects.filter(under("area_path", FOCUS_VILLAGE))
                .order_by("-poverty_alleviated", "-monitoring_status", "number")
                .values_list("pk", flat=True)[:STATIONED_PAIRS]
            )
            Household.objects.filter(pk__in=ids).update(responsible_cadre=stationed)
        resident = users["resident"]
        if not resident.phone:
            person = (
                Person.objects.filter(under("area_path", FOCUS_VILLAGE), relation="02", deceased=False)
                .exclude(phone="")
                .order_by("household__number")
                .first()
            )
            if person is not None:
                resident.phone = person.phone
                resident.last_name, resident.first_name = person.name[:1], person.name[1:]
                resident.save(update_fields=["phone", "last_name", "first_name"])

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）："))
        self.stdout.write("  admin       系统管理员（全部数据）")
        for username, family, given, role, area_code, _department in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {family}{given} · {role.label} · {area_code}")


def focus_grids() -> QuerySet[Area]:
    return Area.objects.filter(parent__code=FOCUS_VILLAGE, level=Level.GRID).order_by("code")

"""Seed the demo county: real Yuping areas, groups and grids, demo logins, and households."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.accounts.checks import DEMO_PASSWORD
from minqing.registry.models import Household
from minqing.tags.models import PersonTag
from minqing.tags.services import refresh_all, sync_catalog

from ...areas import ensure_demo_areas
from ...seed import link_demo_people, seed_history, village_plan
from ...users import DEMO_USERS, ensure_demo_users
from ...writer import generate_registry


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

            def progress(done: int) -> None:
                if households >= 20_000:
                    rate = done / max(time.monotonic() - started, 1e-6)
                    self.stdout.write(f"  {done:,} / {households:,} 户  ({rate:,.0f} 户/秒)")

            counts = generate_registry(
                villages=village_plan(households, villages),
                seed=seed,
                batch_size=batch_size,
                progress=progress,
            )
            self.stdout.write(
                "生成 {households:,} 户、{persons:,} 人、{houses:,} 处房屋、{places:,} 个场所、{economy:,} 条年度收支".format(
                    **counts
                )
                + f"，用时 {time.monotonic() - started:.1f} 秒。"
            )
        link_demo_people(users)
        sync_catalog()
        if not PersonTag.objects.exists():
            started = time.monotonic()
            totals = refresh_all()
            self.stdout.write(
                f"计算 {totals['tags']} 个规则标签，共 {totals['added']:,} 条，用时 {time.monotonic() - started:.1f} 秒。"
            )
        started = time.monotonic()
        history = seed_history(users, seed=seed)
        if any(history.values()):
            self.stdout.write(
                "鱼塘村工作记录：{rules} 条考核规则、{visits:,} 条走访记录、{plans} 份帮扶计划（{measures} 项措施）、"
                "{checkins} 次签到、{routes} 条诉求派单规则、{requests} 件诉求".format(**history)
                + f"，用时 {time.monotonic() - started:.1f} 秒。"
            )
        if history["figures"] == "village":
            self.stdout.write(
                "只重算了鱼塘村的走访统计；全县统计请运行 manage.py compliance_rebuild（每晚自动运行）。"
            )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）："))
        self.stdout.write("  admin       系统管理员（全部数据）")
        for username, family, given, role, area_code, _department in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {family}{given} · {role.label} · {area_code}")

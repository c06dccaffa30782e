"""A small hand-built township for the compliance tests: exact households, visits, pairings and rules.

T (朱家场镇) holds V (鱼塘村: hv, h2, h3 active, h4 cancelled) and W (邻家村: hw, w2); X (远方村) in U holds hx.
Visits in the running half year: inside → hv, h2 (a minute ago); neighbour → hw, and w2 four times. In
the half year before: inside → h3. Pairings: inside ↔ hv and h3, neighbour ↔ w2. Rules at the county:
every household every 6 months, paired households 4 a month, village cadres 1 visit a week; W sets every
3 months. ``lazy`` is a village cadre of V who logged nothing.
"""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.assistance.models import Pairing
from minqing.compliance import periods
from minqing.compliance.models import QuotaRule
from minqing.core import codes
from minqing.registry.tests.factories import HouseholdFactory
from minqing.visits.models import EntryType, Visit


def log(household, author, at=None, **extra):
    """Append a visit entry as the visit service does (hash chain, post_save), at a chosen time."""
    entry = Visit(
        client_id=uuid.uuid4(),
        household=household,
        area_path=household.area_path,
        grid_path=household.grid_path,
        author=author,
        author_name=str(author),
        kind="home",
        created_at=at or timezone.now() - datetime.timedelta(minutes=1),
        **extra,
    )
    entry.save()
    return entry


def withdraw(entry):
    return log(
        entry.household,
        entry.author,
        at=timezone.now(),
        entry_type=EntryType.WITHDRAWAL,
        corrects=entry,
        origin=entry,
        reason="录错了",
    )


def rule(area, kind, count, **extra):
    return QuotaRule.objects.create(area=area, area_path=area.code, kind=kind, count=count, **extra)


@pytest.fixture
def half_year():
    return periods.containing(periods.today(), 6)


@pytest.fixture
def world(tree, users, records, half_year):
    hv, hw, hx = records.hv, records.hw, records.hx
    h2 = HouseholdFactory(number="5206221022110002", area=tree.v1, head_name="龙二")
    h3 = HouseholdFactory(number="5206221022110003", area=tree.v1, head_name="龙三")
    h4 = HouseholdFactory(
        number="5206221022110004", area=tree.v1, head_name="龙四", status=codes.HouseholdStatus.CANCELLED
    )
    w2 = HouseholdFactory(number="5206221022120002", area=tree.w1, head_name="杨二")
    lazy = assign(UserFactory(username="lazy", last_name="懒"), Role.VILLAGE_CADRE, tree.v)
    before = half_year.start_at() - datetime.timedelta(days=10)
    log(hv, users.inside)
    log(h2, users.inside)
    log(h3, users.inside, at=before)
    log(hw, users.neighbour)
    for minutes in range(2, 6):
        log(w2, users.neighbour, at=timezone.now() - datetime.timedelta(minutes=minutes))
    day = periods.today() - datetime.timedelta(days=40)
    pairings = [
        Pairing.objects.create(household=h, cadre=c, area_path=h.area_path, started_on=day)
        for h, c in ((hv, users.inside), (h3, users.inside), (w2, users.neighbour))
    ]
    rules = SimpleNamespace(
        coverage=rule(tree.county, "coverage", 1, months=6),
        paired=rule(tree.county, "paired", 4),
        cadre=rule(tree.county, "cadre", 1, role=Role.VILLAGE_CADRE, unit="week"),
        w=rule(tree.w, "coverage", 1, months=3),
    )
    return SimpleNamespace(
        tree=tree,
        users=users,
        hv=hv,
        h2=h2,
        h3=h3,
        h4=h4,
        hw=hw,
        w2=w2,
        hx=hx,
        lazy=lazy,
        pairings=pairings,
        rules=rules,
    )

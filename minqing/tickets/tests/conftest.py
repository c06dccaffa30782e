"""Ticket fixtures: seeded categories, routing rules, a second department, a paired cadre, a filing helper."""

import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import DepartmentFactory, UserFactory, assign
from minqing.assistance import services as assistance
from minqing.tickets import services
from minqing.tickets.models import Category, RoutingRule


def ensure_seeded():
    """The seed migration's categories and time limits again, when a transactional test flushed them."""
    if not Category.objects.exists():
        from importlib import import_module

        from django.apps import apps

        import_module("minqing.tickets.migrations.0002_seed_catalogue").seed(apps, None)


@pytest.fixture
def cats(db):
    """Categories of the seed migration: 医疗健康 (01) and its 就医困难 (0101), 住房安全, 邻里纠纷, 其他."""
    ensure_seeded()
    by_code = {c.code: c for c in Category.objects.filter(code__in=["01", "0101", "02", "11", "99"])}
    return SimpleNamespace(
        medical=by_code["01"],
        clinic=by_code["0101"],
        housing=by_code["02"],
        dispute=by_code["11"],
        other=by_code["99"],
    )


@pytest.fixture
def depts(users):
    health = users.health.active_assignments()[0].department
    return SimpleNamespace(health=health, housing=DepartmentFactory(code="housing", name="住建局"))


@pytest.fixture
def builder(depts, tree):
    """A department_staff user of 住建局 (county-wide assignment, like the health user)."""
    return assign(UserFactory(username="builder"), Role.DEPARTMENT_STAFF, tree.county, depts.housing)


@pytest.fixture
def rules(cats, depts):
    """医疗健康 → 卫健局 + paired cadre (county-wide); 住房安全 → 住建局; 邻里纠纷 → the village first."""
    medical = RoutingRule.objects.create(category=cats.medical, add_paired_cadre=True)
    medical.departments.set([depts.health])
    housing = RoutingRule.objects.create(category=cats.housing, add_paired_cadre=True)
    housing.departments.set([depts.housing])
    dispute = RoutingRule.objects.create(category=cats.dispute, village_first=True, add_paired_cadre=True)
    return SimpleNamespace(medical=medical, housing=housing, dispute=dispute)


@pytest.fixture
def stationed(users, records, tree):
    """A stationed cadre paired with the household in V."""
    cadre = assign(UserFactory(username="zhucun"), Role.STATIONED_CADRE, tree.v)
    assistance.pair(actor=users.inside, household=records.hv, cadre=cadre, started_on=timezone.localdate())
    return cadre


@pytest.fixture
def file():
    def _file(actor, *, client_id=None, route=None, **data):
        payload = {
            "channel": "hotline",
            "kind": "help",
            "urgency": "normal",
            "description": "家里老人生病，需要就医帮助",
        }
        payload.update(data)
        ticket, _created = services.file_ticket(
            actor=actor, data=payload, client_id=client_id or uuid.uuid4(), route=route
        )
        return ticket

    return _file


def fresh(user):
    user.__dict__.pop("_assignments", None)
    user.__dict__.pop("_scope_cache", None)
    return user

"""Check-in fixtures: a rule for village V (office network 10.1.0.0/16, or within 1 km of its centre)."""

from decimal import Decimal

import pytest

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.checkins.models import CheckInRule

OFFICE_IP = "10.1.2.3"
ELSEWHERE_IP = "203.0.113.9"
CENTRE = (27.531200, 108.912300)


@pytest.fixture
def rule(tree):
    return CheckInRule.objects.create(
        area=tree.v,
        area_path=tree.v.code,
        networks="10.1.0.0/16",
        allow_location=True,
        latitude=Decimal("27.531200"),
        longitude=Decimal("108.912300"),
        radius_m=1000,
    )


@pytest.fixture
def stationed(tree):
    return assign(
        UserFactory(username="zhucun", last_name="田", first_name="驻村"), Role.STATIONED_CADRE, tree.v
    )


def north_of_centre(metres: float) -> tuple[float, float]:
    """A position ``metres`` north of the centre (one degree of latitude is about 111.2 km)."""
    return CENTRE[0] + metres / 111_195, CENTRE[1]

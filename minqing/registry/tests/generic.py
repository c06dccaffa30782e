"""What the generic page and API tests need to know about each registry model (shared by both files)."""

from __future__ import annotations

import datetime
import itertools

from minqing.core.idnumber import make_id_number
from minqing.core.tests.cases import ModelTestCase
from minqing.registry.models import House, Household, Person, Place
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

_numbers = itertools.count(101)
WHERE = {"v": ("鱼塘", "v1", "vg1"), "w": ("邻家", "w1", "wg1")}


def placed(tree, where: str) -> dict:
    _, area, grid = WHERE[where]
    area, grid = getattr(tree, area), getattr(tree, grid)
    return {"area": area, "area_path": area.code, "grid": grid, "grid_path": grid.code}


def make_household(tree, where: str, head_name: str | None = None) -> Household:
    prefix, area, grid = WHERE[where]
    village = getattr(tree, where)
    head_name = head_name or f"{prefix}户主{next(_numbers)}"
    household = HouseholdFactory(
        number=f"{village.code}{next(_numbers):04d}",
        area=getattr(tree, area),
        grid=getattr(tree, grid),
        head_name=head_name,
    )
    PersonFactory(household=household, name=head_name)
    return household


class HouseholdCase(ModelTestCase):
    model = Household

    def make(self, tree, where):
        return make_household(tree, where)

    def marker(self, obj):
        return obj.number


class PersonCase(ModelTestCase):
    model = Person

    def make(self, tree, where):
        household = make_household(tree, where)
        return PersonFactory(household=household, relation="20", name=f"{WHERE[where][0]}子{next(_numbers)}")

    def marker(self, obj):
        return obj.name


class HouseCase(ModelTestCase):
    model = House

    def make(self, tree, where):
        return House.objects.create(
            address=f"{WHERE[where][0]}村{next(_numbers)}号房", safety_grade="A", **placed(tree, where)
        )

    def marker(self, obj):
        return obj.address


class PlaceCase(ModelTestCase):
    model = Place

    def make(self, tree, where):
        return Place.objects.create(
            name=f"{WHERE[where][0]}小卖部{next(_numbers)}",
            place_type="shop",
            address="村口",
            **placed(tree, where),
        )

    def marker(self, obj):
        return obj.name


def new_id_number() -> str:
    """A valid ID number of a man born 1978-08-08 (an odd 17th digit), new on every call."""
    return make_id_number("520622", datetime.date(1978, 8, 8), (next(_numbers) * 2 + 1) % 1000)

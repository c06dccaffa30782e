import datetime
import itertools

import factory

from minqing.core.idnumber import make_id_number
from minqing.registry.models import Household, Person

_seq = itertools.count(1)


def id_number(birth: datetime.date, *, female: bool = False) -> str:
    n = next(_seq) * 2 + (0 if female else 1)
    return make_id_number("520622", birth, n % 1000)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"T{n:010d}")
    address = factory.LazyAttribute(lambda o: f"{o.area.name}{o.area.code[-3:]}号")
    area_path = factory.LazyAttribute(lambda o: o.area.code)
    grid_path = factory.LazyAttribute(lambda o: o.grid.code if o.grid else "")
    grid = None
    head_name = "户主"
    member_count = 1


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    area = factory.LazyAttribute(lambda o: o.household.area)
    area_path = factory.LazyAttribute(lambda o: o.household.area_path)
    grid = factory.LazyAttribute(lambda o: o.household.grid)
    grid_path = factory.LazyAttribute(lambda o: o.household.grid_path)
    relation = "02"
    name = factory.Sequence(lambda n: f"龙{n}")
    sex = "1"
    birth_date = datetime.date(1970, 5, 17)
    id_number = factory.LazyAttribute(lambda o: id_number(o.birth_date, female=o.sex == "2"))
    phone = factory.Sequence(lambda n: f"139{n:08d}")

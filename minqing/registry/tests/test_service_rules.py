"""Rules the forms show are enforced by the services too, so the API and imports cannot bypass them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from minqing.registry import services
from minqing.registry.models import Household, Person


def add_member(actor, household, name: str, **extra) -> Person:
    data = {"name": name, "sex": "1", "birth_date": datetime.date(1995, 1, 1), "relation": "20", **extra}
    return services.person_add(actor=actor, household=household, data=data)


@pytest.mark.parametrize(
    ("relation", "reason", "message"),
    [
        ("99x", "婚嫁", "与户主的关系"),
        ("12", "   ", "迁移原因"),
        ("12", "长" * 101, "100个字以内"),
    ],
)
def test_person_move_checks_relation_and_reason(users, records, relation, reason, message):
    target = Household.objects.get(pk=records.hv.pk)
    mover = add_member(users.above, records.hw, "杨迁出")
    with pytest.raises(ValidationError, match=message):
        services.person_move(
            actor=users.above, person=mover, to_household=target, relation=relation, reason=reason
        )
    mover.refresh_from_db()
    assert mover.household_id == records.hw.pk  # nothing half-written


def test_person_move_reason_is_tidied(users, records):
    mover = add_member(users.above, records.hw, "杨迁出")
    services.person_move(
        actor=users.above, person=mover, to_household=records.hv, relation="12", reason="  婚  嫁 "
    )
    mover.refresh_from_db()
    assert mover.household_id == records.hv.pk


def test_split_refuses_deceased_members(users, records):
    son = add_member(users.inside, records.hv, "龙分户")
    late = add_member(users.inside, records.hv, "龙已故", deceased=True, death_date=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="已故人员不能分户"):
        services.household_split(
            actor=users.inside, household=records.hv, head=son, members=[late], address=""
        )
    assert Household.objects.count() == 3 and son.household_id == records.hv.pk

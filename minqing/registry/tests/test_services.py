"""Registry services: validation like user input, one person per ID, one head, history, optimistic locking."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from minqing.core.editing import ConcurrentEditError
from minqing.core.idnumber import make_id_number
from minqing.core.models import AuditEvent
from minqing.registry import services
from minqing.registry.models import Household, Person

BIRTH = datetime.date(1985, 3, 9)


def head_data(**overrides):
    data = {
        "name": "龙新户",
        "sex": "1",
        "birth_date": BIRTH,
        "id_number": make_id_number("520622", BIRTH, 51),
    }
    return {**data, **overrides}


def new_household(actor, tree, **head):
    return services.household_create(
        actor=actor,
        data={"area": tree.v1, "grid": tree.vg1, "address": "鱼塘村一组9号"},
        head=head_data(**head),
    )


def test_create_household_with_head(users, tree):
    household = new_household(users.inside, tree)
    assert household.number == "5206221022110001"
    assert (household.head_name, household.member_count, household.area_path, household.grid_path) == (
        "龙新户",
        1,
        tree.v1.code,
        tree.vg1.code,
    )
    head = household.members.get()
    assert head.relation == "02" and head.area_path == tree.v1.code and head.name_initials == "lxh"
    verbs = set(AuditEvent.objects.filter(household_id=household.pk).values_list("verb", flat=True))
    assert verbs == {"registry.household.created", "registry.person.added"}


def test_fifteen_digit_id_is_upgraded(users, tree):
    legacy = "520622850309051"  # 15 digits: 1985-03-09, sequence 051
    household = new_household(users.inside, tree, id_number=legacy)
    assert household.members.get().id_number == make_id_number("520622", BIRTH, 51)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"id_number": "520622198503090512"}, "id_number", "校验"),
        ({"birth_date": datetime.date(1985, 3, 10)}, "birth_date", "不一致"),
        ({"sex": "2"}, "sex", "不一致"),
        ({"birth_date": datetime.date(2999, 1, 1), "id_number": None}, "birth_date", "不能晚于今天"),
        ({"death_date": datetime.date(1980, 1, 1)}, "death_date", "早于出生日期"),
        ({"disability_category": "4"}, "disability_grade", "同时填写"),
    ],
)
def test_invalid_person_input_writes_nothing(users, tree, overrides, field, text):
    with pytest.raises(ValidationError) as caught:
        new_household(users.inside, tree, **overrides)
    assert text in " ".join(caught.value.message_dict[field])
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_duplicate_id_links_visible_person(users, tree, records):
    with pytest.raises(ValidationError) as caught:
        new_household(users.inside, tree, id_number=records.pv.id_number, birth_date=records.pv.birth_date)
    assert records.hv.number in caught.value.message_dict["id_number"][0]
    assert Household.objects.count() == 3


def test_duplicate_id_elsewhere_names_only_the_township(users, tree, records):
    with pytest.raises(ValidationError) as caught:
        new_household(users.inside, tree, id_number=records.px.id_number, birth_date=records.px.birth_date)
    message = caught.value.message_dict["id_number"][0]
    assert "田坪镇" in message and records.px.name not in message and records.hx.number not in message


def test_second_head_is_refused(users, records):
    data = {"name": "龙二", "sex": "1", "birth_date": BIRTH, "relation": "02"}
    with pytest.raises(ValidationError, match="一户只能有一位户主"):
        services.person_add(actor=users.inside, household=records.hv, data=data)


def test_add_member_updates_summary_and_history(users, records):
    data = {"name": "龙小妹", "sex": "2", "birth_date": datetime.date(2015, 6, 1), "relation": "30"}
    services.person_add(actor=users.inside, household=records.hv, data=data)
    records.hv.refresh_from_db()
    assert records.hv.member_count == 2


def test_out_of_scope_and_read_only(users, records):
    data = {"name": "外人", "sex": "1", "birth_date": BIRTH, "relation": "20"}
    with pytest.raises(Http404):
        services.person_add(actor=users.neighbour, household=records.hv, data=data)
    with pytest.raises(PermissionDenied):
        services.person_add(actor=users.county, household=records.hv, data=data)
    with pytest.raises(ValidationError, match="管辖范围"):
        services.household_create(
            actor=users.inside, data={"area": records.hw.area, "address": "x"}, head=head_data()
        )


def test_update_records_each_field_and_bumps_version(users, records):
    household = services.household_update(
        actor=users.inside, household=records.hv, data={"address": "新地址1号", "dibao": "rural"}, version=1
    )
    assert household.version == 2
    event = AuditEvent.objects.get(verb="registry.household.updated")
    assert event.changes["住址"][1] == "新地址1号"
    assert event.changes["低保"] == ["无", "农村低保"]


def test_concurrent_edit_is_refused_and_shows_the_other_change(users, records):
    services.household_update(
        actor=users.above, household=records.hv, data={"address": "甲改的地址"}, version=1
    )
    with pytest.raises(ConcurrentEditError) as caught:
        services.household_update(
            actor=users.inside, household=records.hv, data={"address": "乙改的地址"}, version=1
        )
    assert caught.value.events[0].changes["住址"][1] == "甲改的地址"
    assert "在您打开此页面后修改了" in caught.value.messages[0]
    records.hv.refresh_from_db()
    assert records.hv.address == "甲改的地址"


def test_moving_household_moves_members(users, tree, records):
    services.household_update(
        actor=users.inside, household=records.hv, data={"area": tree.v2, "grid": tree.vg2}, version=1
    )
    records.pv.refresh_from_db()
    assert (records.pv.area_path, records.pv.grid_path) == (tree.v2.code, tree.vg2.code)


def test_move_person_between_households_keeps_history(users, tree, records):
    other = new_household(users.inside, tree)
    wife = services.person_add(
        actor=users.inside,
        household=records.hv,
        data={"name": "吴媳妇", "sex": "2", "birth_date": datetime.date(1990, 1, 1), "relation": "10"},
    )
    services.person_move(actor=users.inside, person=wife, to_household=other, relation="12", reason="婚嫁")
    wife.refresh_from_db()
    assert wife.household == other and wife.relation == "12"
    assert AuditEvent.objects.filter(household_id=records.hv.pk, verb="registry.person.moved_out").exists()
    assert AuditEvent.objects.filter(household_id=other.pk, verb="registry.person.moved_in").exists()


def test_moving_a_head_needs_a_new_head(users, tree, records):
    other = new_household(users.inside, tree)
    son = services.person_add(
        actor=users.inside,
        household=records.hv,
        data={
            "name": "龙儿子",
            "sex": "1",
            "birth_date": datetime.date(2000, 1, 1),
            "relation": "20",
            "no_id_reason": "1",  # a head needs an ID number or a reason
        },
    )
    with pytest.raises(ValidationError, match="指定新户主"):
        services.person_move(
            actor=users.inside, person=records.pv, to_household=other, relation="50", reason="投靠"
        )
    services.person_move(
        actor=users.inside, person=records.pv, to_household=other, relation="50", reason="投靠", new_head=son
    )
    records.hv.refresh_from_db()
    assert records.hv.head_name == "龙儿子"


def test_split_household(users, records):
    son = services.person_add(
        actor=users.inside,
        household=records.hv,
        data={
            "name": "龙分户",
            "sex": "1",
            "birth_date": datetime.date(1995, 1, 1),
            "relation": "20",
            "no_id_reason": "1",  # a head needs an ID number or a reason
        },
    )
    new = services.household_split(actor=users.inside, household=records.hv, head=son, members=[], address="")
    assert new.head_name == "龙分户" and new.members.count() == 1
    assert new.number.startswith(records.hv.area_path[:12])


def test_economy_is_computed(users, records):
    row = services.economy_save(
        actor=users.inside,
        household=records.hv,
        year=2024,
        data={
            "population": 2,
            "wage_income": Decimal(30000),
            "dibao_income": Decimal(4000),
            "business_expense": Decimal(2000),
        },
        version=None,
    )
    assert row.net_per_capita == Decimal("16000.00")
    again = services.economy_save(
        actor=users.inside, household=records.hv, year=2024, data={"wage_income": Decimal(40000)}, version=1
    )
    assert again.pk == row.pk and again.net_per_capita == Decimal("21000.00")


def test_hostile_strings_are_stored_verbatim(users, tree):
    evil = "<script>alert('x')</script>'; DROP TABLE registry_person;--"
    household = services.household_create(
        actor=users.inside, data={"area": tree.v1, "address": evil}, head=head_data(name="龙<b>")
    )
    assert Household.objects.get(pk=household.pk).address == evil

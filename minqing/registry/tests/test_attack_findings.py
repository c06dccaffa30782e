"""Found by the second attack run: each test failed before its fix."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.exports.tests.test_exports import by_name, post, sheet
from minqing.registry import services
from minqing.registry.models import Person
from minqing.registry.tests.factories import PersonFactory


@pytest.fixture
def child(records) -> Person:
    birth = datetime.date(datetime.date.today().year - 10, 6, 1)
    person = PersonFactory(household=records.hv, relation="20", name="万奕辰", birth_date=birth)
    Person.objects.filter(pk=person.pk).update(guardian_name="万奶奶", guardian_phone="13987654321")
    return person


def test_a_minors_guardian_phone_is_hidden_in_the_county_leaders_export(client, users, child):
    row = by_name(sheet(post(client, users.county)))["万奕辰"]
    assert row["监护人联系电话"] == "（无权查看）"


def test_the_village_cadre_export_keeps_the_guardian_phone(client, users, child):
    row = by_name(sheet(post(client, users.inside)))["万奕辰"]
    assert row["监护人联系电话"] == "13987654321"


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("difficulties", "孩子身份证520622201610301235，电话13912345678"),
        ("difficulties", "联系13912345678"),
        ("address", "鱼塘村一组 0856-5512345"),
    ],
)
def test_free_text_refuses_an_id_number_or_a_phone(users, records, field, text):
    with pytest.raises(ValidationError) as refused:
        services.household_update(
            actor=users.inside, household=records.hv, data={field: text}, version=records.hv.version
        )
    assert "身份证号或电话号码" in refused.value.message_dict[field][0]


def test_free_text_keeps_ordinary_numbers(users, records):
    row = services.household_update(
        actor=users.inside,
        household=records.hv,
        data={"difficulties": "房屋漏雨，2024年12月申请危改，需补助3000元", "address": "鱼塘村一组 25号"},
        version=records.hv.version,
    )
    assert row.address == "鱼塘村一组 25号"


def test_a_person_name_field_refuses_an_id_number(users, records):
    with pytest.raises(ValidationError) as refused:
        services.person_update(
            actor=users.inside, person=records.pv, data={"guardian_name": "520622201610301235"}, version=1
        )
    assert "guardian_name" in refused.value.message_dict


def test_negative_land_is_a_field_error_in_chinese(users, records):
    api = APIClient()
    api.force_authenticate(users.inside)
    response = api.patch(
        f"/api/v1/households/{records.hv.pk}/",
        {"cultivated_land_mu": -5, "version": records.hv.version},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "cultivated_land_mu" in errors and "household_land_not_negative" not in str(errors)


@pytest.mark.parametrize("code", ["999999999999", "529999"])
def test_an_area_code_gb_t_2260_never_issued_is_refused(users, records, code):
    with pytest.raises(ValidationError) as refused:
        services.person_update(
            actor=users.inside, person=records.pv, data={"registered_area": code}, version=records.pv.version
        )
    assert "不是有效的县级行政区划代码" in refused.value.message_dict["registered_area"][0]


def test_a_real_area_code_of_another_county_is_accepted(users, records):
    person = services.person_update(
        actor=users.inside, person=records.pv, data={"registered_area": "431227"}, version=records.pv.version
    )
    assert person.registered_area == "431227"


def test_attachment_history_speaks_chinese(login, users, records):
    from minqing.registry.tests.attachment_helpers import add, image_bytes, upload

    add(users.inside, records.hv, upload("photo.png", image_bytes()))
    page = login(users.inside).get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert "original_name" not in page and "content_type" not in page


@pytest.fixture
def father_elsewhere(records) -> Person:
    """A child in V whose father lives in the neighbouring village W (records.pw)."""
    birth = datetime.date(datetime.date.today().year - 20, 6, 1)
    child = PersonFactory(household=records.hv, relation="20", name="龙远子", birth_date=birth)
    Person.objects.filter(pk=child.pk).update(father=records.pw)
    return child


def test_a_parent_outside_the_readers_scope_is_not_named_on_the_page(login, users, records, father_elsewhere):
    inside = login(users.inside).get(father_elsewhere.get_absolute_url()).content.decode()
    assert records.pw.name not in inside and "（不在管辖范围）" in inside
    above = login(users.above).get(father_elsewhere.get_absolute_url()).content.decode()
    assert records.pw.name in above  # the township sees both villages


def test_a_parent_outside_the_owners_scope_is_not_named_in_the_export(
    client, users, records, father_elsewhere
):
    row = by_name(sheet(post(client, users.inside)))["龙远子"]
    assert row["父亲"] == "（不在管辖范围）"


def test_the_edit_form_keeps_an_outside_parent_without_naming_them(login, users, records, father_elsewhere):
    client = login(users.inside)
    page = client.get(reverse("registry:person_edit", args=[father_elsewhere.pk])).content.decode()
    assert records.pw.name not in page
    assert f'value="{records.pw.pk}" selected' in page  # still the link: saving the form keeps it

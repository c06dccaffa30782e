"""Household and person pages: search, the 一户一页 file, forms with Chinese errors, conflicts, escaping."""

import datetime

import pytest
from django.urls import reverse

from minqing.core.idnumber import make_id_number
from minqing.registry import services
from minqing.registry.models import Household, Person
from minqing.registry.tests.factories import PersonFactory


@pytest.mark.parametrize("query_attr", ["head_name", "number", "phone", "id"])
def test_search_box_finds_by_name_number_phone_and_id(login, users, records, query_attr):
    query = records.pv.id_number if query_attr == "id" else getattr(records.hv, query_attr)
    body = login(users.above).get(reverse("registry:household_list"), {"q": query}).content.decode()
    assert records.hv.number in body and records.hw.number not in body


def test_list_is_scoped_and_filtered_by_area(login, users, records, tree):
    client = login(users.above)
    body = client.get(reverse("registry:household_list")).content.decode()
    assert records.hv.number in body and records.hw.number in body and records.hx.number not in body
    body = client.get(reverse("registry:household_list"), {"area": tree.w.code}).content.decode()
    assert records.hw.number in body and records.hv.number not in body
    # Asking for another township's area never widens the scope.
    body = client.get(reverse("registry:household_list"), {"area": tree.x.code}).content.decode()
    assert records.hx.number not in body


def test_htmx_list_returns_rows_only(login, users, records):
    response = login(users.inside).get(reverse("registry:household_list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="household-table"' in body and "<html" not in body


def test_list_query_count_does_not_grow(login, users, records, tree, django_assert_max_num_queries):
    client = login(users.inside)
    client.get(reverse("registry:household_list"))
    with django_assert_max_num_queries(10) as first:
        client.get(reverse("registry:household_list"))
    for n in range(20):
        Household.objects.create(
            number=f"52062210221109{n:02d}", area=tree.v2, area_path=tree.v2.code, address="x"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("registry:household_list"))


def test_household_page_query_count_does_not_grow_with_members(
    login, users, records, django_assert_max_num_queries
):
    client = login(users.inside)
    url = reverse("registry:household", args=[records.hv.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as first:
        client.get(url)
    for n in range(8):
        PersonFactory(household=records.hv, relation="20", name=f"龙子{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('href="/persons/') >= 9


def test_household_page_masks_and_offers_reveal(login, users, records):
    body = login(users.inside).get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert records.pv.id_number not in body and records.pv.id_number_masked in body
    assert "13800001111" not in body and "138****1111" in body
    assert 'hx-post="/reveal/person/' in body
    body = login(users.county).get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert 'hx-post="/reveal/' not in body


def test_create_household_through_the_form(login, users, tree):
    birth = datetime.date(1978, 8, 8)
    data = {
        "area": tree.v1.pk,
        "grid": tree.vg1.pk,
        "address": "鱼塘村一组18号",
        "household_type": "1",
        "status": "1",
        "registration_match": "on",
        "cultivated_land_mu": "2.5",
        "forest_land_mu": "0",
        "food_secure": "on",
        "clothing_secure": "on",
        "education_secure": "on",
        "medical_secure": "on",
        "housing_secure": "on",
        "water_safe": "on",
        "head-name": "杨建档",
        "head-sex": "1",
        "head-birth_date": "1978-08-08",
        "head-id_number": make_id_number("520622", birth, 17),
        "head-ethnicity": "12",
        "head-political_status": "13",
        "head-religion": "00",
        "head-residence_status": "10",
        "head-health": "10",
        "head-medical_insurance": "on",
        "head-registration_match": "on",
    }
    response = login(users.inside).post(reverse("registry:household_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get(head_name="杨建档")
    assert household.members.get().ethnicity == "12"


def test_form_errors_are_chinese_and_beside_the_field(login, users, tree):
    data = {
        "area": tree.v1.pk,
        "address": "x",
        "household_type": "1",
        "status": "1",
        "cultivated_land_mu": "0",
        "forest_land_mu": "0",
        "head-name": "杨错号",
        "head-sex": "1",
        "head-birth_date": "1978-08-08",
        "head-id_number": "520622197808081234",
        "head-ethnicity": "01",
        "head-political_status": "13",
        "head-religion": "00",
        "head-residence_status": "10",
        "head-health": "10",
    }
    response = login(users.inside).post(reverse("registry:household_create"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="id_number"' in body and "校验" in body
    assert Household.objects.count() == 0


def test_edit_conflict_shows_the_other_change(login, users, records):
    services.household_update(actor=users.above, household=records.hv, data={"address": "甲先改"}, version=1)
    client = login(users.inside)
    form = client.get(reverse("registry:household_edit", args=[records.hv.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | dict)}
    data.update({"address": "乙后改", "version": 1, "area": records.hv.area.pk, "grid": records.hv.grid.pk})
    response = client.post(reverse("registry:household_edit", args=[records.hv.pk]), data)
    body = response.content.decode()
    assert 'data-testid="conflict"' in body and "甲先改" in body
    records.hv.refresh_from_db()
    assert records.hv.address == "甲先改"


def test_hostile_strings_are_escaped(login, users, records):
    Household.objects.filter(pk=records.hv.pk).update(difficulties="<script>alert(1)</script>")
    Person.objects.filter(pk=records.pv.pk).update(name="<img src=x onerror=alert(1)>")
    body = login(users.inside).get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<img src=x" not in body


def test_read_only_role_cannot_open_forms(login, users, records):
    client = login(users.county)
    assert client.get(reverse("registry:household_edit", args=[records.hv.pk])).status_code == 403
    assert client.get(reverse("registry:member_add", args=[records.hv.pk])).status_code == 403
    assert client.get(reverse("registry:household_create")).status_code == 403


def test_add_member_and_person_page(login, users, records):
    client = login(users.inside)
    data = {
        "name": "龙小花",
        "sex": "2",
        "birth_date": "2016-02-02",
        "relation": "30",
        "ethnicity": "12",
        "political_status": "13",
        "religion": "00",
        "residence_status": "40",
        "health": "10",
        "medical_insurance": "on",
        "registration_match": "on",
    }
    response = client.post(reverse("registry:member_add", args=[records.hv.pk]), data)
    assert response.status_code == 302
    person = Person.objects.get(name="龙小花")
    body = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "在校" in body and "龙小花" in body


def test_recent_updates_lists_latest_first(login, users, records):
    services.household_update(actor=users.inside, household=records.hv, data={"address": "刚改过"}, version=1)
    body = login(users.above).get(reverse("registry:recent")).content.decode()
    assert body.index(records.hv.number) < body.index(records.hw.number)

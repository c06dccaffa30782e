"""Household, person, house and place pages through the shared base classes (minqing/core/tests/cases.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.core.tests.cases import (
    CreateViewTestCase,
    DetailViewTestCase,
    ListViewTestCase,
    OutOfScopeViewTestCase,
    UpdateViewTestCase,
)
from minqing.registry.models import House, Household, Person, Place

from .generic import WHERE, HouseCase, HouseholdCase, PersonCase, PlaceCase, new_id_number

pytestmark = pytest.mark.django_db


class TestHouseholdViews(
    HouseholdCase,
    ListViewTestCase,
    DetailViewTestCase,
    OutOfScopeViewTestCase,
    CreateViewTestCase,
    UpdateViewTestCase,
):
    list_url = "registry:household_list"
    detail_url = "registry:household"
    create_url = "registry:household_create"
    update_url = "registry:household_edit"
    object_urls = (
        "registry:household",
        "registry:household_edit",
        "registry:member_add",
        "registry:household_split",
        "registry:economy_edit",
        "registry:attachment_upload",
    )
    update_data = {"address": "鱼塘村一组新18号"}

    def create_data(self, tree, where):
        _, area, grid = WHERE[where]
        return {
            "area": getattr(tree, area).pk,
            "grid": getattr(tree, grid).pk,
            "address": "一组18号",
            "household_type": "1",
            "status": "1",
            "cultivated_land_mu": "2.5",
            "forest_land_mu": "0",
            "head-name": "杨建档",
            "head-sex": "1",
            "head-birth_date": "1978-08-08",
            "head-id_number": new_id_number(),
            "head-ethnicity": "12",
            "head-political_status": "13",
            "head-religion": "00",
            "head-residence_status": "10",
            "head-health": "10",
        }

    def created(self, data):
        return Household.objects.get(head_name="杨建档")


class TestPersonViews(
    PersonCase,
    ListViewTestCase,
    DetailViewTestCase,
    OutOfScopeViewTestCase,
    CreateViewTestCase,
    UpdateViewTestCase,
):
    list_url = "registry:person_list"
    detail_url = "registry:person"
    create_url = "registry:member_add"
    update_url = "registry:person_edit"
    object_urls = ("registry:person", "registry:person_edit", "registry:person_move")
    update_data = {"occupation": "农民"}

    def create_path(self, tree, obj=None):
        return reverse(self.create_url, args=[obj.household_id])

    def create_data(self, tree, where):
        return {
            "name": "龙小花",
            "sex": "2",
            "birth_date": "2016-02-02",
            "relation": "30",
            "ethnicity": "12",
            "political_status": "13",
            "religion": "00",
            "residence_status": "40",
            "health": "10",
        }

    def created(self, data):
        return Person.objects.get(name=data["name"])

    def created_redirect(self, new):
        return new.household.get_absolute_url()  # a member is added from, and back to, the household page

    def test_create_in_another_area_is_refused(self, client, users, tree, obj):
        """A member is added on the household's page: another area's household is 404, not a form error."""
        other_household = self.make(tree, "w").household
        client.force_login(self.user(users, "in_scope"))
        before = Person.objects.count()
        url = reverse(self.create_url, args=[other_household.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, self.create_data(tree, "v")).status_code == 404
        assert Person.objects.count() == before


def house_data(tree, where):
    _, area, grid = WHERE[where]
    return {
        "area": getattr(tree, area).pk,
        "grid": getattr(tree, grid).pk if where == "v" else "",
        "address": "新建9号",
        "structure": "2",
        "floor_area": "120.5",
        "build_year": "2010",
        "safety_grade": "A",
        "use": "01",
    }


class TestHouseViews(
    HouseCase,
    ListViewTestCase,
    DetailViewTestCase,
    OutOfScopeViewTestCase,
    CreateViewTestCase,
    UpdateViewTestCase,
):
    list_url = "registry:house_list"
    detail_url = "registry:house"
    create_url = "registry:house_create"
    update_url = "registry:house_edit"
    object_urls = ("registry:house", "registry:house_edit")
    update_data = {"address": "鱼塘村一组8号之二", "safety_grade": "D"}

    def create_data(self, tree, where):
        return house_data(tree, where)

    def created(self, data):
        return House.objects.get(address=data["address"])


class TestPlaceViews(
    PlaceCase,
    ListViewTestCase,
    DetailViewTestCase,
    OutOfScopeViewTestCase,
    CreateViewTestCase,
    UpdateViewTestCase,
):
    list_url = "registry:place_list"
    detail_url = "registry:place"
    create_url = "registry:place_create"
    update_url = "registry:place_edit"
    object_urls = ("registry:place", "registry:place_edit")
    update_data = {"address": "村委旁", "hazard_type": "01"}

    def create_data(self, tree, where):
        _, area, _grid = WHERE[where]
        return {
            "area": getattr(tree, area).pk,
            "grid": "",
            "name": "新开卫生室",
            "place_type": "clinic",
            "address": "二组1号",
            "responsible_person": "龙医生",
            "phone": "13900001234",
            "hazard_type": "00",
        }

    def created(self, data):
        return Place.objects.get(name=data["name"])

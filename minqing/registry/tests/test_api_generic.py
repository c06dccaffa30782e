"""Household, person, house and place endpoints through the shared API base classes (minqing/core/tests/cases.py)."""

from __future__ import annotations

import pytest

from minqing.core.tests.cases import APICreateTestCase, APIDetailTestCase, APIListTestCase, APIUpdateTestCase

from .generic import WHERE, HouseCase, HouseholdCase, PersonCase, PlaceCase, make_household, new_id_number

pytestmark = pytest.mark.django_db


class TestHouseholdAPI(
    HouseholdCase, APIListTestCase, APIDetailTestCase, APICreateTestCase, APIUpdateTestCase
):
    basename = "household"
    api_marker_field = "number"
    api_update_data = {"address": "鱼塘村一组新18号", "dibao": "rural"}

    def api_create_data(self, tree, obj, where):
        _, area, grid = WHERE[where]
        head = {"name": "龙新户", "sex": "1", "birth_date": "1978-08-08", "id_number": new_id_number()}
        return {
            "area": getattr(tree, area).code,
            "grid": getattr(tree, grid).code,
            "address": "8号",
            "head": head,
        }


class TestPersonAPI(PersonCase, APIListTestCase, APIDetailTestCase, APICreateTestCase, APIUpdateTestCase):
    basename = "person"
    api_marker_field = "name"
    api_update_data = {"occupation": "农民"}
    placement_field = "household"

    def api_create_data(self, tree, obj, where):
        household = obj.household if where == "v" else make_household(tree, "w")
        return {
            "household": household.pk,
            "name": "龙小妹",
            "relation": "30",
            "sex": "2",
            "birth_date": "2010-03-04",
        }


class TestHouseAPI(HouseCase, APIListTestCase, APIDetailTestCase, APICreateTestCase, APIUpdateTestCase):
    basename = "house"
    api_marker_field = "address"
    api_update_data = {"address": "鱼塘村一组8号之二", "safety_grade": "D"}

    def api_create_data(self, tree, obj, where):
        return {"area": getattr(tree, WHERE[where][1]).code, "address": "新建9号", "safety_grade": "A"}


class TestPlaceAPI(PlaceCase, APIListTestCase, APIDetailTestCase, APICreateTestCase, APIUpdateTestCase):
    basename = "place"
    api_marker_field = "name"
    api_update_data = {"hazard_type": "01", "address": "村委旁"}

    def api_create_data(self, tree, obj, where):
        area = getattr(tree, WHERE[where][1]).code
        return {"area": area, "name": "新开幼儿园", "place_type": "kindergarten", "address": "村委旁"}

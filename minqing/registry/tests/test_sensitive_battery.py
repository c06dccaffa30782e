"""Every registered sensitive field × every output × every role: no clear value, ever, without the reveal.

The battery reads ``core.sensitive`` itself, so a field registered later is covered without a new test:
each stored value is looked for, in clear, in every page, edit form, list, API reply, history and audit
log, and admin page that can show it, as every standard role (roles that may not open a page get 403/404
and are checked all the same). Exports are covered in ``exports/tests`` (clear only for reveal holders).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.core import sensitive
from minqing.registry import services
from minqing.registry.models import Household, Place

pytestmark = pytest.mark.django_db

ROLES = ["inside", "neighbour", "above", "grid", "county", "desk", "supervisor", "data_admin", "admin"]


@pytest.fixture
def stored(records, users):
    """The records of V with every sensitive field filled, edited once (history and audit hold values)."""
    person = records.pv
    services.person_update(
        actor=users.admin,
        person=person,
        data={
            "disability_category": "1",
            "disability_grade": "2",
            "disability_cert_no": f"{person.id_number}12",
        },
        version=person.version,
    )
    person.refresh_from_db()
    place = Place.objects.create(
        area=records.hv.area,
        area_path=records.hv.area_path,
        name="鱼塘小卖部",
        address="鱼塘村3号",
        place_type="shop",
        phone="13955556666",
    )
    household = Household.objects.get(pk=records.hv.pk)
    objects = [person, household, place]
    values = [
        str(getattr(obj, name)) for obj in objects for name in sensitive.fields_of(obj) if getattr(obj, name)
    ]
    assert len(values) == 5  # ID, phone, certificate; household phone; place phone
    return {"person": person, "household": household, "place": place, "values": values}


def outputs(stored) -> list[str]:
    person, household, place = stored["person"], stored["household"], stored["place"]
    return [
        person.get_absolute_url(),
        household.get_absolute_url(),
        place.get_absolute_url(),
        reverse("registry:person_edit", args=[person.pk]),
        reverse("registry:household_edit", args=[household.pk]),
        reverse("registry:place_edit", args=[place.pk]),
        reverse("registry:person_list"),
        reverse("registry:household_list"),
        reverse("registry:place_list"),
        reverse("registry:household_list") + f"?q={household.number}",
        "/api/v1/persons/",
        f"/api/v1/persons/{person.pk}/",
        "/api/v1/households/",
        f"/api/v1/households/{household.pk}/",
        "/api/v1/places/",
        f"/api/v1/places/{place.pk}/",
        reverse("core:audit"),
        f"/admin/registry/person/{person.pk}/change/",
        f"/admin/registry/household/{household.pk}/change/",
        f"/admin/registry/place/{place.pk}/change/",
        "/admin/registry/person/",
        "/admin/core/auditevent/",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_no_output_shows_a_clear_sensitive_value_to_any_role(client, users, stored, role):
    client.force_login(getattr(users, role))
    leaks = []
    for url in outputs(stored):
        response = client.get(url, HTTP_ACCEPT="application/json" if url.startswith("/api/") else "text/html")
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        body = response.content.decode()
        leaks += [(url, value) for value in stored["values"] if value in body]
    assert not leaks


def test_the_battery_would_see_a_leak(client, users, stored):
    """The same check on the reveal reply finds the clear value: the battery looks where values would be."""
    client.force_login(users.inside)
    person = stored["person"]
    response = client.post(reverse("registry:reveal", args=["person", person.pk, "id_number"]))
    assert response.status_code == 200 and person.id_number in response.content.decode()

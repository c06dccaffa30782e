"""Every write path refuses a bad phone number the same way and stores a good one in one form.

Paths: the HTML forms, the API (POST, PATCH), the services called directly. (There is no bulk
import of households yet; when it comes it calls the same services.) Stored forms: ``13812345678``
for mobiles, ``0851-22222222`` for landlines (see ``minqing.core.phone``).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from minqing.core.phone import phone_fields
from minqing.registry.filters import household_search, person_search
from minqing.registry.models import Household, Person, Place
from minqing.registry.services import household_update, person_update
from minqing.registry.tests.api_helpers import household_payload, url

pytestmark = pytest.mark.django_db

BAD = ["12345", "打电话abc", "2222222", "138123456789"]
HINT = "11位手机号"


def _form_post(form, **changes):
    """What a browser posts for ``form`` as rendered, with ``changes`` typed in."""
    data = {}
    for bound in form:
        value = bound.value()
        if bound.widget_type == "checkbox":
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


# ------------------------------------------------------------------------------------------- forms


@pytest.mark.parametrize("bad", BAD)
def test_person_form_refuses_a_bad_phone(login, users, records, bad):
    client = login(users.inside)
    edit = reverse("registry:person_edit", args=[records.pv.pk])
    response = client.post(edit, _form_post(client.get(edit).context["form"], phone=bad))
    assert response.status_code == 200
    assert HINT in " ".join(response.context["form"].errors["phone"])
    assert Person.objects.get(pk=records.pv.pk).phone == "13800001111"


def test_person_form_stores_the_normal_form(login, users, records):
    client = login(users.inside)
    edit = reverse("registry:person_edit", args=[records.pv.pk])
    response = client.post(edit, _form_post(client.get(edit).context["form"], phone="+86 139-0000-2222"))
    assert response.status_code == 302
    assert Person.objects.get(pk=records.pv.pk).phone == "13900002222"


def test_household_form_refuses_then_stores_a_landline(login, users, records):
    client = login(users.inside)
    edit = reverse("registry:household_edit", args=[records.hv.pk])
    refused = client.post(edit, _form_post(client.get(edit).context["form"], phone="12345"))
    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["phone"]
    assert HINT in refused.context["form"].errors["phone"][0]
    assert Household.objects.get(pk=records.hv.pk).phone == "13800001111"
    saved = client.post(edit, _form_post(client.get(edit).context["form"], phone="0851 2222 2222"))
    assert saved.status_code == 302, saved.context["form"].errors
    assert Household.objects.get(pk=records.hv.pk).phone == "0851-22222222"


# --------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize("bad", BAD)
def test_api_patch_refuses_a_bad_phone(as_user, records, bad):
    response = as_user("inside").patch(
        url("household", records.hv.pk), {"phone": bad, "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert HINT in response.json()["errors"]["phone"][0]
    records.hv.refresh_from_db()
    assert records.hv.phone == "13800001111" and records.hv.version == 1


def test_api_patch_stores_the_normal_form(as_user, records):
    client = as_user("inside")
    response = client.patch(
        url("person", records.pv.pk), {"phone": "085122222222", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=records.pv.pk).phone == "0851-22222222"
    response = client.patch(
        url("person", records.pv.pk), {"phone": "0851-22222222-123", "version": 2}, format="json"
    )
    assert response.status_code == 200
    assert Person.objects.get(pk=records.pv.pk).phone == "0851-22222222-123"


def test_api_post_household_refuses_a_bad_head_phone(as_user, tree):
    before = Household.objects.count()
    payload = household_payload(tree)
    payload["head"]["phone"] = "12345"
    response = as_user("inside").post(url("household"), payload, format="json")
    assert response.status_code == 400
    assert HINT in str(response.json()["errors"])
    assert Household.objects.count() == before


def test_api_post_household_stores_the_normal_form(as_user, tree):
    payload = household_payload(tree, phone="+86 137 0000 8888")
    payload["head"]["phone"] = "137-0000-7777"
    response = as_user("inside").post(url("household"), payload, format="json")
    assert response.status_code == 201, response.content
    household = Household.objects.get(pk=response.json()["id"])
    assert household.phone == "13700008888"
    assert household.members.get().phone == "13700007777"


def test_api_post_place_refuses_a_bad_phone(as_user, tree):
    data = {"area": tree.v.code, "name": "鱼塘幼儿园", "place_type": "kindergarten", "address": "村委旁"}
    response = as_user("inside").post(url("place"), {**data, "phone": "打电话abc"}, format="json")
    assert response.status_code == 400
    assert HINT in response.json()["errors"]["phone"][0]
    assert not Place.objects.filter(name="鱼塘幼儿园").exists()


# ------------------------------------------------------------------------------------------ service


def test_service_refuses_a_bad_phone(users, records):
    with pytest.raises(ValidationError) as info:
        person_update(actor=users.inside, person=records.pv, data={"phone": "12345"}, version=1)
    assert HINT in info.value.message_dict["phone"][0]
    assert Person.objects.get(pk=records.pv.pk).phone == "13800001111"


def test_service_stores_the_normal_form_and_an_unchanged_number_is_no_change(users, records):
    row = household_update(
        actor=users.inside, household=records.hv, data={"phone": "138 0000 1111"}, version=1
    )
    assert row.version == 1  # the same number written differently changes nothing
    row = household_update(
        actor=users.inside, household=records.hv, data={"phone": "(0856)1234567"}, version=1
    )
    assert row.version == 2
    assert Household.objects.get(pk=records.hv.pk).phone == "0856-1234567"


# ------------------------------------------------------------------------------------------- search


def test_search_finds_a_landline_typed_without_the_dash(users, records):
    household_update(actor=users.inside, household=records.hv, data={"phone": "0851-22222222"}, version=1)
    person_update(actor=users.inside, person=records.pv, data={"phone": "0851-22222222"}, version=1)
    assert list(household_search(Household.objects.all(), "085122222222")) == [records.hv]
    assert list(person_search(Person.objects.all(), "0851 2222 2222")) == [records.pv]


def test_every_phone_field_is_normalised_by_the_edit_path():
    # core.editing.validate normalises every field that carries validate_phone (guardian_phone too).
    assert phone_fields(Household) == ["phone"]
    assert "phone" in phone_fields(Person)
    assert phone_fields(Place) == ["phone"]

"""A stationed cadre (驻村干部) may change the files of the households paired with them, and only those.

Every registry write path is walked: pages (GET form 200, POST 302), API (PATCH 200, POST member 201), the
services; an unpaired household of the same village stays read-only (403 on pages, 404 on API updates, which
look rows up in the change scope), other villages 404; the right ends with the pairing.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.models import Assignment
from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.assistance import services
from minqing.core.tests.cases import form_data
from minqing.registry import services as registry
from minqing.registry.models import House, Household, Person
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

TODAY = timezone.localdate()


@pytest.fixture
def paired(users, records, tree):
    stationed = assign(UserFactory(username="zhucun"), Role.STATIONED_CADRE, tree.v)
    other = HouseholdFactory(number="5206221022110002", area=tree.v2, head_name="龙未结对")
    other_person = PersonFactory(household=other, name="龙未结对")
    pairing = services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY)
    return stationed, other, other_person, pairing


def fresh(user):
    user.__dict__.pop("_assignments", None)
    user.__dict__.pop("_scope_cache", None)
    return user


def test_visible_to_change_adds_exactly_the_paired_household(users, records, paired):
    stationed, other, _other_person, _pairing = paired
    assert list(Household.objects.visible_to(stationed, "change")) == [records.hv]
    assert list(Person.objects.visible_to(stationed, "change")) == [records.pv]
    for action in ("reveal", "health", "minors", "view"):  # unchanged: the whole village, as before
        assert set(Household.objects.visible_to(stationed, action)) == {records.hv, other}
    for action in ("export", "manage", "audit", "assist"):
        assert not Household.objects.visible_to(stationed, action).exists()
    assert not stationed.can("change")  # no area-wide change right: no create pages
    # Other roles are unchanged by being someone's 帮扶责任人.
    assert set(Household.objects.visible_to(users.supervisor, "change")) == set()


def test_pages_role_by_role(login, users, records, paired):
    stationed, other, other_person, _pairing = paired
    client = login(stationed)
    expectations = [
        ("registry:household_edit", records.hv.pk, 200),
        ("registry:member_add", records.hv.pk, 200),
        ("registry:economy_edit", records.hv.pk, 200),
        ("registry:person_edit", records.pv.pk, 200),
        ("registry:household_edit", other.pk, 403),
        ("registry:member_add", other.pk, 403),
        ("registry:person_edit", other_person.pk, 403),
        ("registry:household_edit", records.hw.pk, 404),
        ("registry:person_edit", records.pw.pk, 404),
        ("registry:household_edit", records.hx.pk, 404),
        ("registry:household_create", None, 403),
    ]
    for name, pk, status in expectations:
        url = reverse(name, args=[pk] if pk else [])
        assert client.get(url).status_code == status, (name, pk)
    assert client.get(reverse("registry:economy_edit", args=[other.pk])).status_code == 404


def test_stationed_cadre_saves_the_paired_household_and_its_member(login, records, paired):
    stationed, *_ = paired
    client = login(stationed)
    url = reverse("registry:household_edit", args=[records.hv.pk])
    form = client.get(url).context["form"]
    response = client.post(url, form_data(form, address="鱼塘村一组8号", version=1))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert Household.objects.get(pk=records.hv.pk).address == "鱼塘村一组8号"
    assert Household.objects.get(pk=records.hv.pk).responsible_cadre_id == stationed.pk

    url = reverse("registry:person_edit", args=[records.pv.pk])
    form = client.get(url).context["form"]
    response = client.post(
        url, form_data(form, occupation="务工", version=Person.objects.get(pk=records.pv.pk).version)
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=records.pv.pk).occupation == "务工"


def test_api_role_by_role(login, records, paired):
    stationed, other, other_person, _pairing = paired
    client = login(stationed)
    hv = Household.objects.get(pk=records.hv.pk)
    url = reverse("api:household-detail", args=[hv.pk])
    response = client.patch(
        url, {"address": "鱼塘村一组9号", "version": hv.version}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    for household in (other, records.hw, records.hx):
        url = reverse("api:household-detail", args=[household.pk])
        assert (
            client.patch(url, {"address": "x", "version": 1}, content_type="application/json").status_code
            == 404
        )
    url = reverse("api:person-detail", args=[records.pv.pk])
    version = Person.objects.get(pk=records.pv.pk).version
    assert (
        client.patch(
            url, {"occupation": "务农", "version": version}, content_type="application/json"
        ).status_code
        == 200
    )
    url = reverse("api:person-detail", args=[other_person.pk])
    assert (
        client.patch(url, {"occupation": "务农", "version": 1}, content_type="application/json").status_code
        == 404
    )
    member = {"name": "龙新生", "relation": "20", "sex": "1", "birth_date": "2020-01-02", "no_id_reason": "1"}
    response = client.post(
        reverse("api:person-list"), {**member, "household": hv.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    response = client.post(
        reverse("api:person-list"), {**member, "household": other.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and "household" in response.json()["errors"]
    # The responsible cadre cannot be changed through the household API: it is read-only there.
    response = client.patch(
        reverse("api:household-detail", args=[hv.pk]),
        {"responsible_cadre": None, "version": Household.objects.get(pk=hv.pk).version},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert Household.objects.get(pk=hv.pk).responsible_cadre_id == stationed.pk


def test_the_right_ends_with_the_pairing(login, users, records, paired):
    stationed, _other, _person, pairing = paired
    services.end_pairing(actor=users.inside, pairing=pairing, ended_on=TODAY, reason="调离")
    client = login(stationed)
    assert client.get(reverse("registry:household_edit", args=[records.hv.pk])).status_code == 403
    assert client.get(reverse("registry:person_edit", args=[records.pv.pk])).status_code == 403
    hv = Household.objects.get(pk=records.hv.pk)
    with pytest.raises(PermissionDenied):
        registry.household_update(
            actor=fresh(stationed), household=hv, data={"address": "x"}, version=hv.version
        )


def test_the_right_needs_a_stationed_assignment_covering_the_household(users, records, paired, tree):
    stationed, *_ = paired
    hv = Household.objects.get(pk=records.hv.pk)
    registry.household_update(
        actor=fresh(stationed), household=hv, data={"address": "甲"}, version=hv.version
    )
    Assignment.objects.filter(user=stationed).update(is_active=False)
    assign(stationed, Role.STATIONED_CADRE, tree.w)  # moved to another village, pairing not yet ended
    assert not Household.objects.visible_to(fresh(stationed), "change").exists()
    # A responsible cadre who is not a stationed cadre gets nothing from it either.
    grid_user = users.grid
    Household.objects.filter(pk=records.hw.pk).update(responsible_cadre=users.supervisor)
    assert not Household.objects.visible_to(users.supervisor, "change").exists()
    assert set(Household.objects.visible_to(grid_user, "change")) == {records.hv}  # its own grid, as before


def test_household_page_shows_edit_for_the_paired_household_only(login, records, paired):
    stationed, other, *_ = paired
    client = login(stationed)
    edit = reverse("registry:household_edit", args=[records.hv.pk])
    assert edit in client.get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    body = client.get(reverse("registry:household", args=[other.pk])).content.decode()
    assert reverse("registry:household_edit", args=[other.pk]) not in body


def test_a_house_for_the_paired_household_only(login, records, paired):
    stationed, other, *_ = paired
    client = login(stationed)
    url = reverse("registry:house_create")
    assert client.get(url).status_code == 403  # no area-wide change right: no free-standing house
    assert client.get(url, {"household": other.pk}).status_code == 403
    assert client.get(url, {"household": records.hw.pk}).status_code == 404
    form = client.get(url, {"household": records.hv.pk}).context["form"]
    response = client.post(
        f"{url}?household={records.hv.pk}", form_data(form, address="鱼塘村一组8号附房", structure="")
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    house = House.objects.get(address="鱼塘村一组8号附房")
    assert (house.household_id, house.area_id) == (records.hv.pk, records.hv.area_id)
    api = client.post(
        reverse("api:house-list"),
        {"household": records.hv.pk, "address": "一组8号猪圈"},
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    refused = client.post(
        reverse("api:house-list"), {"household": other.pk, "address": "x"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "household" in refused.json()["errors"]

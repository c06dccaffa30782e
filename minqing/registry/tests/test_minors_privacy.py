"""Minors' identifiers (PIPL art. 28): ID number, phone, birth date and files of a person under 14 show only
where the reader holds the ``minors`` right.

County leaders and supervisors read the household files but see "—（无权查看）" for a 10-year-old's values on
the person page, the household page, the API, history and export files; the reveal and the child's files
answer 403. Grid workers and village cadres see them (masked, revealable with an audit row). An adult's
values are unchanged for everyone, and searching by age stays open.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.roles import PERMISSIONS, Role, role_allows
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.core import restricted
from minqing.core.idnumber import mask_id_number, mask_phone
from minqing.core.models import AuditEvent
from minqing.exports.tests.test_exports import by_name, post, sheet
from minqing.registry import services
from minqing.registry.models import Person
from minqing.registry.models.households import MINOR_AGE, is_minor
from minqing.registry.tests.api_helpers import url
from minqing.registry.tests.attachment_helpers import add, body, image_bytes, upload
from minqing.registry.tests.factories import PersonFactory, id_number

HIDDEN = "—（无权查看）"
HIDDEN_CELL = "（无权查看）"
CHILD_PHONE = "13700007777"
REVEALED = "sensitive.revealed"
#: Readers without the right (200 on the pages, values hidden) and with it (values shown).
WITHOUT = ["county", "supervisor"]
WITH = ["grid", "inside", "above", "data_admin"]


def years_ago(years: int, *, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    if (today.month, today.day) == (2, 29):  # no 29 February in most years: a day earlier is safe here
        today -= datetime.timedelta(days=1)
    return today.replace(year=today.year - years) + datetime.timedelta(days=days)


@pytest.fixture
def child(records) -> Person:
    """A 10-year-old in V's household (grid 1), with an ID number and a phone of her own."""
    birth = datetime.date(timezone.localdate().year - 10, 6, 1)
    return PersonFactory(
        household=records.hv,
        relation="20",
        name="龙小妹",
        sex="2",
        birth_date=birth,
        id_number=id_number(birth, female=True),
        phone=CHILD_PHONE,
    )


def child_values(child: Person) -> list[str]:
    """What must not show to readers without the right: masked ID, masked phone, exact birth date."""
    return [mask_id_number(child.id_number), mask_phone(child.phone), child.birth_date.strftime("%Y-%m-%d")]


# ------------------------------------------------------------------------------------------ the rule


def test_roles_table_grants_minors_to_the_roles_that_need_it():
    granted = {role for role in Role if role_allows(role, "minors")}
    assert granted == {
        Role.GRID_WORKER,
        Role.VILLAGE_CADRE,
        Role.STATIONED_CADRE,
        Role.TOWNSHIP_STAFF,
        Role.DATA_ADMIN,
    }


def test_minors_fields_are_registered_with_a_condition():
    minors = restricted.all_fields("minors")[Person]
    assert {"id_number", "phone", "birth_date"} <= set(minors)
    assert "age" not in minors and "name" not in minors


@pytest.mark.parametrize(
    ("birth", "minor"),
    [
        (years_ago(10), True),
        (years_ago(MINOR_AGE, days=1), True),  # 14 tomorrow: still 13 today
        (years_ago(MINOR_AGE), False),  # 14th birthday today
        (years_ago(40), False),
    ],
)
def test_a_minor_is_under_14_today(birth, minor):
    assert MINOR_AGE == 14
    assert is_minor(Person(birth_date=birth)) is minor
    assert is_minor(Person(birth_date=birth, deceased=True)) is minor  # the deceased count by age today


def test_may_see_asks_the_condition_then_the_right(users, records, child):
    assert not restricted.may_see(users.county, "minors", child)
    assert not restricted.may_see(users.supervisor, "minors", child)
    assert not restricted.may_see(users.neighbour, "minors", child)  # W's cadre: the right, not here
    assert restricted.may_see(users.grid, "minors", child)
    assert restricted.may_see(users.inside, "minors", child)
    assert restricted.may_see(users.county, "minors", records.pv)  # an adult: no restriction
    assert restricted.hidden_fields(users.county, child) >= {"id_number", "phone", "birth_date"}
    assert not restricted.hidden_fields(users.county, records.pv) & {"id_number", "phone", "birth_date"}


# -------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("who", WITHOUT)
def test_person_page_hides_a_childs_values(login, users, child, who):
    response = login(getattr(users, who)).get(child.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    for value in child_values(child):
        assert value not in text, value
    assert text.count(HIDDEN) >= 3  # ID number, phone, birth date
    assert "10岁" in text or "9岁" in text  # the age in years still shows
    assert reverse("registry:reveal", args=["person", child.pk, "id_number"]) not in text


@pytest.mark.parametrize("who", WITH)
def test_person_page_shows_a_childs_values_masked(login, users, child, who):
    response = login(getattr(users, who)).get(child.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    for value in child_values(child):
        assert value in text, value
    assert child.id_number not in text  # masked still: clear only through the reveal
    assert reverse("registry:reveal", args=["person", child.pk, "id_number"]) in text


@pytest.mark.parametrize("who", [*WITHOUT, *WITH])
def test_adults_values_are_unchanged_for_everyone(login, users, records, who):
    adult = records.pv
    text = login(getattr(users, who)).get(adult.get_absolute_url()).content.decode()
    assert mask_id_number(adult.id_number) in text
    assert mask_phone(adult.phone) in text
    assert adult.birth_date.strftime("%Y-%m-%d") in text
    assert 'data-testid="hidden-value"' not in text


@pytest.mark.parametrize(("who", "shown"), [("county", False), ("supervisor", False), ("grid", True)])
def test_household_page_member_table(login, users, records, child, who, shown):
    response = login(getattr(users, who)).get(records.hv.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert (mask_id_number(child.id_number) in text) is shown
    assert (mask_phone(CHILD_PHONE) in text) is shown
    assert mask_id_number(records.pv.id_number) in text  # the adult's row stays
    assert ('data-testid="hidden-value"' in text) is not shown


# ---------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize(("who", "shown"), [("county", False), ("supervisor", False), ("grid", True)])
def test_api_person_detail(as_user, child, who, shown):
    response = as_user(who).get(url("person", child.pk))
    assert response.status_code == 200
    data = response.json()
    fields = [data["id_number"], data["phone"], data["birth_date"]]
    if shown:
        assert fields == [
            mask_id_number(child.id_number),
            mask_phone(CHILD_PHONE),
            child.birth_date.isoformat(),
        ]
    else:
        assert fields == [None, None, None]
    assert data["name"] == "龙小妹"


@pytest.mark.parametrize(("who", "shown"), [("county", False), ("inside", True)])
def test_api_lists_and_household_detail(as_user, records, child, who, shown):
    client = as_user(who)
    people = client.get(url("person"))
    assert people.status_code == 200
    rows = {row["name"]: row for row in people.json()["results"]}
    assert (rows["龙小妹"]["birth_date"] is not None) is shown
    assert (rows["龙小妹"]["id_number"] is not None) is shown
    assert rows["龙在内"]["birth_date"] == records.pv.birth_date.isoformat()  # the adult's stays
    assert rows["龙在内"]["phone"] == mask_phone(records.pv.phone)
    household = client.get(url("household", records.hv.pk))
    assert household.status_code == 200
    members = {m["name"]: m for m in household.json()["members"]}
    assert (members["龙小妹"]["phone"] is not None) is shown


# ---------------------------------------------------------------------------------- history and audit


@pytest.fixture
def phone_changed(users, child) -> Person:
    services.person_update(
        actor=users.inside, person=child, data={"phone": "13700008888"}, version=child.version
    )
    child.refresh_from_db()
    return child


@pytest.mark.parametrize(("who", "shown"), [("county", False), ("supervisor", False), ("inside", True)])
def test_history_hides_a_childs_changes(login, users, phone_changed, who, shown):
    response = login(getattr(users, who)).get(phone_changed.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert (mask_phone("13700008888") in text) is shown
    assert (mask_phone(CHILD_PHONE) in text) is shown
    assert ("（无权查看）" in text) is not shown


def test_household_history_judges_each_member_on_their_own_age(login, users, records, phone_changed):
    """The household page knows its members: a child's change is hidden from the county leader, an adult's
    stays readable (masked) instead of every person's values failing closed."""
    services.person_update(
        actor=users.inside, person=records.pv, data={"phone": "13900009999"}, version=records.pv.version
    )
    page = login(users.county).get(records.hv.get_absolute_url()).content.decode()
    text = page[page.index('data-testid="history"') :]  # the member table shows current phones too
    assert mask_phone("13900009999") in text  # the adult's new phone, masked
    assert mask_phone("13700008888") not in text  # the child's, hidden
    assert HIDDEN_CELL in text


@pytest.mark.parametrize(("who", "shown"), [("supervisor", False), ("data_admin", True)])
def test_audit_log_hides_person_values_without_the_right(login, users, phone_changed, who, shown):
    response = login(getattr(users, who)).get(reverse("core:audit"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "registry.person.updated" in text
    assert (mask_phone("13700008888") in text) is shown


def test_audit_rows_fail_closed_without_a_record(users, phone_changed):
    event = AuditEvent.objects.get(verb="registry.person.updated")
    [marked] = restricted.readable([event], users.inside)
    assert "minors" in marked.readable_classes
    [marked] = restricted.readable([event], users.county)  # the event is no person: the condition holds
    assert marked.shown_changes["联系方式"] == [HIDDEN_CELL, HIDDEN_CELL]


# ------------------------------------------------------------------------------------------- exports


def test_export_hides_a_childs_cells_for_the_county_leader(client, users, records, child):
    response = post(client, users.county)
    assert response.status_code == 200
    rows = by_name(sheet(response))
    girl, adult = rows["龙小妹"], rows["龙在内"]
    assert (girl["出生日期"], girl["公民身份号码"], girl["联系电话"]) == (HIDDEN_CELL,) * 3
    assert girl["年龄"] == child.age_on(timezone.localdate())  # the age stays
    assert adult["出生日期"].date() == records.pv.birth_date  # an adult's row is unchanged
    assert adult["公民身份号码"] == mask_id_number(records.pv.id_number)


def test_export_shows_a_childs_cells_to_the_village_cadre(client, users, child):
    rows = by_name(sheet(post(client, users.inside)))
    girl = rows["龙小妹"]
    assert girl["出生日期"].date() == child.birth_date
    assert (girl["公民身份号码"], girl["联系电话"]) == (child.id_number, CHILD_PHONE)


@pytest.mark.parametrize(("who", "shown"), [("county", False), ("supervisor", False), ("grid", True)])
def test_a_childs_guardian_phone_follows_the_right(login, users, child, who, shown):
    Person.objects.filter(pk=child.pk).update(guardian_name="龙妈妈", guardian_phone="13600006666")
    text = login(getattr(users, who)).get(child.get_absolute_url()).content.decode()
    assert (mask_phone("13600006666") in text) is shown
    assert "龙妈妈" in text  # the guardian's name is not of the class


# -------------------------------------------------------------------------------------------- reveal


def page_reveal(client, person: Person, field: str, **headers):
    return client.post(reverse("registry:reveal", args=["person", person.pk, field]), **headers)


@pytest.fixture
def may_reveal(monkeypatch):
    """County leaders and supervisors who may reveal (no such role today) still lack ``minors``: the reveal
    itself must ask it (today they lack the reveal right too, so a plain 403 proves nothing)."""
    for role in (Role.COUNTY_LEADER, Role.SUPERVISOR):
        monkeypatch.setitem(PERMISSIONS, role, PERMISSIONS[role] | {"reveal"})


@pytest.mark.parametrize("who", WITHOUT)
@pytest.mark.parametrize("field", ["id_number", "phone", "guardian_phone"])
def test_reveal_of_a_childs_value_needs_the_minors_right(
    login, users, records, child, may_reveal, who, field
):
    Person.objects.filter(pk__in=[child.pk, records.pv.pk]).update(guardian_phone="13600006666")
    child.refresh_from_db()
    records.pv.refresh_from_db()
    client = login(getattr(users, who))
    refused = page_reveal(client, child, field, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "未成年人" in text and getattr(child, field) not in text
    assert page_reveal(client, child, field).status_code == 403  # the full page too
    assert not AuditEvent.objects.filter(verb=REVEALED).exists()
    adult = page_reveal(client, records.pv, field)
    assert adult.status_code == 200
    assert getattr(records.pv, field) in adult.content.decode()
    assert AuditEvent.objects.filter(verb=REVEALED, target_id=str(records.pv.pk)).count() == 1


@pytest.mark.parametrize("who", WITHOUT)
def test_api_reveal_of_a_childs_value_is_refused(as_user, child, may_reveal, who):
    response = as_user(who).post(url("person", child.pk, "reveal"), {"field": "id_number"}, format="json")
    assert response.status_code == 403
    assert child.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(verb=REVEALED).exists()


@pytest.mark.parametrize("who", ["grid", "inside"])
def test_cadres_reveal_a_child_with_an_audit_row(login, users, child, who):
    response = page_reveal(login(getattr(users, who)), child, "id_number")
    assert response.status_code == 200
    assert child.id_number in response.content.decode()
    event = AuditEvent.objects.get(verb=REVEALED, target_id=str(child.pk))
    assert event.actor_id == getattr(users, who).pk


# --------------------------------------------------------------------------------------- attachments


@pytest.fixture
def photos(storage_root, users, records, child):
    image = image_bytes()
    return {
        "child": add(users.inside, records.hv, upload("小妹照片.png", image), person=child, title="小妹照片"),
        "adult": add(
            users.inside, records.hv, upload("户主照片.png", image), person=records.pv, title="户主照片"
        ),
    }


@pytest.mark.parametrize("who", ["county", "supervisor"])
def test_a_childs_attachment_is_403_without_the_right(client, users, photos, who):
    client.force_login(getattr(users, who))
    for name in ("registry:attachment", "registry:attachment_thumb"):
        assert client.get(reverse(name, args=[photos["child"].pk])).status_code == 403, name
        response = client.get(reverse(name, args=[photos["adult"].pk]))
        assert response.status_code == 200, name
        body(response)


def test_a_childs_attachment_opens_for_the_village_cadre(client, users, photos):
    client.force_login(users.inside)
    response = client.get(reverse("registry:attachment", args=[photos["child"].pk]))
    assert response.status_code == 200
    assert body(response)[:4] == b"\x89PNG"


@pytest.mark.parametrize(("who", "shown"), [("county", False), ("inside", True)])
def test_attachment_lists_leave_a_childs_files_out(login, users, records, child, photos, who, shown):
    client = login(getattr(users, who))
    child_link = reverse("registry:attachment", args=[photos["child"].pk])
    household = client.get(records.hv.get_absolute_url()).content.decode()
    assert (child_link in household) is shown
    assert reverse("registry:attachment", args=[photos["adult"].pk]) in household
    assert household.count('data-testid="attachment-card"') == (2 if shown else 1)
    person = client.get(child.get_absolute_url()).content.decode()
    assert (child_link in person) is shown


# ------------------------------------------------------------------------------------ search and admin


def test_search_by_age_stays_open_without_the_right(login, users, child):
    response = login(users.county).get(reverse("search:persons"), {"age_max": "13"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "龙小妹" in text
    assert child.birth_date.strftime("%Y-%m-%d") not in text
    assert mask_id_number(child.id_number) not in text  # the result rows hide the child's masked ID
    assert 'data-testid="hidden-value"' in text


def admin_fields(user, obj: Person) -> list:
    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[Person]
    return [
        *model_admin.get_fields(request, obj),
        *[getattr(f, "__name__", f) for f in model_admin.get_readonly_fields(request, obj)],
    ]


def test_admin_hides_minors_fields_from_staff_without_the_right(tree, users, child):
    staff_leader = assign(
        UserFactory(username="staff_leader", is_staff=True), Role.COUNTY_LEADER, tree.county
    )
    fields = admin_fields(staff_leader, child)
    assert {"id_number_hidden", "phone_hidden", "birth_date_hidden"} <= set(fields)
    assert "birth_date" not in fields and "id_number_masked" not in fields
    staff_admin = assign(UserFactory(username="staff_admin", is_staff=True), Role.DATA_ADMIN, tree.t)
    fields = admin_fields(staff_admin, child)
    assert "birth_date" in fields and "id_number_masked" in fields

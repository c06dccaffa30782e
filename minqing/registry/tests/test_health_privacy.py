"""Health data (健康状况, 慢性病, 残疾…) shows only where the reader holds the ``health`` right.

County leaders and supervisors read the household files but not health values: person page, household
page, API, history, audit log, tag panel and admin all ask ``minqing.core.restricted``. Out-of-scope
records stay 404 for everyone.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from minqing.accounts.roles import Role, role_allows
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.core import restricted
from minqing.core.idnumber import mask_id_number
from minqing.registry import services
from minqing.registry.models import Person
from minqing.registry.tests.api_helpers import url
from minqing.search.tests.helpers import tag
from minqing.tags.services import sync_catalog

CHRONIC = "高血压十年病史"
HIDDEN = "—（无权查看）"
HEALTH_VALUES = ("糖尿病", CHRONIC, "肢体残疾")
SHOWN = ["inside", "grid", "above", "data_admin"]
HIDDEN_FROM = ["county", "supervisor"]
#: Page status and whether health values show, role by role; W's cadre and the hotline desk get 404.
PAGES = [*[(who, 200, True) for who in SHOWN], *[(who, 200, False) for who in HIDDEN_FROM]]
PAGES += [("neighbour", 404, None), ("desk", 404, None)]


@pytest.fixture
def patient(records) -> Person:
    person = records.pv
    Person.objects.filter(pk=person.pk).update(
        health="37",
        chronic_disease=CHRONIC,
        disability_category="4",
        disability_grade="2",
        disability_cert_no=f"{person.id_number}42",
    )
    person.refresh_from_db()
    return person


def assert_health(text: str, shown: bool) -> None:
    for value in HEALTH_VALUES:
        assert (value in text) is shown, value
    assert (HIDDEN in text) is not shown


def test_roles_table_grants_health_to_the_roles_that_need_it():
    granted = {role for role in Role if role_allows(role, "health")}
    assert granted == {
        Role.GRID_WORKER,
        Role.VILLAGE_CADRE,
        Role.STATIONED_CADRE,
        Role.TOWNSHIP_STAFF,
        Role.DATA_ADMIN,
    }


def test_health_fields_are_registered_once():
    assert set(restricted.all_fields("health")[Person]) == {
        "health",
        "chronic_disease",
        "serious_illness",
        "disability_category",
        "disability_grade",
        "disability_cert_no",
    }
    assert restricted.classes_of(Person) == {"health", "minors"}  # minors: test_minors_privacy.py


def test_may_see_follows_the_scope(users, patient, records):
    assert [restricted.may_see(getattr(users, who), "health", patient) for who in SHOWN] == [True] * 4
    assert not restricted.may_see(users.county, "health", patient)
    assert not restricted.may_see(users.neighbour, "health", patient)
    assert not restricted.may_see(users.grid, "health", records.pw)  # another village's grid
    assert not restricted.may_see(None, "health", patient)
    assert restricted.may_see(users.admin, "health", patient)  # superuser


# -------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize(("who", "status", "shown"), PAGES)
def test_person_page(login, users, patient, who, status, shown):
    response = login(getattr(users, who)).get(patient.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        assert_health(response.content.decode(), shown)


@pytest.mark.parametrize(("who", "status", "shown"), PAGES)
def test_household_page_member_rows(login, users, patient, who, status, shown):
    response = login(getattr(users, who)).get(patient.household.get_absolute_url())
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert ("糖尿病" in text) is shown
        assert ("肢体残疾" in text) is shown
        assert (HIDDEN in text) is not shown


@pytest.mark.parametrize(("who", "shown"), [("inside", True), ("county", False), ("supervisor", False)])
def test_health_tags_only_in_the_panel_of_readers_with_the_right(login, users, patient, who, shown):
    sync_catalog()
    tag(patient, "disabled")
    tag(patient, "elderly")
    text = login(getattr(users, who)).get(patient.get_absolute_url()).content.decode()
    assert (">残疾人<" in text) is shown
    assert ">老年人<" in text  # other tags stay


# ---------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize(("who", "status", "shown"), PAGES)
def test_api_person_detail(as_user, users, patient, who, status, shown):
    response = as_user(who).get(url("person", patient.pk))
    assert response.status_code == status
    if status != 200:
        return
    body = response.json()
    fields = ("health", "chronic_disease", "disability_category", "disability_grade", "disability_cert_no")
    if shown:
        assert [body[f] for f in fields] == [
            "37",
            CHRONIC,
            "4",
            "2",
            mask_id_number(patient.disability_cert_no),
        ]
    else:
        assert [body[f] for f in fields] == [None] * 5
        assert CHRONIC not in response.content.decode()
    assert body["name"] == patient.name and body["phone"] == "138****1111"  # the rest of the file stays


@pytest.mark.parametrize("who", HIDDEN_FROM)
def test_api_household_and_lists_carry_no_health_values(as_user, patient, who):
    client = as_user(who)
    for address in (url("household", patient.household_id), url("person"), url("household")):
        response = client.get(address)
        assert response.status_code == 200, address
        assert CHRONIC not in response.content.decode(), address


def test_schema_declares_health_fields_nullable(api, users):
    api.force_authenticate(users.admin)
    response = api.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    props = response.json()["components"]["schemas"]["PersonDetail"]["properties"]
    for name in ("chronic_disease", "disability_cert_no"):
        assert props[name].get("nullable") is True, name
    assert "无权查看" in props["chronic_disease"]["description"]


# ------------------------------------------------------------------------------ history and audit log


@pytest.fixture
def health_changed(users, records) -> Person:
    person = records.pv
    services.person_update(
        actor=users.inside,
        person=person,
        data={"health": "37", "chronic_disease": CHRONIC},
        version=person.version,
    )
    person.refresh_from_db()
    return person


@pytest.mark.parametrize(
    ("who", "shown"), [("inside", True), ("above", True), ("county", False), ("supervisor", False)]
)
def test_history_hides_health_changes(login, users, health_changed, who, shown):
    client = login(getattr(users, who))
    for page in (health_changed.get_absolute_url(), health_changed.household.get_absolute_url()):
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.content.decode()
        assert (CHRONIC in text) is shown, page
        assert ("糖尿病" in text) is shown, page
        assert "健康状况" in text, page  # the change itself is listed, its values hidden
        assert ("（无权查看）" in text) is not shown, page


@pytest.mark.parametrize(("who", "shown"), [("data_admin", True), ("supervisor", False)])
def test_audit_log_hides_health_values(login, users, health_changed, who, shown):
    response = login(getattr(users, who)).get(reverse("core:audit"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "registry.person.updated" in text
    assert (CHRONIC in text) is shown
    assert ("（无权查看）" in text) is not shown


def test_audit_rows_hide_health_values_unless_marked(users, health_changed):
    from minqing.core.models import AuditEvent

    event = AuditEvent.objects.get(verb="registry.person.updated")
    assert event.changes["慢性病"] == ["", CHRONIC]  # stored as it was
    assert event.shown_changes["慢性病"] == ["", "（无权查看）"]  # fail closed
    [marked] = restricted.readable([event], users.inside)
    assert marked.shown_changes["慢性病"] == ["", CHRONIC]
    [marked] = restricted.readable([event], users.county)
    assert marked.shown_changes["慢性病"] == ["", "（无权查看）"]


# -------------------------------------------------------------------------------------------- admin


def admin_fields(user, obj: Person) -> list:
    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[Person]
    return [
        *model_admin.get_fields(request, obj),
        *[getattr(f, "__name__", f) for f in model_admin.get_readonly_fields(request, obj)],
    ]


def test_admin_shows_health_to_superusers_and_data_admins_only(tree, users, patient):
    staff_leader = assign(
        UserFactory(username="staff_leader", is_staff=True), Role.COUNTY_LEADER, tree.county
    )
    staff_admin = assign(UserFactory(username="staff_admin", is_staff=True), Role.DATA_ADMIN, tree.t)
    for user in (users.admin, staff_admin):
        fields = admin_fields(user, patient)
        assert "health" in fields and "chronic_disease" in fields
        assert "disability_cert_no_masked" in fields
    fields = admin_fields(staff_leader, patient)
    assert "health" not in fields and "chronic_disease" not in fields
    assert "chronic_disease_hidden" in fields and "disability_cert_no_hidden" in fields
    assert "disability_cert_no_masked" not in fields


def test_admin_change_page_of_superuser_shows_health(client, users, patient):
    client.force_login(users.admin)
    response = client.get(reverse("admin:registry_person_change", args=[patient.pk]))
    assert response.status_code == 200
    assert CHRONIC in response.content.decode()

"""An official of a county department (部门干部) paired with households (结对帮扶) works on those households only.

Their role gives no right by area; the pairing gives the paired households' files to read, look up, reveal,
change and visit, their plans and their visits — never health details nor minors' identifiers, never another
household of the village, never area pages or figures (lists and searches show the paired households alone); the rights end with
the pairing.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from minqing.assistance import services
from minqing.assistance.models import AssistancePlan, Pairing
from minqing.assistance.selectors import pairable_cadres
from minqing.registry.models import Household, Person
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory
from minqing.visits import services as visits
from minqing.visits.tests.helpers import data, new_id

TODAY = timezone.localdate()
GRANTED = ("view", "lookup", "reveal", "change", "visit")
NOT_GRANTED = ("health", "minors", "export", "audit", "manage", "assist")


@pytest.fixture
def paired(users, records, tree):
    other = HouseholdFactory(number="5206221022110002", area=records.hv.area, head_name="龙未结对")
    other_person = PersonFactory(household=other, name="龙未结对")
    official = users.health  # department_staff of 卫健局, assigned to the county
    assert official in pairable_cadres(records.hv)
    pairing = services.pair(actor=users.inside, household=records.hv, cadre=official, started_on=TODAY)
    return official, other, other_person, pairing


def fresh(user):
    for key in ("_assignments", "_scope_cache", "_pairing_grants"):
        user.__dict__.pop(key, None)
    return user


def test_visible_to_grants_exactly_the_paired_household(users, records, paired):
    official, *_ = paired
    for action in GRANTED:
        assert list(Household.objects.visible_to(official, action)) == [records.hv], action
        assert list(Person.objects.visible_to(official, action)) == [records.pv], action
    for action in NOT_GRANTED:
        assert not Household.objects.visible_to(official, action).exists(), action
        assert not Person.objects.visible_to(official, action).exists(), action
    assert not official.can("view")  # no area right: no lists, searches, charts or area pages


def test_pages_role_by_role(login, users, records, paired):
    official, other, other_person, _pairing = paired
    client = login(official)
    expectations = [
        (reverse("registry:household", args=[records.hv.pk]), 200),
        (reverse("registry:person", args=[records.pv.pk]), 200),
        (reverse("registry:household_edit", args=[records.hv.pk]), 200),
        (reverse("registry:person_edit", args=[records.pv.pk]), 200),
        (reverse("visits:new") + f"?household={records.hv.pk}", 200),
        (reverse("visits:list"), 200),
        (reverse("compliance:due"), 200),
        (reverse("assistance:mine"), 200),
        (reverse("assistance:plan", args=[records.hv.pk]), 200),
        (reverse("registry:household", args=[other.pk]), 404),
        (reverse("registry:person", args=[other_person.pk]), 404),
        (reverse("registry:household_edit", args=[other.pk]), 404),
        (reverse("registry:household", args=[records.hw.pk]), 404),
        (reverse("visits:new") + f"?household={other.pk}", 404),
        (reverse("registry:household_create"), 403),
        (reverse("compliance:area"), 403),
        (reverse("assistance:pairing", args=[records.hv.pk]), 403),
    ]
    for url, status in expectations:
        assert client.get(url).status_code == status, url
    assert "龙在内" in client.get(reverse("assistance:mine")).content.decode()
    # Lists and searches are scoped like everything else: the paired household, nothing more.
    for name in ("registry:household_list", "registry:person_list", "search:households"):
        body = client.get(reverse(name)).content.decode()
        assert "龙在内" in body and "龙未结对" not in body and "杨在邻" not in body, name
    menu = client.get(reverse("home:index")).content.decode()
    assert reverse("assistance:mine") in menu and reverse("compliance:due") in menu and "我的待访" in menu


def test_visits_and_plans_of_the_paired_household(login, users, records, paired):
    official, other, _person, _pairing = paired
    by_village, _ = visits.log_visit(
        actor=users.inside, household=records.hv, data=data(), client_id=new_id()
    )
    elsewhere, _ = visits.log_visit(actor=users.inside, household=other, data=data(), client_id=new_id())
    client = login(official)
    created = client.post(
        reverse("api:visit-list"),
        {**data(found="家中老人血压偏高"), "household": records.hv.pk, "client_id": new_id()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    refused = client.post(
        reverse("api:visit-list"),
        {**data(), "household": other.pk, "client_id": new_id()},
        content_type="application/json",
    )
    assert refused.status_code == 404
    listed = {row["id"] for row in client.get(reverse("api:visit-list")).json()["results"]}
    assert listed == {by_village.pk, created.json()["id"]}
    assert client.get(reverse("api:visit-detail", args=[elsewhere.pk])).status_code == 404
    plan = services.plan_create(actor=official, household=records.hv, data={"year": TODAY.year})
    assert AssistancePlan.objects.visible_to(official, "view").get() == plan
    assert Pairing.objects.visible_to(official, "view").count() == 1


def test_the_rights_end_with_the_pairing(login, users, records, paired):
    official, _other, _person, pairing = paired
    services.end_pairing(actor=users.inside, pairing=pairing, ended_on=TODAY, reason="调回原单位")
    client = login(fresh(official))
    for url in (
        reverse("registry:household", args=[records.hv.pk]),
        reverse("registry:household_edit", args=[records.hv.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (reverse("visits:list"), reverse("compliance:due"), reverse("visits:new")):
        assert client.get(url).status_code == 403, url
    assert reverse("assistance:mine") not in client.get(reverse("home:index")).content.decode()
    for action in GRANTED:
        assert not Household.objects.visible_to(fresh(official), action).exists()


def test_an_unpaired_official_sees_nothing(login, users, records):
    client = login(users.health)
    for url in (reverse("visits:list"), reverse("compliance:due"), reverse("visits:new")):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("registry:household", args=[records.hv.pk])).status_code == 404


def test_the_official_saves_the_paired_household(login, records, paired):
    from minqing.core.tests.cases import form_data

    official, *_ = paired
    client = login(official)
    url = reverse("registry:household_edit", args=[records.hv.pk])
    form = client.get(url).context["form"]
    response = client.post(url, form_data(form, address="鱼塘村一组10号", version=1))
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert Household.objects.get(pk=records.hv.pk).address == "鱼塘村一组10号"

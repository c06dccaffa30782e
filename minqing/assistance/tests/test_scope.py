"""Assistance pages and API, role by role with exact status codes; bounded queries; the risk→result chain."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.assistance import services
from minqing.assistance.models import MeasureKind, MeasureStatus, Pairing
from minqing.assistance.selectors import risk_chain
from minqing.core.models import AuditEvent
from minqing.core.tests.cases import form_data
from minqing.registry.models import Household
from minqing.registry.tests.factories import HouseholdFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(users, records, tree):
    """V's household hv paired with a stationed cadre, with a plan and two measures (one done)."""
    stationed = assign(UserFactory(username="zhucun", phone="13900009999"), Role.STATIONED_CADRE, tree.v)
    Household.objects.filter(pk=records.hv.pk).update(
        monitoring_status="monitoring",
        monitoring_type="2",
        risk_type="01",
        risk_types=["01", "07"],
        monitoring_start=TODAY - 90 * DAY,
    )
    hv = Household.objects.get(pk=records.hv.pk)
    pairing = services.pair(actor=users.inside, household=hv, cadre=stationed, started_on=TODAY - 60 * DAY)
    plan = services.plan_create(
        actor=users.inside, household=hv, data={"year": TODAY.year, "goal": "稳岗增收"}
    )
    done = services.measure_create(
        actor=stationed,
        plan=plan,
        data={
            "kind": MeasureKind.EMPLOYMENT,
            "target": "县工业园务工",
            "status": MeasureStatus.DONE,
            "amount": Decimal("800"),
            "started_on": TODAY - 30 * DAY,
            "completed_on": TODAY - DAY,
            "outcome": "稳定务工",
            "income_change": Decimal("24000"),
            "risks_addressed": ["07"],
        },
    )
    planned = services.measure_create(
        actor=stationed,
        plan=plan,
        data={"kind": MeasureKind.HEALTH, "target": "慢病签约", "risks_addressed": ["01"]},
    )
    return stationed, pairing, plan, done, planned


def test_pages_role_by_role(client, users, records, world):
    stationed, _pairing, plan, done, _planned = world
    hv = records.hv.pk
    pages = {
        "pairing": reverse("assistance:pairing", args=[hv]),
        "plan": reverse("assistance:plan", args=[hv]),
        "plan_create": reverse("assistance:plan_create", args=[hv]),
        "plan_edit": reverse("assistance:plan_edit", args=[hv, plan.pk]),
        "measure_create": reverse("assistance:measure_create", args=[hv, plan.pk]),
        "measure_edit": reverse("assistance:measure_edit", args=[hv, plan.pk, done.pk]),
    }
    expected = {
        "inside": {
            "pairing": 200,
            "plan": 200,
            "plan_create": 200,
            "plan_edit": 200,
            "measure_create": 200,
            "measure_edit": 200,
        },
        "above": {
            "pairing": 200,
            "plan": 200,
            "plan_create": 200,
            "plan_edit": 200,
            "measure_create": 200,
            "measure_edit": 200,
        },
        "data_admin": {
            "pairing": 200,
            "plan": 200,
            "plan_create": 200,
            "plan_edit": 200,
            "measure_create": 200,
            "measure_edit": 200,
        },
        "stationed": {
            "pairing": 403,
            "plan": 200,
            "plan_create": 200,
            "plan_edit": 200,
            "measure_create": 200,
            "measure_edit": 200,
        },
        "grid": {
            "pairing": 403,
            "plan": 200,
            "plan_create": 403,
            "plan_edit": 403,
            "measure_create": 403,
            "measure_edit": 403,
        },
        "supervisor": {
            "pairing": 403,
            "plan": 200,
            "plan_create": 403,
            "plan_edit": 403,
            "measure_create": 403,
            "measure_edit": 403,
        },
        "county": {
            "pairing": 403,
            "plan": 200,
            "plan_create": 403,
            "plan_edit": 403,
            "measure_create": 403,
            "measure_edit": 403,
        },
        "neighbour": dict.fromkeys(pages, 404),
        "desk": dict.fromkeys(pages, 404),
        "health": dict.fromkeys(pages, 404),
        "nobody": dict.fromkeys(pages, 404),
    }
    for username, statuses in expected.items():
        user = stationed if username == "stationed" else getattr(users, username)
        client.force_login(user)
        for page, status in statuses.items():
            assert client.get(pages[page]).status_code == status, (username, page)
    client.logout()
    assert client.get(pages["plan"]).status_code == 302


def test_pair_page_saves_and_ends(client, users, records, world, tree):
    stationed, _pairing, *_ = world
    other = assign(UserFactory(username="cunganbu"), Role.VILLAGE_CADRE, tree.v)
    client.force_login(users.inside)
    url = reverse("assistance:pairing", args=[records.hv.pk])
    response = client.post(url, {"pair": "1", "cadre": other.pk, "started_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert Household.objects.get(pk=records.hv.pk).responsible_cadre_id == other.pk
    response = client.post(url, {"pair": "1", "cadre": users.neighbour.pk, "started_on": TODAY.isoformat()})
    assert response.status_code == 200 and "cadre" in response.context["pair_form"].errors
    response = client.post(url, {"end": "1", "ended_on": (TODAY + DAY).isoformat(), "end_reason": "调离"})
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()
    response = client.post(url, {"end": "1", "ended_on": TODAY.isoformat(), "end_reason": "调离"})
    assert response.status_code == 302 and not Pairing.objects.filter(household=records.hv).open().exists()
    client.force_login(stationed)
    assert (
        client.post(url, {"pair": "1", "cadre": stationed.pk, "started_on": TODAY.isoformat()}).status_code
        == 403
    )
    client.force_login(users.neighbour)
    assert (
        client.post(
            url, {"pair": "1", "cadre": users.neighbour.pk, "started_on": TODAY.isoformat()}
        ).status_code
        == 404
    )


def test_measure_page_saves_for_the_stationed_cadre(client, records, world):
    stationed, _pairing, plan, _done, planned = world
    client.force_login(stationed)
    url = reverse("assistance:measure_edit", args=[records.hv.pk, plan.pk, planned.pk])
    form = client.get(url).context["form"]
    data = form_data(form, status=MeasureStatus.IN_PROGRESS, started_on=TODAY.isoformat(), version=1)
    assert client.post(url, data).status_code == 302
    data.update(status=MeasureStatus.DONE, version=2)
    response = client.post(url, data)
    assert response.status_code == 200 and "请填写成效" in response.content.decode()


def test_household_panel_and_chain(client, users, records, world, django_assert_max_num_queries):
    stationed, pairing, _plan, _done, _planned = world
    client.force_login(users.inside)
    url = reverse("registry:household", args=[records.hv.pk])
    with django_assert_max_num_queries(40):
        body = client.get(url).content.decode()
    assert 'data-testid="assistance-panel"' in body and str(stationed) in body
    assert "139****9999" in body and "13900009999" not in body  # masked, revealable
    assert reverse("assistance:cadre_phone", args=[pairing.pk]) in body
    assert "因务工就业不稳：就业帮扶（已完成）" in body and "尚无已完成措施的风险：因病" in body
    # The panel's own reads do not grow with the number of pairings, plans and measures.
    for year in range(TODAY.year - 4, TODAY.year):
        extra = services.plan_create(actor=users.inside, household=records.hv, data={"year": year})
        for _ in range(3):
            services.measure_create(
                actor=users.inside, plan=extra, data={"kind": "industry", "target": "养牛"}
            )
    with django_assert_max_num_queries(40) as before:
        client.get(url)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("assistance:plan", args=[records.hv.pk]))


def test_panel_for_readers_without_reveal(client, users, records, world):
    _stationed, pairing, *_ = world
    client.force_login(users.supervisor)
    body = client.get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert "139****9999" in body and reverse("assistance:cadre_phone", args=[pairing.pk]) not in body
    assert client.post(reverse("assistance:cadre_phone", args=[pairing.pk])).status_code == 403
    client.force_login(users.neighbour)
    assert client.post(reverse("assistance:cadre_phone", args=[pairing.pk])).status_code == 404
    client.force_login(users.inside)
    response = client.post(reverse("assistance:cadre_phone", args=[pairing.pk]))
    assert response.status_code == 200 and "13900009999" in response.content.decode()
    assert AuditEvent.objects.filter(verb="sensitive.revealed", household_id=records.hv.pk).count() == 1


def test_risk_chain_orders_risk_plan_measure_outcome_cleared(records, world):
    _stationed, _pairing, plan, _done, _planned = world
    Household.objects.filter(pk=records.hv.pk).update(monitoring_status="cleared", risk_cleared_on=TODAY)
    hv = Household.objects.get(pk=records.hv.pk)
    chain = risk_chain(hv, [plan])
    assert [s.kind for s in chain.steps] == ["risk", "plan", "measure", "measure", "outcome", "cleared"]
    assert chain.monitoring == "风险消除" and chain.cleared_on == TODAY
    assert chain.risks == ["因病", "因务工就业不稳"]
    assert chain.income_change == Decimal("24000") and chain.amount == Decimal("800")
    assert chain.addressed == {"因务工就业不稳": ["就业帮扶"]} and chain.unaddressed == ["因病"]


def test_lists_and_my_households(client, users, records, world, tree, django_assert_max_num_queries):
    stationed, *_ = world
    for n in range(30):
        h = HouseholdFactory(number=f"52062210221100{n + 10:02d}", area=tree.v1, head_name=f"龙{n}")
        services.pair(actor=users.inside, household=h, cadre=stationed, started_on=TODAY)
    wh = HouseholdFactory(number="5206221022120009", area=tree.w1, head_name="杨邻户")
    services.pair(actor=users.neighbour, household=wh, cadre=users.neighbour, started_on=TODAY)
    client.force_login(stationed)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assistance:mine"))
    assert len(response.context["page"].rows) == 31  # the paired households of V only
    client.force_login(users.above)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assistance:pairings"), {"cadre": "zhucun", "village": tree.v.code})
    assert response.status_code == 200 and "杨邻户" not in response.content.decode()
    client.force_login(users.inside)
    assert "杨邻户" not in client.get(reverse("assistance:pairings"), {"state": "all"}).content.decode()
    response = client.get(reverse("assistance:pairings"), {"village": "abc"})
    assert response.status_code == 200 and not response.context["page"].rows


def test_api_role_by_role(client, users, records, world):
    stationed, pairing, plan, _done, planned = world
    detail = reverse("api:pairing-detail", args=[pairing.pk])
    plan_url = reverse("api:plan-detail", args=[plan.pk])
    for user, status in [
        (users.inside, 200),
        (users.above, 200),
        (stationed, 200),
        (users.supervisor, 200),
        (users.neighbour, 404),
        (users.desk, 404),
        (users.nobody, 404),
    ]:
        client.force_login(user)
        assert client.get(detail).status_code == status, user.username
        assert client.get(plan_url).status_code == status, user.username
        chain = client.get(reverse("api:plan-chain"), {"household": records.hv.pk})
        assert chain.status_code == status, user.username
    client.force_login(users.neighbour)
    assert client.get(reverse("api:pairing-list")).json()["results"] == []
    assert (
        client.post(
            reverse("api:pairing-end", args=[pairing.pk]), {"ended_on": TODAY, "reason": "x"}
        ).status_code
        == 404
    )
    measure_url = reverse("api:plan-measure", args=[plan.pk, planned.pk])
    assert (
        client.patch(measure_url, {"target": "x", "version": 1}, content_type="application/json").status_code
        == 404
    )

    client.force_login(users.grid)
    assert (
        client.post(
            reverse("api:pairing-end", args=[pairing.pk]), {"ended_on": TODAY, "reason": "x"}
        ).status_code
        == 403
    )
    assert (
        client.patch(measure_url, {"target": "x", "version": 1}, content_type="application/json").status_code
        == 403
    )

    client.force_login(stationed)
    body = client.get(plan_url).json()
    assert [m["kind"] for m in body["measures"]] == ["employment", "health"]
    response = client.patch(
        measure_url,
        {"status": "in_progress", "started_on": TODAY, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    response = client.patch(measure_url, {"status": "planned", "version": 2}, content_type="application/json")
    assert response.status_code == 400 and "status" in response.json()["errors"]
    response = client.post(
        reverse("api:plan-measures", args=[plan.pk]),
        {"kind": "education", "target": "雨露计划", "amount": "-5"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "amount" in response.json()["errors"]
    chain = client.get(reverse("api:plan-chain"), {"household": records.hv.pk}).json()
    assert chain["unaddressed"] == ["因病"] and chain["steps"][0]["kind"] == "risk"
    assert (
        client.post(
            reverse("api:pairing-list"),
            {"household": records.hv.pk, "cadre": stationed.pk, "started_on": TODAY},
        ).status_code
        == 403
    )

    client.force_login(users.inside)
    response = client.post(
        reverse("api:pairing-end", args=[pairing.pk]), {"ended_on": TODAY, "reason": "调离"}
    )
    assert response.status_code == 200 and response.json()["ended_on"] == TODAY.isoformat()
    response = client.post(
        reverse("api:pairing-list"), {"household": records.hv.pk, "cadre": stationed.pk, "started_on": TODAY}
    )
    assert response.status_code == 201 and response.json()["cadre_phone"] == "139****9999"
    response = client.post(
        reverse("api:plan-list"),
        {"household": records.hv.pk, "year": TODAY.year},
        content_type="application/json",
    )
    assert response.status_code == 400 and "year" in response.json()["errors"]
    client.force_login(users.neighbour)
    response = client.post(
        reverse("api:plan-list"),
        {"household": records.hv.pk, "year": TODAY.year - 1},
        content_type="application/json",
    )
    assert response.status_code == 404

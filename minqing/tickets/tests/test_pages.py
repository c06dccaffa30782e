"""The ticket pages role by role: lists and tabs, filing (idempotent, bad input kept), the proposed route,
a ticket with its timeline and action forms, the figures; exact status codes and bounded queries."""

import datetime
import uuid

import pytest
from django.urls import reverse

from minqing.tickets.models import Status, Ticket, TicketEvent

from .conftest import fresh


@pytest.fixture
def medical(file, users, records, cats, rules, stationed):
    """A medical ticket of the household in V: 卫健局 leads, the paired cadre beside it."""
    return file(users.desk, household=records.hv.pk, category=cats.medical.pk)


@pytest.fixture
def housing(file, users, records, cats, rules):
    return file(users.desk, household=records.hw.pk, category=cats.housing.pk)


def filing(cats, records, **extra):
    data = {
        "client_id": str(uuid.uuid4()),
        "channel": "hotline",
        "kind": "help",
        "urgency": "urgent",
        "category": cats.medical.pk,
        "household": records.hv.pk,
        "description": "老人腿疼，行动不便，需要就医帮助",
    }
    data.update(extra)
    return data


# ------------------------------------------------------------------------------------------------ lists


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("inside", 200),
        ("above", 200),
        ("grid", 200),
        ("desk", 200),
        ("health", 200),
        ("county", 200),
        ("supervisor", 200),
        ("nobody", 403),
    ],
)
def test_list_role_by_role(who, code, client, users, medical):
    client.force_login(getattr(users, who))
    assert client.get(reverse("tickets:list")).status_code == code


def test_list_needs_login(client, db):
    assert client.get(reverse("tickets:list")).status_code == 302


def test_area_tab_is_scoped(client, users, medical, housing):
    client.force_login(users.inside)
    body = client.get(reverse("tickets:list") + "?tab=area").content.decode()
    assert medical.number in body and housing.number not in body
    client.force_login(users.neighbour)
    body = client.get(reverse("tickets:list") + "?tab=area").content.decode()
    assert housing.number in body and medical.number not in body


def test_department_tab_shows_only_the_department_queue(client, users, medical, housing):
    client.force_login(users.health)
    response = client.get(reverse("tickets:list"))
    assert response.context["tab"] == "department"
    body = response.content.decode()
    assert medical.number in body and housing.number not in body
    assert "卫健" in body or medical.number in body


def test_my_tab_of_the_paired_cadre(client, stationed, medical, housing):
    client.force_login(stationed)
    body = client.get(reverse("tickets:list") + "?tab=mine").content.decode()
    assert medical.number in body and housing.number not in body


def test_triage_tab_for_dispatchers_only(client, users, file, records, cats):
    lost = file(users.desk, household=records.hv.pk, category=cats.other.pk)  # no rule: triage
    assert lost.status == Status.NEW
    client.force_login(users.desk)
    response = client.get(reverse("tickets:list") + "?tab=triage")
    assert response.context["tab"] == "triage" and lost.number in response.content.decode()
    client.force_login(users.health)
    response = client.get(reverse("tickets:list") + "?tab=triage")
    assert response.context["tab"] == "department"  # not offered: falls back to the default tab


def test_filters(client, users, medical, housing):
    client.force_login(users.desk)
    url = reverse("tickets:list") + "?tab=area"
    body = client.get(url + f"&category={medical.category_id}").content.decode()
    assert medical.number in body and housing.number not in body
    body = client.get(url + f"&q={housing.number}").content.decode()
    assert housing.number in body and medical.number not in body
    body = client.get(url + "&overdue=true").content.decode()
    assert medical.number not in body
    Ticket.objects.filter(pk=medical.pk).update(due_at=medical.created_at.replace(year=2020))
    body = client.get(url + "&overdue=true").content.decode()
    assert medical.number in body and housing.number not in body and "已超期" in body
    response = client.get(url + "&category=99999999999999999999")
    assert response.status_code == 200 and response.context["filters"].errors


def test_list_queries_are_bounded(
    client, users, file, records, cats, rules, stationed, django_assert_max_num_queries
):
    for _ in range(5):
        file(users.desk, household=records.hv.pk, category=cats.medical.pk)
    client.force_login(users.desk)
    client.get(reverse("tickets:list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("tickets:list") + "?tab=area")
    assert len(response.context["page"].rows) == 5


# ----------------------------------------------------------------------------------------------- filing


@pytest.mark.parametrize(("who", "code"), [("desk", 200), ("inside", 200), ("grid", 200), ("health", 403)])
def test_new_role_by_role(who, code, client, users):
    client.force_login(getattr(users, who))
    assert client.get(reverse("tickets:new")).status_code == code


def test_nobody_cannot_file(client, users, cats, records):
    client.force_login(users.nobody)
    assert client.post(reverse("tickets:new"), filing(cats, records)).status_code == 403
    assert not Ticket.objects.exists()


def test_file_routes_and_is_idempotent(client, users, cats, records, rules, stationed, depts):
    client.force_login(users.desk)
    data = filing(cats, records)
    first = client.post(reverse("tickets:new"), data)
    ticket = Ticket.objects.get()
    assert first.status_code == 302 and first.url == reverse("tickets:detail", args=[ticket.pk])
    again = client.post(reverse("tickets:new"), data)
    assert again.status_code == 302 and Ticket.objects.count() == 1
    assert ticket.status == Status.DISPATCHED
    names = {h.target_name for h in ticket.handlers.filter(is_active=True)}
    assert names == {depts.health.name, str(stationed)}


def test_file_with_a_changed_route(client, users, cats, records, rules, depts, builder):
    client.force_login(users.desk)
    data = filing(cats, records, custom_route="1", departments=[depts.housing.pk])
    assert client.post(reverse("tickets:new"), data).status_code == 302
    ticket = Ticket.objects.get()
    assert [h.department_id for h in ticket.handlers.filter(is_active=True)] == [depts.housing.pk]


def test_bad_input_keeps_what_was_typed(client, users, cats, records, rules):
    client.force_login(users.desk)
    data = filing(
        cats, records, description="", household="", caller_name="王来电", caller_phone="13900009999"
    )
    response = client.post(reverse("tickets:new"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写诉求内容" in body or "来电人不在户籍档案中" in body
    assert "王来电" in body and "13900009999" in body and data["client_id"] in body
    assert not Ticket.objects.exists()


def test_missing_description_message(client, users, cats, records, rules):
    client.force_login(users.desk)
    response = client.post(reverse("tickets:new"), filing(cats, records, description="  "))
    assert response.status_code == 400 and "请填写诉求内容" in response.content.decode()
    assert not Ticket.objects.exists()


def test_garbage_ids_are_a_form_error(client, users, cats, records):
    client.force_login(users.desk)
    response = client.post(reverse("tickets:new"), filing(cats, records, category="abc"))
    assert response.status_code == 400 and "所选项目无效" in response.content.decode()
    assert not Ticket.objects.exists()


def test_filing_outside_the_scope_is_404(client, users, cats, records):
    client.force_login(users.inside)
    response = client.post(reverse("tickets:new"), filing(cats, records, household=records.hx.pk))
    assert response.status_code == 404 and not Ticket.objects.exists()


def test_route_preview(client, users, cats, records, rules, stationed, depts):
    client.force_login(users.desk)
    url = reverse("tickets:route") + f"?category={cats.medical.pk}&household={records.hv.pk}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["route"].departments == [depts.health]
    assert response.context["route"].cadre == stationed
    body = client.get(reverse("tickets:route") + f"?category={cats.other.pk}&area={records.hv.area_id}")
    assert "待分派" in body.content.decode()
    assert client.get(reverse("tickets:route") + "?category=x").status_code == 400
    client.force_login(users.inside)
    url = reverse("tickets:route") + f"?category={cats.medical.pk}&household={records.hx.pk}"
    assert client.get(url).status_code == 404
    client.force_login(users.health)
    assert client.get(url).status_code == 403


# ----------------------------------------------------------------------------------------------- detail


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("inside", 200),
        ("above", 200),
        ("desk", 200),
        ("health", 200),
        ("supervisor", 200),
        ("neighbour", 404),
        ("nobody", 404),
    ],
)
def test_detail_role_by_role(who, code, client, users, medical):
    client.force_login(getattr(users, who))
    assert client.get(reverse("tickets:detail", args=[medical.pk])).status_code == code


def test_detail_of_another_department_is_404(client, users, housing):
    client.force_login(users.health)
    assert client.get(reverse("tickets:detail", args=[housing.pk])).status_code == 404


def test_detail_shows_timeline_and_only_allowed_actions(client, users, medical):
    client.force_login(users.health)
    response = client.get(reverse("tickets:detail", args=[medical.pk]))
    body = response.content.decode()
    assert "登记" in body and "派单" in body  # the timeline's verbs
    assert response.context["actions"].names == {
        "accept",
        "reply",
        "resolve",
        "return",
        "request_extension",
    } - {"resolve"}
    client.force_login(users.inside)
    assert client.get(reverse("tickets:detail", args=[medical.pk])).context["actions"].names == frozenset()


def test_detail_queries_are_bounded(client, users, medical, django_assert_max_num_queries):
    client.force_login(users.health)
    client.get(reverse("tickets:detail", args=[medical.pk]))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("tickets:detail", args=[medical.pk])).status_code == 200


# ---------------------------------------------------------------------------------------------- actions


def post(client, name, ticket, **data):
    return client.post(reverse(f"tickets:{name}", args=[ticket.pk]), data)


def test_the_loop_through_the_pages(client, users, medical):
    client.force_login(users.health)
    assert post(client, "accept", medical).status_code == 302
    assert post(client, "reply", medical, note="已联系家庭医生").status_code == 302
    assert post(client, "resolve", medical, answer="家庭医生已上门诊治").status_code == 302
    client.force_login(users.desk)
    assert post(client, "visit_back", medical, satisfaction="satisfied", note="电话回访").status_code == 302
    assert post(client, "archive", medical).status_code == 302
    medical.refresh_from_db()
    assert medical.status == Status.ARCHIVED and medical.satisfaction == "satisfied"
    verbs = list(TicketEvent.objects.filter(ticket=medical).values_list("verb", flat=True))
    assert verbs == ["filed", "dispatch", "accept", "reply", "resolve", "visit_back", "archive"]


def test_refused_action_shows_the_message_and_keeps_the_text(client, users, medical):
    client.force_login(users.health)
    post(client, "accept", medical)
    response = post(client, "escalate", medical, reason="")
    assert response.status_code == 400
    response = post(client, "resolve", medical, answer="")
    assert response.status_code == 400 and "请填写办理结果" in response.content.decode()
    response = post(client, "return", medical, reason="x" * 501)
    assert response.status_code == 400 and "最多 500 字" in response.content.decode()
    assert ("x" * 501) in response.content.decode()
    medical.refresh_from_db()
    assert medical.status == Status.IN_PROGRESS


def test_out_of_order_is_400(client, users, medical):
    client.force_login(users.health)
    response = post(client, "resolve", medical, answer="好了")
    assert response.status_code == 400 and "不能办结" in response.content.decode()


def test_action_permissions(client, users, medical, housing):
    client.force_login(users.inside)  # sees the ticket (its village) but is not a handler
    assert post(client, "accept", medical).status_code == 403
    client.force_login(users.neighbour)  # does not see it
    assert post(client, "accept", medical).status_code == 404
    client.force_login(users.health)  # not routed to 卫健局
    assert post(client, "accept", housing).status_code == 404
    assert post(client, "archive", medical).status_code == 403
    assert client.get(reverse("tickets:accept", args=[medical.pk])).status_code == 405


def test_return_reviewed_and_bad_choice(client, users, medical):
    client.force_login(users.health)
    assert post(client, "return", medical, reason="不属本部门职责").status_code == 302
    client.force_login(users.desk)
    assert post(client, "review_return", medical, approve="maybe", note="看看").status_code == 400
    assert post(client, "review_return", medical, approve="0", note="属于卫健职责").status_code == 302
    medical.refresh_from_db()
    assert medical.status == Status.DISPATCHED


def test_extension_request_and_decision(client, users, medical):
    client.force_login(users.health)
    post(client, "accept", medical)
    assert post(client, "request_extension", medical, until="garbage", reason="等检查").status_code == 400
    until = (medical.due_at.replace(microsecond=0) + datetime.timedelta(days=3)).isoformat()
    assert post(client, "request_extension", medical, until=until, reason="等检查结果").status_code == 302
    assert post(client, "decide_extension", medical, approve="1").status_code == 403
    client.force_login(users.desk)
    assert post(client, "decide_extension", medical, approve="1", note="同意").status_code == 302
    medical.refresh_from_db()
    assert medical.extension_requested_until is None and medical.due_at > medical.created_at


def test_dispatch_from_triage(client, users, file, records, cats, depts):
    lost = file(users.desk, household=records.hv.pk, category=cats.other.pk)
    client.force_login(users.desk)
    assert post(client, "dispatch", lost).status_code == 400  # no route chosen
    assert post(client, "dispatch", lost, departments=[depts.health.pk]).status_code == 302
    lost.refresh_from_db()
    assert lost.status == Status.DISPATCHED


def test_supervise_an_overdue_ticket(client, users, medical):
    client.force_login(users.supervisor)
    assert post(client, "supervise", medical).status_code == 400  # not overdue yet
    Ticket.objects.filter(pk=medical.pk).update(due_at=medical.created_at.replace(year=2020))
    assert post(client, "supervise", medical, note="请尽快办理").status_code == 302
    assert TicketEvent.objects.filter(ticket=medical, verb="supervise").count() == 1


# ------------------------------------------------------------------------------------------------ stats


def test_stats(client, users, medical):
    client.force_login(fresh(users.health))
    post(client, "accept", medical)
    post(client, "resolve", medical, answer="已办结")
    client.force_login(users.county)
    response = client.get(reverse("tickets:stats"))
    assert response.status_code == 200
    assert [f.volume for f in response.context["departments"]] == [1]
    assert response.context["departments"][0].on_time_rate == 100.0
    assert client.get(reverse("tickets:stats") + "?level=village").status_code == 200
    client.force_login(users.nobody)
    assert client.get(reverse("tickets:stats")).status_code == 403


def test_escalation_level_by_level(client, users, file, records, cats, rules, depts, builder):
    dispute = file(users.desk, household=records.hv.pk, category=cats.dispute.pk, kind="dispute")
    client.force_login(users.inside)  # the village handles it first
    assert "escalate" in client.get(reverse("tickets:detail", args=[dispute.pk])).context["actions"]
    assert post(client, "escalate", dispute, reason="").status_code == 400
    assert post(client, "escalate", dispute, reason="村里调解不成").status_code == 302
    client.force_login(users.above)  # the township sends it to a county department of its choice
    response = client.get(reverse("tickets:detail", args=[dispute.pk]))
    assert 'name="departments"' in response.content.decode()
    data = {"reason": "涉及房屋安全", "departments": [depts.housing.pk]}
    assert post(client, "escalate", dispute, **data).status_code == 302
    dispute.refresh_from_db()
    assert dispute.level == "county" and dispute.status == Status.DISPATCHED
    active = {h.department_id for h in dispute.handlers.filter(is_active=True, role="lead")}
    assert active == {depts.housing.pk}
    client.force_login(builder)
    assert post(client, "accept", dispute).status_code == 302

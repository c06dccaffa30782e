"""The hotline desk role by role: the screen pop (card, paired cadre, open tickets, visits — each within the
operator's own scope), filing from the call (idempotent, bad input kept), the whole loop, and its API."""

import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.core.idnumber import mask_phone
from minqing.core.models import AuditEvent
from minqing.tickets.models import Status, Ticket
from minqing.tickets.tests.conftest import cats, depts, file, rules, stationed  # noqa: F401
from minqing.visits import services as visits

PHONE = "13800001111"  # the head of the household in V (minqing/conftest.py ``records``)


@pytest.fixture
def medical(file, users, records, cats, rules, stationed):  # noqa: F811
    return file(users.desk, household=records.hv.pk, category=cats.medical.pk)


@pytest.fixture
def visit(users, records):
    entry, _created = visits.log_visit(
        actor=users.inside,
        household=records.hv,
        data={"kind": "home", "found": "家中老人腿脚不便", "done": "联系家庭医生"},
        client_id=uuid.uuid4(),
    )
    return entry


def desk_url(phone=""):
    return reverse("desk:index") + (f"?phone={phone}" if phone else "")


@pytest.mark.parametrize(
    ("who", "code"),
    [("desk", 200), ("inside", 200), ("supervisor", 200), ("health", 403), ("nobody", 403)],
)
def test_desk_role_by_role(who, code, client, users):
    client.force_login(getattr(users, who))
    assert client.get(desk_url(PHONE)).status_code == code


def test_desk_needs_login(client, db):
    assert client.get(desk_url()).status_code == 302


def test_screen_pop_shows_card_cadre_and_open_tickets(client, users, records, medical, stationed, visit):  # noqa: F811
    client.force_login(users.desk)
    before = AuditEvent.objects.filter(verb="lookup").count()
    response = client.get(desk_url(PHONE))
    body = response.content.decode()
    assert response.status_code == 200
    assert "龙在内" in body and records.hv.number in body
    assert str(stationed) in body and medical.number in body
    assert mask_phone(PHONE) in body  # the members' phones, masked
    # The desk sees that the household was visited, when, how and by whom — not what was found or done.
    assert response.context["caller"].households[0].visits == [visit]
    assert visit.found not in body
    assert response.context["values"]["household"] == str(records.hv.pk)
    assert AuditEvent.objects.filter(verb="lookup").count() == before + 1
    client.force_login(users.inside)  # a village cadre at the desk reads its village's visits
    assert client.get(desk_url(PHONE)).context["caller"].households[0].visits == [visit]


def test_other_villages_numbers_are_unknown(client, users, records, medical):
    client.force_login(users.neighbour)
    response = client.get(desk_url(PHONE))
    body = response.content.decode()
    assert "龙在内" not in body and medical.number not in body
    assert 'data-testid="desk-unknown"' in body


def test_unknown_number_can_still_file(client, users, tree, cats):  # noqa: F811
    client.force_login(users.desk)
    response = client.get(desk_url("13912345678"))
    assert 'data-testid="desk-unknown"' in response.content.decode()
    assert response.context["values"]["caller_phone"] == "13912345678"
    data = {
        "client_id": str(uuid.uuid4()),
        "phone": "13912345678",
        "channel": "hotline",
        "kind": "consult",
        "urgency": "normal",
        "category": cats.other.pk,
        "area": tree.x.pk,
        "caller_name": "过路人",
        "caller_phone": "13912345678",
        "description": "咨询医保缴费",
    }
    assert client.post(reverse("desk:file"), data).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.household is None and ticket.caller_phone == "13912345678" and ticket.status == Status.NEW


@pytest.mark.parametrize(
    ("typed", "message"), [("123", "号码有误"), ("龙在内", "请输入11位手机号或带区号的固定电话")]
)
def test_bad_numbers_say_why(typed, message, client, users):
    client.force_login(users.desk)
    response = client.get(desk_url(typed))
    assert response.status_code == 200 and message in response.content.decode()


def filing(cats, records, **extra):  # noqa: F811
    data = {
        "client_id": str(uuid.uuid4()),
        "phone": PHONE,
        "channel": "hotline",
        "kind": "help",
        "urgency": "urgent",
        "category": cats.medical.pk,
        "household": records.hv.pk,
        "caller_phone": PHONE,
        "description": "老人腿疼，需要医生上门",
    }
    data.update(extra)
    return data


def test_the_whole_desk_loop(client, users, records, cats, rules, stationed, depts):  # noqa: F811
    client.force_login(users.desk)
    assert client.get(desk_url(PHONE)).status_code == 200
    response = client.post(reverse("desk:file"), filing(cats, records))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse("tickets:detail", args=[ticket.pk])
    assert (
        ticket.channel == "hotline" and ticket.household == records.hv and ticket.status == Status.DISPATCHED
    )
    handlers = {(h.role, h.target_name) for h in ticket.handlers.filter(is_active=True)}
    assert handlers == {("lead", depts.health.name), ("paired_cadre", str(stationed))}

    client.force_login(users.health)  # the department handles and replies
    assert ticket.number in client.get(reverse("tickets:list")).content.decode()
    for name, data in (("accept", {}), ("reply", {"note": "已联系家庭医生"})):
        assert client.post(reverse(f"tickets:{name}", args=[ticket.pk]), data).status_code == 302
    client.force_login(stationed)  # the paired cadre sees it in 我的工单 and replies too
    assert ticket.number in client.get(reverse("tickets:list") + "?tab=mine").content.decode()
    assert client.post(reverse("tickets:reply", args=[ticket.pk]), {"note": "已上门看望"}).status_code == 302
    assert client.post(reverse("tickets:resolve", args=[ticket.pk]), {"answer": "好了"}).status_code == 403
    client.force_login(users.health)
    assert (
        client.post(reverse("tickets:resolve", args=[ticket.pk]), {"answer": "医生已上门"}).status_code == 302
    )

    client.force_login(users.desk)  # the visit-back by phone, then 销号
    url = reverse("tickets:visit_back", args=[ticket.pk])
    assert client.post(url, {"satisfaction": "satisfied", "note": "电话回访，满意"}).status_code == 302
    assert client.post(reverse("tickets:archive", args=[ticket.pk])).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ARCHIVED and ticket.satisfaction == "satisfied"
    assert ticket.number not in client.get(desk_url(PHONE)).content.decode()  # no longer open

    client.force_login(users.county)
    figures = client.get(reverse("tickets:stats")).context["departments"]
    assert [(f.label, f.on_time_rate, f.satisfaction_rate) for f in figures] == [
        (depts.health.name, 100.0, 100.0)
    ]


def test_double_submission_files_once(client, users, records, cats, rules):  # noqa: F811
    client.force_login(users.desk)
    data = filing(cats, records)
    first, second = client.post(reverse("desk:file"), data), client.post(reverse("desk:file"), data)
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Ticket.objects.count() == 1


def test_bad_input_is_400_and_keeps_the_text(client, users, records, cats):  # noqa: F811
    client.force_login(users.desk)
    response = client.post(reverse("desk:file"), filing(cats, records, category=""))
    body = response.content.decode()
    assert response.status_code == 400 and "请选择诉求分类" in body
    assert "老人腿疼，需要医生上门" in body and "龙在内" in body
    assert not Ticket.objects.exists()


def test_filing_permissions(client, users, records, cats):  # noqa: F811
    client.force_login(users.supervisor)  # looks callers up, files nothing
    assert 'data-testid="desk-form"' not in client.get(desk_url(PHONE)).content.decode()
    assert client.post(reverse("desk:file"), filing(cats, records)).status_code == 403
    client.force_login(users.health)
    assert client.post(reverse("desk:file"), filing(cats, records)).status_code == 403
    client.force_login(users.neighbour)  # another village's household: not found in its scope
    assert client.post(reverse("desk:file"), filing(cats, records)).status_code == 404
    assert not Ticket.objects.exists()


def test_desk_queries_are_bounded(client, users, records, medical, file, cats, django_assert_max_num_queries):  # noqa: F811
    for _ in range(3):
        file(users.desk, household=records.hv.pk, category=cats.medical.pk)
    client.force_login(users.desk)
    client.get(desk_url(PHONE))
    with django_assert_max_num_queries(20):
        response = client.get(desk_url(PHONE))
    assert len(response.context["caller"].households[0].open_tickets) == 4


# -------------------------------------------------------------------------------------------------- API


def test_screen_pop_api(users, records, medical, stationed, visit):  # noqa: F811
    api = APIClient()
    api.force_authenticate(users.desk)
    response = api.get(f"/api/v1/desk/callers/{PHONE}/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["found"] == 1 and PHONE not in str(data)
    household = data["households"][0]
    assert household["id"] == records.hv.pk and household["matched"] == ["龙在内"]
    assert household["paired_cadre"] == {"id": stationed.pk, "name": str(stationed)}
    assert [t["number"] for t in household["open_tickets"]] == [medical.number]
    assert [v["kind"] for v in household["recent_visits"]] == ["home"]
    assert set(household["recent_visits"][0]) == {"id", "kind", "author_name", "created_at"}
    assert api.get("/api/v1/desk/callers/123/").status_code == 400
    assert "errors" in api.get("/api/v1/desk/callers/龙在内/").json()
    api.force_authenticate(users.neighbour)
    assert api.get(f"/api/v1/desk/callers/{PHONE}/").json()["households"] == []
    for who in (users.health, users.nobody):
        api.force_authenticate(who)
        assert api.get(f"/api/v1/desk/callers/{PHONE}/").status_code == 403
    api.force_authenticate(None)
    assert api.get(f"/api/v1/desk/callers/{PHONE}/").status_code == 401


def test_the_caller_api_still_answers_as_before(users, records):
    api = APIClient()
    api.force_authenticate(users.desk)
    response = api.get(f"/api/v1/callers/{PHONE}/")
    assert response.status_code == 200 and response.json()["results"][0]["id"] == records.hv.pk


def test_a_question_is_answered_and_closed_during_the_call(client, users, records, cats):  # noqa: F811
    client.force_login(users.desk)
    data = filing(cats, records, kind="consult", description="问医保缴费截止时间", close_now="1", answer="")
    response = client.post(reverse("desk:file"), data)
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    response = client.post(reverse("desk:file"), {**data, "kind": "help", "answer": "12月31日前"})
    assert response.status_code == 400 and "只有“咨询”类诉求可以当场答复办结" in response.content.decode()
    assert not Ticket.objects.exists()
    assert client.post(reverse("desk:file"), {**data, "answer": "12月31日前"}).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.status == Status.ARCHIVED and ticket.reply == "12月31日前"
    assert list(ticket.events.values_list("verb", flat=True)) == ["filed", "closed_on_phone"]

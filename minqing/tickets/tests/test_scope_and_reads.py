"""Who sees which tickets, role by role; the overdue sweep; the selectors' results and query counts."""

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.tickets import selectors, services
from minqing.tickets.models import Status, Ticket, TicketEvent

from .conftest import fresh


@pytest.fixture
def spread(file, users, records, cats, rules, stationed):
    """Tickets in V (medical → 卫健局 + paired cadre; dispute → the village), W (housing → 住建局), X (medical)."""
    return {
        "v_medical": file(users.desk, household=records.hv.pk, category=cats.medical.pk),
        "v_dispute": file(users.desk, household=records.hv.pk, category=cats.dispute.pk, kind="dispute"),
        "w_housing": file(users.desk, household=records.hw.pk, category=cats.housing.pk),
        "x_medical": file(users.desk, household=records.hx.pk, category=cats.medical.pk),
    }


def seen(user, action="view"):
    names = {t.pk: n for n, t in SPREAD.items()}
    return sorted(
        names[pk] for pk in Ticket.objects.visible_to(fresh(user), action).values_list("pk", flat=True)
    )


SPREAD: dict = {}


@pytest.fixture
def named(spread):
    SPREAD.clear()
    SPREAD.update(spread)
    yield spread
    SPREAD.clear()


ALL4 = ["v_dispute", "v_medical", "w_housing", "x_medical"]


def test_scope_role_by_role(named, users, builder, stationed, tree):
    assert seen(users.desk) == ALL4  # the county desk
    assert seen(users.county) == ALL4
    assert seen(users.supervisor) == ALL4
    assert seen(users.admin) == ALL4
    assert seen(users.health) == ["v_medical", "x_medical"]  # only what is routed to 卫健局
    assert seen(builder) == ["w_housing"]
    assert seen(users.inside) == ["v_dispute", "v_medical"]  # its village only
    assert seen(users.neighbour) == ["w_housing"]
    assert seen(users.above) == ["v_dispute", "v_medical", "w_housing"]  # its township
    assert seen(users.grid) == ["v_dispute", "v_medical"]  # its grid (the household in V lies in grid 1)
    assert seen(stationed) == ["v_dispute", "v_medical"]
    assert seen(users.nobody) == []
    resident = assign(UserFactory(username="jumin", phone="13800001111"), Role.RESIDENT, tree.v)
    assert seen(resident) == []  # residents read their own household's through the portal, never here


def test_handle_scope(named, users, builder, stationed):
    assert seen(users.health, "handle") == ["v_medical", "x_medical"]
    assert seen(users.inside, "handle") == ["v_dispute"]  # the village's own level only
    assert seen(users.above, "handle") == ["v_dispute"]  # the township may step in below
    assert seen(stationed, "handle") == ["v_dispute", "v_medical"]  # as the paired cadre
    assert seen(users.desk, "handle") == []
    assert seen(users.county, "handle") == []
    assert seen(users.neighbour, "handle") == []


def test_dispatch_and_supervise_scope(named, users):
    assert seen(users.desk, "dispatch") == ALL4
    assert seen(users.inside, "dispatch") == ["v_dispute", "v_medical"]
    assert seen(users.health, "dispatch") == []
    assert seen(users.supervisor, "supervise") == ALL4
    assert seen(users.inside, "supervise") == []


def test_sweep_is_idempotent_and_names_the_superior(named, users, tree):
    now = timezone.now()
    past = now - datetime.timedelta(hours=1)
    Ticket.objects.filter(pk__in=[named["v_medical"].pk, named["v_dispute"].pk]).update(due_at=past)
    assert services.sweep(now=now) == 2
    assert services.sweep(now=now) == 0  # the same day: nothing more
    events = {e.ticket_id: e for e in TicketEvent.objects.filter(verb="supervise")}
    assert set(events) == {named["v_medical"].pk, named["v_dispute"].pk}
    assert events[named["v_dispute"].pk].actor is None
    assert events[named["v_dispute"].pk].data["notify"] == [
        {"kind": "area", "area": tree.t.code, "for": tree.v.code}
    ]
    assert events[named["v_medical"].pk].data["notify"][0]["kind"] == "desk"
    # The next day it is raised again; closed tickets never.
    services.accept(actor=users.health, ticket=named["v_medical"])
    services.resolve(actor=users.health, ticket=named["v_medical"], answer="已办理")
    assert services.sweep(now=now + datetime.timedelta(days=1)) == 1
    call_command("tickets_sweep")  # the cron entry point runs (today's 督办 already recorded)
    assert TicketEvent.objects.filter(verb="supervise").count() == 3


def test_list_filters(named, users, cats):
    Ticket.objects.filter(pk=named["w_housing"].pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    Ticket.objects.filter(pk=named["x_medical"].pk).update(
        due_at=timezone.now() + datetime.timedelta(hours=3)
    )
    desk = fresh(users.desk)
    assert [t.pk for t in selectors.ticket_list(desk, {"overdue": True})] == [named["w_housing"].pk]
    assert [t.pk for t in selectors.ticket_list(desk, {"due_soon": True})] == [named["x_medical"].pk]
    flags = {t.pk: (t.is_overdue(), t.is_due_soon()) for t in selectors.ticket_list(desk)}
    assert flags[named["w_housing"].pk] == (True, False) and flags[named["x_medical"].pk] == (False, True)
    assert flags[named["v_medical"].pk] == (False, False)
    assert selectors.ticket_list(desk, {"kind": "dispute"}).get() == named["v_dispute"]
    assert selectors.ticket_list(desk, {"category": cats.medical.pk}).count() == 2
    assert (
        selectors.ticket_list(desk, {"status": "dispatched", "area": "520622103"}).get() == named["x_medical"]
    )
    assert selectors.ticket_list(desk, {"channel": "portal"}).count() == 0
    assert list(selectors.triage_queue(desk)) == []


def test_my_tickets_and_the_department_queue(named, users, depts, builder):
    assert {t.pk for t in selectors.my_tickets(fresh(users.health))} == {
        named["v_medical"].pk,
        named["x_medical"].pk,
    }
    assert {t.pk for t in selectors.my_tickets(fresh(users.inside))} == {named["v_dispute"].pk}
    queue = selectors.department_queue(fresh(users.health), depts.health.pk)
    assert [t.pk for t in queue] == sorted([named["v_medical"].pk, named["x_medical"].pk])
    assert not selectors.department_queue(fresh(builder), depts.health.pk).exists()  # not their department


def test_ticket_detail_is_scoped(named, users):
    from django.http import Http404

    detail = selectors.ticket_detail(fresh(users.inside), named["v_medical"].pk)
    assert [e.verb for e in detail.events.all()] == ["filed", "dispatch"]
    with pytest.raises(Http404):
        selectors.ticket_detail(fresh(users.neighbour), named["v_medical"].pk)


def test_statistics(named, users, depts):
    medical = named["v_medical"]
    services.accept(actor=users.health, ticket=medical)
    services.resolve(actor=users.health, ticket=medical, answer="已办理")
    services.visit_back(actor=users.desk, ticket=medical, satisfaction="satisfied")
    late = named["x_medical"]
    Ticket.objects.filter(pk=late.pk).update(due_at=late.created_at + datetime.timedelta(seconds=1))
    services.accept(actor=users.health, ticket=late)
    services.resolve(actor=users.health, ticket=late, answer="已办理")
    services.visit_back(actor=users.desk, ticket=late, satisfaction="unsatisfied")
    by_area = {f.key: f for f in selectors.stats_by_area(fresh(users.county), length=9)}
    t, u = by_area["520622102"], by_area["520622103"]
    assert (t.label, t.volume, t.resolved, t.on_time, t.on_time_rate, t.satisfaction_rate) == (
        "朱家场镇",
        3,
        1,
        1,
        100.0,
        100.0,
    )
    assert (u.volume, u.open, u.resolved, u.rated, u.satisfaction_rate) == (1, 1, 0, 1, 0.0)  # reopened
    assert t.avg_hours is not None and 0 <= t.avg_hours < 1
    by_dept = {f.label: f for f in selectors.stats_by_department(fresh(users.desk))}
    assert by_dept["卫健局"].volume == 2 and by_dept["卫健局"].satisfied == 1
    assert by_dept["住建局"].volume == 1
    assert selectors.stats_by_department(fresh(users.neighbour))[0].label == "住建局"  # scoped: W's only


def test_query_counts_stay_flat(file, users, records, cats, rules, depts, django_assert_max_num_queries):
    for n in range(12):
        file(
            users.desk,
            household=(records.hv, records.hw, records.hx)[n % 3].pk,
            category=cats.medical.pk,
            client_id=uuid.uuid4(),
        )
    health, desk, county = fresh(users.health), fresh(users.desk), fresh(users.county)
    with django_assert_max_num_queries(2):
        rows = list(selectors.ticket_list(desk, {"status": "dispatched"}))
        assert len(rows) == 12 and all(r.category.name and r.area.name for r in rows)
    with django_assert_max_num_queries(2):
        assert len(list(selectors.department_queue(health, depts.health.pk))) == 12
    with django_assert_max_num_queries(2):
        assert len(list(selectors.my_tickets(fresh(users.health)))) == 12
    with django_assert_max_num_queries(3):
        assert sum(f.volume for f in selectors.stats_by_area(county, length=12)) == 12
    with django_assert_max_num_queries(2):
        assert sum(f.volume for f in selectors.stats_by_department(fresh(users.county))) == 12
    ticket = rows[0]
    with django_assert_max_num_queries(4):
        detail = selectors.ticket_detail(fresh(users.desk), ticket.pk)
        assert len(detail.events.all()) == 2 and len(detail.handlers.all()) >= 1


def test_status_labels():
    assert [str(label) for _v, label in Status.choices] == [
        "待受理",
        "已派单",
        "办理中",
        "退单待审",
        "已办结",
        "已回访",
        "已归档",
    ]


def test_filing_takes_a_bounded_number_of_queries(
    users, records, cats, rules, stationed, django_assert_max_num_queries
):
    desk = fresh(users.desk)
    data = {
        "channel": "hotline",
        "kind": "help",
        "category": cats.medical.pk,
        "household": records.hv.pk,
        "description": "看病难",
    }
    services.file_ticket(actor=desk, data=data, client_id=uuid.uuid4())  # the day's counter row exists now
    with django_assert_max_num_queries(26):  # the desk's throughput depends on it (bench/tickets.py)
        services.file_ticket(actor=desk, data=data, client_id=uuid.uuid4())

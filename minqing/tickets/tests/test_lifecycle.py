"""Every transition of a ticket, and every refusal: out of order, wrong handler, wrong level, wrong resident."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.core.models import AuditEvent
from minqing.tickets import services
from minqing.tickets.models import Status, Ticket, TicketEvent, TicketHandler

from .conftest import fresh


@pytest.fixture
def medical(file, users, records, cats, rules, stationed):
    """A medical request of the household in V: 卫健局 leads, the paired cadre beside it."""
    return file(users.desk, household=records.hv.pk, category=cats.medical.pk)


@pytest.fixture
def dispute(file, users, records, cats, rules, stationed):
    """A neighbour dispute of the household in V, handled by the village first."""
    return file(users.desk, household=records.hv.pk, category=cats.dispute.pk, kind="dispute")


def verbs(ticket):
    return list(ticket.events.order_by("id").values_list("verb", flat=True))


def refused(code, call, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    found = error.value
    # A field error names its field (Django drops the code of a dict), any other its code.
    assert code in (found.error_dict if hasattr(found, "error_dict") else [found.code]), found
    return error.value


def test_the_full_loop(medical, users, stationed):
    services.accept(actor=users.health, ticket=medical)
    services.reply(actor=stationed, ticket=medical, note="已陪同老人到乡卫生院初诊")
    row = services.resolve(actor=users.health, ticket=medical, answer="已安排县医院专家门诊并办理慢病卡")
    assert row.status == Status.RESOLVED and row.resolved_at and row.accepted_at
    row = services.visit_back(
        actor=users.desk, ticket=medical, satisfaction="satisfied", note="电话回访，满意"
    )
    assert row.status == Status.VISITED_BACK and row.satisfaction == "satisfied"
    row = services.archive(actor=users.desk, ticket=medical)
    assert row.status == Status.ARCHIVED and row.closed_at
    assert verbs(row) == ["filed", "dispatch", "accept", "reply", "resolve", "visit_back", "archive"]
    transitions = list(row.events.exclude(to_status="").values_list("to_status", flat=True))
    assert transitions == ["dispatched", "in_progress", "resolved", "visited_back", "archived"]


def test_out_of_order_is_refused(medical, users):
    refused("transition", services.resolve, actor=users.health, ticket=medical, answer="好了")  # not accepted
    refused("transition", services.archive, actor=users.desk, ticket=medical)
    refused("transition", services.visit_back, actor=users.desk, ticket=medical, satisfaction="satisfied")
    services.accept(actor=users.health, ticket=medical)
    error = refused("transition", services.accept, actor=users.health, ticket=medical)
    assert "办理中" in error.messages[0] and medical.number in error.messages[0]
    assert Ticket.objects.get(pk=medical.pk).status == Status.IN_PROGRESS


def test_a_department_cannot_touch_a_ticket_not_routed_to_it(medical, users, builder):
    for call in (services.accept, services.resolve):
        with pytest.raises(Http404):
            call(actor=builder, ticket=medical, **({"answer": "x"} if call is services.resolve else {}))
    with pytest.raises(Http404):
        services.return_ticket(actor=builder, ticket=medical, reason="不归我们")


def test_only_the_lead_resolves_returns_or_escalates(medical, users, stationed):
    services.accept(actor=stationed, ticket=medical)  # any handler may accept
    with pytest.raises(PermissionDenied):
        services.resolve(actor=stationed, ticket=medical, answer="我办好了")
    with pytest.raises(PermissionDenied):
        services.return_ticket(actor=stationed, ticket=medical, reason="不归我")
    with pytest.raises(PermissionDenied):  # the desk reads it, but it is nobody's handler here
        services.reply(actor=users.desk, ticket=medical, note="催办")


def test_escalation_village_township_county(dispute, users, stationed, depts, tree):
    services.accept(actor=users.inside, ticket=dispute)
    row = services.escalate(actor=users.inside, ticket=dispute, reason="调解未成，需镇司法所")
    assert (row.level, row.status) == ("township", Status.DISPATCHED)
    with pytest.raises(PermissionDenied):  # the village's handler row is inactive: no more handling there
        services.accept(actor=fresh(users.inside), ticket=dispute)
    services.accept(actor=users.above, ticket=dispute)
    refused("reason", services.escalate, actor=users.above, ticket=dispute, reason="")
    row = services.escalate(
        actor=users.above, ticket=dispute, reason="涉及土地确权", departments=[depts.housing.pk]
    )
    assert (row.level, row.status) == ("county", Status.DISPATCHED)
    active = set(TicketHandler.objects.filter(ticket=dispute, is_active=True).values_list("role", flat=True))
    assert active == {"lead", "paired_cadre"}  # the paired cadre stays through every level
    assert row.due_at == dispute.due_at  # escalating keeps the original deadline
    refused("transition", services.escalate, actor=users.admin, ticket=dispute, reason="再上报")


def test_escalation_to_a_county_without_departments_goes_to_triage(dispute, users):
    services.escalate(actor=users.inside, ticket=dispute, reason="村里处理不了")
    row = services.escalate(actor=users.above, ticket=dispute, reason="镇里也处理不了")
    assert row.status == Status.NEW and row.level == "county"
    assert "triage" in verbs(row)


def test_escalation_to_the_county_takes_the_rule_departments(dispute, users, rules, depts):
    rules.dispute.departments.set([depts.housing])  # village first, then 住建局
    services.escalate(actor=users.inside, ticket=dispute, reason="村里调解不成")
    row = services.escalate(actor=users.above, ticket=dispute, reason="需县级部门")
    assert row.status == Status.DISPATCHED
    lead = TicketHandler.objects.get(ticket=dispute, is_active=True, role="lead")
    assert lead.department == depts.housing


def test_return_is_reviewed_by_the_desk(medical, users, depts, builder):
    services.accept(actor=users.health, ticket=medical)
    refused("reason", services.return_ticket, actor=users.health, ticket=medical, reason=" ")
    row = services.return_ticket(actor=users.health, ticket=medical, reason="属于住房问题，应由住建局办理")
    assert row.status == Status.RETURNED
    # Returning does not drop the work: the department still sees and holds it until the desk decides.
    assert Ticket.objects.visible_to(users.health, "handle").filter(pk=medical.pk).exists()
    refused("transition", services.resolve, actor=users.health, ticket=medical, answer="x")
    with pytest.raises(PermissionDenied):  # the department cannot approve its own return
        services.review_return(actor=users.health, ticket=medical, approve=True, note="同意")
    row = services.review_return(
        actor=users.desk, ticket=medical, approve=False, note="属于卫健职责，请继续办理"
    )
    assert row.status == Status.IN_PROGRESS
    services.return_ticket(actor=users.health, ticket=medical, reason="确属住建")
    row = services.review_return(
        actor=users.desk,
        ticket=medical,
        approve=True,
        note="改派住建局",
        route=services.Route(departments=[depts.housing]),
    )
    assert row.status == Status.DISPATCHED
    active = TicketHandler.objects.filter(ticket=medical, is_active=True)
    assert sorted(active.values_list("role", flat=True)) == ["lead", "paired_cadre"]  # the cadre stays
    assert not Ticket.objects.visible_to(users.health, "view").filter(pk=medical.pk).exists()
    assert Ticket.objects.visible_to(builder, "handle").filter(pk=medical.pk).exists()
    assert AuditEvent.objects.filter(verb="tickets.return_reviewed").count() == 2


def test_approved_return_without_a_route_goes_back_to_triage(medical, users):
    services.return_ticket(actor=users.health, ticket=medical, reason="非本部门职责")
    row = services.review_return(actor=users.desk, ticket=medical, approve=True, note="重新分派")
    assert row.status == Status.NEW
    assert not TicketHandler.objects.filter(ticket=medical, is_active=True, department__isnull=False).exists()


def test_dispatch_from_triage(file, users, records, cats, depts, rules, tree):
    ticket = file(users.desk, household=records.hv.pk, category=cats.other.pk)
    refused("route", services.dispatch, actor=users.desk, ticket=ticket, route=services.Route())
    with pytest.raises(PermissionDenied):  # a village does not send work to county departments
        services.dispatch(actor=users.inside, ticket=ticket, route=services.Route(departments=[depts.health]))
    with pytest.raises(Http404):
        services.dispatch(actor=users.neighbour, ticket=ticket, route=services.Route(area=tree.w))
    route = services.build_route(ticket=ticket, area_id=tree.v.pk)
    row = services.dispatch(actor=users.inside, ticket=ticket, route=route)
    assert (row.status, row.level) == (Status.DISPATCHED, "village")
    with pytest.raises(ValidationError):
        services.build_route(ticket=ticket, area_id=tree.w.pk)  # not the ticket's village


def test_extension_is_approved_above(dispute, medical, users):
    until = dispute.due_at + datetime.timedelta(days=3)
    services.request_extension(
        actor=users.inside, ticket=dispute, until=until, reason="双方外出务工，下周返乡"
    )
    refused(
        "pending",
        services.request_extension,
        actor=users.inside,
        ticket=dispute,
        until=until,
        reason="再申请",
    )
    with pytest.raises(PermissionDenied):  # the village does not approve its own request
        services.decide_extension(actor=users.inside, ticket=dispute, approve=True)
    row = services.decide_extension(actor=users.above, ticket=dispute, approve=True, note="同意")
    assert row.due_at == until and row.extension_requested_until is None
    refused("transition", services.decide_extension, actor=users.above, ticket=dispute, approve=True)
    refused(
        "until",
        services.request_extension,
        actor=users.health,
        ticket=medical,
        until=medical.due_at,
        reason="x",
    )
    services.request_extension(
        actor=users.health, ticket=medical, until=medical.due_at + datetime.timedelta(days=1), reason="需会诊"
    )
    with pytest.raises(PermissionDenied):  # a township office does not decide for a county department
        services.decide_extension(actor=users.above, ticket=medical, approve=True)
    row = services.decide_extension(actor=users.desk, ticket=medical, approve=False, note="不同意")
    assert row.due_at == medical.due_at


def test_unsatisfied_visit_back_reopens(medical, users):
    services.accept(actor=users.health, ticket=medical)
    services.resolve(actor=users.health, ticket=medical, answer="已处理")
    refused("satisfaction", services.visit_back, actor=users.desk, ticket=medical, satisfaction="meh")
    before = timezone.now()
    row = services.visit_back(actor=users.desk, ticket=medical, satisfaction="unsatisfied", note="仍未就医")
    assert row.status == Status.IN_PROGRESS and row.reopen_count == 1 and row.resolved_at is None
    assert row.due_at >= before + datetime.timedelta(days=4)  # a new deadline of 5 working days from now
    services.resolve(actor=users.health, ticket=medical, answer="已陪同就医")
    row = services.visit_back(actor=users.desk, ticket=medical, satisfaction="fairly")
    assert row.status == Status.VISITED_BACK and row.reopen_count == 1


@pytest.fixture
def resident(records, tree):
    user = UserFactory(username="jumin", phone="13800001111")  # the phone of the head in V
    return assign(user, Role.RESIDENT, tree.v)


def test_the_resident_rates_only_their_own_household(medical, file, users, records, cats, resident):
    services.accept(actor=users.health, ticket=medical)
    services.resolve(actor=users.health, ticket=medical, answer="已处理")
    other = file(users.desk, household=records.hw.pk, category=cats.medical.pk)
    with pytest.raises(Http404):
        services.rate(actor=resident, ticket=other, satisfaction="unsatisfied")
    row = services.rate(actor=resident, ticket=medical, satisfaction="satisfied", note="谢谢")
    assert row.status == Status.VISITED_BACK
    assert row.events.get(verb="rate").actor == resident
    with pytest.raises(Http404):  # a resident never reads tickets through the staff scope
        services.archive(actor=resident, ticket=medical)


def test_supervise_once_a_day_and_only_when_overdue(medical, users):
    refused("not_overdue", services.supervise, actor=users.supervisor, ticket=medical)
    Ticket.objects.filter(pk=medical.pk).update(due_at=timezone.now() - datetime.timedelta(hours=2))
    _row, recorded = services.supervise(actor=users.supervisor, ticket=medical, note="请加快办理")
    _row, again = services.supervise(actor=users.desk, ticket=medical)
    assert (recorded, again) == (True, False)
    event = medical.events.get(verb="supervise")
    assert event.data["notify"] == [
        {"kind": "desk", "area": "520622", "for": f"department:{medical.handlers.first().department_id}"}
    ]
    with pytest.raises(PermissionDenied):  # the paired cadre handles, does not supervise
        services.supervise(actor=users.health, ticket=medical)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_the_timeline_is_append_only_on_postgresql(medical):
    with pytest.raises(IntegrityError, match="tickets_ticketevent is append-only"), transaction.atomic():
        TicketEvent.objects.filter(ticket=medical).update(note="改写")
    with pytest.raises(IntegrityError, match="tickets_ticketevent is append-only"), transaction.atomic():
        TicketEvent.objects.filter(ticket=medical).delete()


def test_every_service_writes_its_events_in_its_transaction(medical, users, monkeypatch):
    """A failure after the change rolls back the status too: no change without its timeline line."""
    from minqing.tickets.services import handling

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(handling, "event", broken)
    with pytest.raises(RuntimeError):
        services.accept(actor=users.health, ticket=medical)
    assert Ticket.objects.get(pk=medical.pk).status == Status.DISPATCHED

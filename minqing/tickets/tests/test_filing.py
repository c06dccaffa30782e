"""Filing: idempotency, numbers, deadlines, routing (rules, paired cadre, nearest area, triage), who may file,
the caller's phone encrypted and masked, and the 咨询 closed on the phone."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from minqing.core import sensitive
from minqing.tickets import services
from minqing.tickets.models import HandlerRole, RoutingRule, Status, Ticket, TicketEvent, TicketHandler


def handlers(ticket):
    return sorted(
        (h.role, h.department.code if h.department else h.user.username if h.user else h.area.code)
        for h in TicketHandler.objects.filter(ticket=ticket, is_active=True).select_related(
            "department", "user", "area"
        )
    )


def test_desk_files_a_medical_request_routed_to_health_and_the_paired_cadre(
    file, users, records, cats, rules, stationed
):
    ticket = file(users.desk, household=records.hv.pk, category=cats.clinic.pk)
    assert ticket.status == Status.DISPATCHED
    assert ticket.level == "county"
    assert ticket.area_path == records.hv.area_path and ticket.grid_path == records.hv.grid_path
    # The 就医困难 sub-category follows its parent's rule.
    assert handlers(ticket) == [("lead", "health"), ("paired_cadre", "zhucun")]
    verbs = list(TicketEvent.objects.filter(ticket=ticket).values_list("verb", "from_status", "to_status"))
    assert verbs == [("filed", "", ""), ("dispatch", "new", "dispatched")]
    assert ticket.number.startswith(timezone.localdate().strftime("%Y%m%d")) and len(ticket.number) == 13


def test_numbers_follow_each_other(file, users, records, cats, rules):
    first = file(users.desk, household=records.hv.pk, category=cats.medical.pk)
    second = file(users.desk, household=records.hv.pk, category=cats.medical.pk)
    assert int(second.number) == int(first.number) + 1


def test_double_submission_files_one_ticket(users, records, cats, rules):
    key = uuid.uuid4()
    data = {
        "channel": "hotline",
        "kind": "help",
        "category": cats.medical.pk,
        "household": records.hv.pk,
        "description": "看病难",
    }
    first, created = services.file_ticket(actor=users.desk, data=data, client_id=key)
    again, created_again = services.file_ticket(actor=users.desk, data=data, client_id=str(key))
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1 and TicketEvent.objects.filter(verb="filed").count() == 1


def test_client_id_is_required(users, records, cats):
    with pytest.raises(ValidationError) as error:
        services.file_ticket(actor=users.desk, data={"household": records.hv.pk}, client_id="nonsense")
    assert "client_id" in error.value.message_dict


def test_no_rule_goes_to_the_triage_queue(file, users, records, cats, rules):
    ticket = file(users.desk, household=records.hv.pk, category=cats.other.pk)
    assert ticket.status == Status.NEW
    assert handlers(ticket) == []
    assert TicketEvent.objects.filter(ticket=ticket, verb="triage").count() == 1
    from minqing.tickets.selectors import triage_queue

    assert list(triage_queue(users.desk)) == [ticket]


def test_paired_cadre_is_only_added_when_the_household_has_one(file, users, records, cats, rules):
    ticket = file(users.desk, household=records.hv.pk, category=cats.medical.pk)
    assert handlers(ticket) == [("lead", "health")]


def test_the_nearest_area_rule_wins(file, users, records, cats, rules, depts, tree):
    township = RoutingRule.objects.create(category=cats.medical, area=tree.t)
    township.departments.set([depts.housing])
    ticket = file(users.desk, household=records.hv.pk, category=cats.medical.pk)
    assert handlers(ticket) == [("lead", "housing")]  # T's rule beats the county-wide one
    elsewhere = file(users.desk, household=records.hx.pk, category=cats.medical.pk)
    assert handlers(elsewhere) == [("lead", "health")]  # X lies in U: the general rule
    village = RoutingRule.objects.create(category=cats.medical, area=tree.v)
    village.departments.set([depts.health])
    assert handlers(file(users.desk, household=records.hv.pk, category=cats.medical.pk)) == [
        ("lead", "health")
    ]


def test_village_first_rule_routes_to_the_village(file, users, records, cats, rules, stationed, tree):
    ticket = file(users.desk, household=records.hv.pk, category=cats.dispute.pk, kind="dispute")
    assert ticket.level == "village"
    assert handlers(ticket) == [("lead", tree.v.code), ("paired_cadre", "zhucun")]


def test_propose_route_is_pure(users, records, cats, rules, stationed):
    route = services.propose_route(
        category=cats.medical, area_path=records.hv.area_path, household=records.hv
    )
    assert [d.code for d in route.departments] == ["health"] and route.cadre == stationed
    assert TicketHandler.objects.count() == 0


def test_operator_route_overrides_the_proposal(file, users, records, cats, rules, depts):
    route = services.Route(departments=[depts.housing])
    ticket = file(users.desk, household=records.hv.pk, category=cats.medical.pk, route=route)
    assert handlers(ticket) == [("lead", "housing")]
    assert TicketEvent.objects.get(ticket=ticket, verb="dispatch").data["proposed"] is False


def test_anonymous_caller_needs_an_area(file, users, cats, rules, tree):
    with pytest.raises(ValidationError) as error:
        file(users.desk, category=cats.medical.pk, caller_phone="13912345678")
    assert "area" in error.value.message_dict
    ticket = file(users.desk, category=cats.medical.pk, area=tree.w.pk, caller_phone="139 1234 5678")
    assert ticket.area_path == tree.w.code and ticket.caller_phone == "13912345678"


def test_caller_phone_is_encrypted_and_masked(file, users, cats, rules, tree):
    ticket = file(users.desk, category=cats.medical.pk, area=tree.w.pk, caller_phone="13912345678")
    assert sensitive.is_sensitive(Ticket, "caller_phone")
    assert ticket.caller_phone_masked == "139****5678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_phone FROM tickets_ticket WHERE id = %s", [ticket.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in stored
    assert Ticket.objects.filter(caller_phone="13912345678").get() == ticket  # the blind index


def test_bad_input_is_refused_with_the_field_to_fix(file, users, records, cats, rules):
    for data, field in [
        ({"category": cats.medical.pk, "description": ""}, "description"),
        ({"category": 0}, "category"),
        ({"category": cats.medical.pk, "kind": "gossip"}, "kind"),
        ({"category": cats.medical.pk, "latitude": "95", "longitude": "108"}, "latitude"),
        ({"category": cats.medical.pk, "caller_phone": "12345"}, "caller_phone"),
    ]:
        with pytest.raises(ValidationError) as error:
            file(users.desk, household=records.hv.pk, **data)
        assert field in error.value.message_dict, data
    assert Ticket.objects.count() == 0


def test_the_filing_line_keeps_the_deadline_and_says_whether_the_calendar_knew_it(file, users, records, cats):
    ticket = file(users.desk, household=records.hv.pk, category=cats.other.pk)
    data = ticket.events.get(verb="filed").data
    assert data["due_at"] == ticket.due_at.isoformat()
    assert data["calendar_exact"] is (ticket.due_at.year <= 2026)  # chinesecalendar 1.11 knows up to 2026


def test_a_person_outside_the_scope_does_not_exist(file, users, records, cats):
    with pytest.raises(Http404):
        file(users.neighbour, person=records.pv.pk, category=cats.other.pk)
    ticket = file(users.inside, person=records.pv.pk, category=cats.other.pk)
    assert (ticket.household, ticket.person) == (records.hv, records.pv)
    with pytest.raises(ValidationError):
        file(users.desk, person=records.pv.pk, household=records.hw.pk, category=cats.other.pk)


def test_who_may_file_where(file, users, records, cats, rules, depts):
    assert file(users.inside, household=records.hv.pk, category=cats.medical.pk, channel="visit")
    assert file(users.grid, household=records.hv.pk, category=cats.medical.pk, channel="grid")  # visit right
    with pytest.raises(Http404):  # outside the neighbour's look-up scope: it does not exist
        file(users.neighbour, household=records.hv.pk, category=cats.medical.pk)
    with pytest.raises(PermissionDenied):  # the county leader reads but files nothing
        file(users.county, household=records.hv.pk, category=cats.medical.pk)
    with pytest.raises(PermissionDenied):  # a grid worker files; the rules route
        file(users.grid, household=records.hv.pk, category=cats.medical.pk, route=services.Route())
    with pytest.raises(PermissionDenied):  # a village sends nothing to county departments itself
        file(
            users.inside,
            household=records.hv.pk,
            category=cats.medical.pk,
            route=services.Route(departments=[depts.health]),
        )
    with pytest.raises(Http404):
        file(users.health, household=records.hv.pk, category=cats.medical.pk)


def test_close_on_phone_files_and_archives_a_consultation(users, records, cats):
    data = {
        "channel": "hotline",
        "kind": "consult",
        "category": cats.other.pk,
        "household": records.hv.pk,
        "description": "咨询医保缴费时间",
    }
    ticket, created = services.close_on_phone(
        actor=users.desk, data=data, client_id=uuid.uuid4(), answer="每年9月至12月缴费"
    )
    assert created and ticket.status == Status.ARCHIVED and ticket.reply == "每年9月至12月缴费"
    assert ticket.closed_at and ticket.resolved_at
    assert list(ticket.events.values_list("verb", flat=True)) == ["filed", "closed_on_phone"]
    with pytest.raises(ValidationError) as error:
        services.close_on_phone(
            actor=users.desk, data={**data, "kind": "help"}, client_id=uuid.uuid4(), answer="x"
        )
    assert "kind" in error.value.message_dict
    with pytest.raises(PermissionDenied):  # a grid worker may file, not close on the phone
        services.close_on_phone(actor=users.grid, data=data, client_id=uuid.uuid4(), answer="x")


def test_a_ticket_from_a_visit(file, users, records, cats, rules):
    from minqing.visits.services import log_visit

    visit, _created = log_visit(
        actor=users.inside,
        household=records.hv.pk,
        data={"kind": "home", "found": "老人腿疼", "raised": "想去县医院"},
        client_id=uuid.uuid4(),
    )
    ticket = file(
        users.inside, household=records.hv.pk, category=cats.medical.pk, channel="visit", visit=visit.pk
    )
    assert ticket.visit == visit
    with pytest.raises(ValidationError):
        file(users.inside, household=records.hv.pk, category=cats.medical.pk, visit=visit.pk + 999)


def test_handler_role_labels_are_chinese():
    assert str(HandlerRole.PAIRED_CADRE.label) == "帮扶责任人"


def test_one_routing_rule_per_category_and_area(cats, rules, tree):
    twin = RoutingRule(category=cats.medical)
    with pytest.raises(ValidationError):
        twin.full_clean()
    RoutingRule(category=cats.medical, area=tree.t).full_clean()  # another area: fine

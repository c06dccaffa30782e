"""A request raised during a visit becomes a ticket in two taps: the visit page links to a pre-filled form,
and the ticket keeps the visit (channel 走访)."""

import re

from django.urls import reverse

from minqing.tickets.models import Channel, Ticket
from minqing.visits import services as visits
from minqing.visits.tests.helpers import data, new_id


def test_the_author_files_the_raised_request_as_a_ticket(login, users, records, cats):
    visit, _ = visits.log_visit(
        actor=users.inside,
        household=records.hv,
        data=data(raised="希望村里修一下通组路的排水沟"),
        client_id=new_id(),
    )
    client = login(users.inside)
    page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    link = re.search(r'data-testid="raise-ticket" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200
    body = form.content.decode()
    assert f'name="visit" value="{visit.pk}"' in body and "通组路的排水沟" in body
    posted = client.post(
        reverse("tickets:new"),
        {
            "client_id": new_id(),
            "household": records.hv.pk,
            "visit": visit.pk,
            "channel": "visit",
            "kind": "suggestion",
            "category": cats.dispute.pk,
            "urgency": "normal",
            "description": visit.raised,
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert (ticket.visit_id, ticket.channel, ticket.household_id) == (visit.pk, Channel.VISIT, records.hv.pk)


def test_only_the_author_sees_the_link(login, users, records):
    visit, _ = visits.log_visit(
        actor=users.inside, household=records.hv, data=data(raised="路灯坏了"), client_id=new_id()
    )
    page = login(users.above).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "raise-ticket" not in page
    plain, _ = visits.log_visit(actor=users.inside, household=records.hv, data=data(), client_id=new_id())
    assert (
        "raise-ticket"
        not in login(users.inside).get(reverse("visits:detail", args=[plain.pk])).content.decode()
    )

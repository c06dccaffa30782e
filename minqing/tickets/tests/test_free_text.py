"""Free text of a request and of its timeline (replies, answers, reasons) is shown in clear to every reader:
an ID or phone number in it is refused with the field's message, and nothing is written."""

import pytest
from django.core.exceptions import ValidationError

from minqing.tickets import services
from minqing.tickets.models import Status, Ticket, TicketEvent


def test_a_phone_in_the_description_is_refused(users, records, cats, rules, file):
    with pytest.raises(ValidationError) as caught:
        file(users.desk, household=records.hv.pk, category=cats.medical.pk, description="请回电13800001111")
    assert "description" in caught.value.message_dict and not Ticket.objects.exists()


def test_a_phone_or_id_in_a_timeline_note_is_refused(users, records, cats, rules, file):
    ticket = file(users.desk, household=records.hv.pk, category=cats.medical.pk)
    services.accept(actor=users.health, ticket=ticket)
    lines = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(ValidationError) as caught:
        services.resolve(actor=users.health, ticket=ticket, answer="已联系，家属电话 13800001111")
    assert "身份证号或电话号码" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        services.reply(actor=users.health, ticket=ticket, note="患者身份证 11010519491231002X")
    assert TicketEvent.objects.filter(ticket=ticket).count() == lines
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS

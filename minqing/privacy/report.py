"""The PIPL right to know (个人信息保护法 第44、45条): who looked at one resident's data, and who exported it.

Reveals come from the audit log (the person's own values, the household's phone, their identity copies);
exports from ``exports.ExportContent``, the exact set of records each finished export held (recorded at
export time, never re-evaluated). A households export is matched by the person's current household.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.limits import REVEAL_VERB
from minqing.core.models import AuditEvent
from minqing.exports import ledger
from minqing.exports.models import ExportContent, ExportJob
from minqing.registry.models import Attachment, Person

HEADERS = (
    gettext_lazy("类型"),
    gettext_lazy("时间"),
    gettext_lazy("操作人"),
    gettext_lazy("IP地址"),
    gettext_lazy("字段"),
    gettext_lazy("说明"),
)
WIDTHS = (8, 18, 14, 16, 60, 40)


def person_by_id_number(number: str) -> Person | None:
    """The one lookup of a person by ID number (switch here when the number is stored encrypted)."""
    return Person.objects.filter(id_number=number).first()


def find_person(query: str) -> Person | None:
    """A person by ID number (15 or 18 characters) or by record number (``Person.pk``)."""
    query = query.strip().upper()
    if len(query) in (15, 18):
        return person_by_id_number(query)
    if query.isascii() and query.isdigit() and len(query) <= 18:
        return Person.objects.filter(pk=int(query)).first()
    return None


@dataclass(frozen=True)
class Entry:
    """One look at or one export of the person's data."""

    kind: str
    at: datetime.datetime
    actor: str
    ip: str
    fields: str
    note: str

    def cells(self) -> list[str]:
        when = f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"
        return [self.kind, when, self.actor, self.ip, self.fields, self.note]


def reveals_of(person: Person) -> list[Entry]:
    documents = Attachment.objects.filter(
        Q(person=person) | Q(household_id=person.household_id, person__isnull=True)
    ).values_list("pk", flat=True)
    looked = (
        Q(target_type="registry.person", target_id=str(person.pk))
        | Q(target_type="registry.household", target_id=str(person.household_id))
        | Q(target_type="registry.attachment", target_id__in=[str(pk) for pk in documents])
    )
    events = AuditEvent.objects.filter(looked, verb=REVEAL_VERB).order_by("at", "id")
    notes = {
        "registry.person": _("本人信息"),
        "registry.household": _("所在户信息"),
        "registry.attachment": _("证件复印件"),
    }
    return [
        Entry(
            str(_("查看")),
            e.at,
            e.actor_name,
            e.ip or "",
            str((e.changes or {}).get("field", "")),
            f"{notes.get(e.target_type, '')}：{e.target_label}",
        )
        for e in events
    ]


def exports_of(person: Person) -> list[Entry]:
    found = []
    contents = ExportContent.objects.select_related("event").order_by("event__at", "event_id")
    for content in contents.iterator(chunk_size=100):
        if content.kind == ExportJob.Kind.PERSONS:
            hit, note = ledger.contains(content.person_ids, person.pk), _("人员名单（本人一行）")
        else:
            hit = ledger.contains(content.household_ids, person.household_id)
            note = _("户名单（所在户一行，含户主姓名和户联系电话）")
        if not hit:
            continue
        masked = _("身份证号和电话已脱敏") if content.masked else _("身份证号和电话未脱敏")
        event = content.event
        found.append(
            Entry(
                str(_("导出")),
                event.at,
                event.actor_name,
                event.ip or "",
                "、".join(content.fields),
                f"{note}；{masked}；{_('共%(n)d行') % {'n': content.rows}}",
            )
        )
    return found


def privacy_report(person: Person) -> list[Entry]:
    """Every reveal and export of ``person``'s data, oldest first."""
    return sorted(reveals_of(person) + exports_of(person), key=lambda e: e.at)

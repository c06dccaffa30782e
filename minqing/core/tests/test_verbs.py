"""The audit log and the histories speak Chinese: every verb written has a label, values read as words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from minqing.core import audit, verbs
from minqing.core.models import AuditEvent
from minqing.core.pagination import PAGE_SIZE
from minqing.exports.models import ExportJob

ROOT = Path(__file__).resolve().parents[2]
# A verb literal on a line that writes or names one: verb="a.b", VERB = "a.b", "a.b" if x else "a.c".
LITERAL = re.compile(r"\"([a-z_]+(?:\.[a-z_]+)*)\"")


def written_verbs() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"VERB\w* = \"", line):  # LOOKUP_VERB = "lookup"
                found |= set(LITERAL.findall(line.split("=", 1)[1])[:1])
            elif re.search(r"\bverb=\"|VERBS = \(", line):  # dotted verbs; other literals are change keys
                found |= {v for v in LITERAL.findall(line.split("=", 1)[1]) if "." in v}
    return found


def test_every_verb_written_in_the_code_has_a_chinese_label():
    found = written_verbs()
    assert {"registry.household.created", "sensitive.revealed", "account.locked"} <= found  # the scan works
    found |= {f"export.{kind}" for kind in ExportJob.Kind.values}  # written as f"export.{job.kind}"
    missing = sorted(v for v in found if verbs.label(v) == v)
    assert missing == []


def test_an_unregistered_verb_shows_as_stored():
    assert verbs.label("some.old.verb") == "some.old.verb"
    assert verbs.label("registry.household.created") == "新建户档案"


def test_change_values_read_as_words_not_python():
    event = AuditEvent(verb="registry.tag.set", changes={"标签": ["", "低保户"], "成员": ["甲", "乙"]})
    lines = {c.field: (c.before, c.after) for c in event.change_list}
    assert lines["标签"] == ("", "低保户")
    event = AuditEvent(verb="x", changes={"成员": ["甲", "乙", "丙"], "是否": True, "明细": {"a": 1}})
    shown = {c.field: c.after for c in event.change_list}
    assert shown == {"成员": "甲、乙、丙", "是否": "是", "明细": "a：1"}


@pytest.mark.django_db
def test_audit_log_page_shows_labels_and_no_python_lists(login, users, records):
    audit.record(
        actor=users.data_admin,
        verb="registry.household.created",
        target=records.hv,
        household_id=records.hv.pk,
        changes={"家庭成员": ["甲", "乙", "丙"]},
    )
    body = login(users.supervisor).get(reverse("core:audit")).content.decode()
    assert "新建户档案" in body
    assert "registry.household.created</" not in body and "<code>registry" not in body
    assert "['" not in body and "甲、乙、丙" in body


@pytest.mark.django_db
def test_history_names_the_action(login, users, records):
    audit.record(
        actor=users.inside, verb="registry.household.updated", target=records.hv, household_id=records.hv.pk
    )
    body = login(users.inside).get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert "修改户档案" in body


@pytest.mark.django_db
def test_audit_log_shows_its_total_and_page_count_on_the_first_page(login, users, records):
    for _ in range(60):  # more than one page
        audit.record(actor=users.data_admin, verb="registry.household.updated", target=records.hv)
    visible = AuditEvent.objects.visible_to(users.supervisor, "audit").count()
    assert visible >= 60
    response = login(users.supervisor).get(reverse("core:audit"))
    body = response.content.decode()
    assert f"共 {visible:,} 条" in body
    assert f"第 1 / {-(-visible // PAGE_SIZE)} 页" in body

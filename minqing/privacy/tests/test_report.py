"""``manage.py privacy_report``: every reveal and export of one resident, exact, audited, text and xlsx."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from minqing.core.masking import sensitive_reveal
from minqing.core.middleware import client_ip
from minqing.core.models import AuditEvent
from minqing.exports import ledger, services
from minqing.exports.models import ExportContent
from minqing.privacy import report
from minqing.registry.tests.factories import PersonFactory


def test_ledger_round_trip():
    ids = [5, 1, 300, 70000, 2**40, 5, 1]
    blob = ledger.pack(ids)
    assert ledger.unpack(blob) == [1, 5, 300, 70000, 2**40]
    assert ledger.contains(blob, 300) and not ledger.contains(blob, 301)
    assert ledger.pack([]) == b"" and ledger.unpack(b"") == []
    big = list(range(1, 200_001))
    assert len(ledger.pack(big)) < 2_000  # consecutive ids cost almost nothing


@pytest.fixture
def history(users, records):
    """inside reveals the V head's ID number (from 10.0.0.7) and exports V's persons; above exports V's
    households; the neighbour exports W (without the V head)."""
    token = client_ip.set("10.0.0.7")
    try:
        sensitive_reveal(actor=users.inside, obj=records.pv, field="id_number")
    finally:
        client_ip.reset(token)
    services.export_start(owner=users.inside, kind="persons", params="")
    services.export_start(owner=users.above, kind="households", params="")
    services.export_start(owner=users.neighbour, kind="persons", params="")
    return records


def run(*args):
    out = io.StringIO()
    call_command("privacy_report", *args, stdout=out)
    return out.getvalue()


def test_exports_record_exactly_what_they_held(users, history):
    persons = ExportContent.objects.get(event__actor=users.inside)
    assert ledger.unpack(persons.person_ids) == [history.pv.pk]
    assert persons.rows == 1 and "公民身份号码" in persons.fields and persons.masked is False
    households = ExportContent.objects.get(event__actor=users.above)
    assert set(ledger.unpack(households.household_ids)) == {history.hv.pk, history.hw.pk}


def test_text_report_lists_reveals_and_exports(users, history):
    text = run(history.pv.id_number)
    lines = [line for line in text.splitlines() if " | " in line]
    assert len(lines) == 3, text
    reveal, own, household = lines
    assert reveal.startswith("查看 |") and str(users.inside) in reveal and "10.0.0.7" in reveal
    assert "公民身份号码" in reveal
    assert own.startswith("导出 |") and str(users.inside) in own and "人员名单" in own and "未脱敏" in own
    assert household.startswith("导出 |") and str(users.above) in household and "户名单" in household
    assert str(users.neighbour) not in text
    assert "共3条" in text


def test_lookup_by_person_id_and_unknown(history):
    assert report.find_person(str(history.px.pk)) == history.px
    assert "没有查看或导出记录" in run(str(history.px.pk))  # X: in nobody's export, never revealed
    with pytest.raises(CommandError):
        run("110101199001011234")
    with pytest.raises(CommandError):
        run("不是号码")


def test_the_report_is_audited(history):
    run(str(history.pv.pk))
    event = AuditEvent.objects.get(verb="privacy.report")
    assert event.target_id == str(history.pv.pk) and event.changes["条数"] == 3


def test_xlsx_output(history, tmp_path):
    target = tmp_path / "report.xlsx"
    run(str(history.pv.pk), "--format", "xlsx", "--output", str(target))
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("类型", "时间", "操作人", "IP地址", "字段", "说明")
    assert [r[0] for r in rows[1:]] == ["查看", "导出", "导出"]
    with pytest.raises(CommandError):
        run(str(history.pv.pk), "--format", "xlsx")


def test_a_later_member_is_not_in_an_earlier_persons_export(users, history):
    late = PersonFactory(household=history.hv, name="后来人", relation="20")
    entries = report.privacy_report(late)
    assert [e.note.split("；")[0] for e in entries] == ["户名单（所在户一行，含户主姓名和户联系电话）"]

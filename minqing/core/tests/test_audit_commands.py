"""``verify_audit``, ``purge_audit`` and ``export_audit``: output, exit status, retention, masking."""
# ruff: noqa: S608 — raw SQL on the audit table is the tampering under test

import csv
import datetime
import io
import itertools
import json

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from minqing.core import audit
from minqing.core.models import AuditEvent

PG = connection.vendor == "postgresql"
TABLE = "core_auditevent"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def exit_status(*argv: str, capsys) -> tuple[int, str]:
    """The status ``manage.py <argv>`` exits with, and what it wrote to stderr."""
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", *argv]).execute()
    return stopped.value.code, capsys.readouterr().err


def events(n: int, *, at: datetime.datetime | None = None) -> list[AuditEvent]:
    if at is not None:
        return [AuditEvent.objects.create(verb="test.old", at=at, target_label=f"旧{i}") for i in range(n)]
    return [audit.record(actor=None, verb="test.cmd", label=f"事件{i}", changes={"i": i}) for i in range(n)]


def tamper(event: AuditEvent) -> None:
    with connection.cursor() as cursor:
        if PG:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"UPDATE {TABLE} SET target_label = 'forged' WHERE id = %s", [event.pk])
        if PG:
            cursor.execute("SET LOCAL session_replication_role = origin")


# ---------------------------------------------------------------------------------------- verify


def test_verify_reports_rows_time_and_head(db):
    rows = events(3)
    out = run("verify_audit")
    assert "审计日志校验通过" in out and "3 rows" in out and f"#{rows[-1].pk}" in out
    assert AuditEvent.objects.get(pk=rows[-1].pk).row_hash in out


def test_verify_of_an_empty_log(db):
    assert "审计日志为空" in run("verify_audit")


def test_verify_exits_non_zero_naming_the_row(db, capsys):
    rows = events(4)
    tamper(rows[1])
    with pytest.raises(CommandError, match=f"第 {rows[1].pk} 行，内容被修改"):
        run("verify_audit")
    status, err = exit_status("verify_audit", capsys=capsys)
    assert status == 1 and f"row #{rows[1].pk} (changed)" in err


def test_verify_since_checks_the_recent_rows(db, capsys):
    events(2, at=timezone.now() - datetime.timedelta(days=10))
    recent = events(2)
    tamper(AuditEvent.objects.order_by("pk").first())
    day = timezone.localdate() - datetime.timedelta(days=1)
    out = run("verify_audit", "--since", day.isoformat())
    assert "2 rows" in out and f"#{recent[0].pk}–#{recent[1].pk}" in out
    status, err = exit_status("verify_audit", "--since", "2026-13-01", capsys=capsys)
    assert status == 2 and "日期格式应为 YYYY-MM-DD" in err


# ----------------------------------------------------------------------------------------- purge


def test_purge_deletes_only_rows_past_retention_and_records_itself(db):
    old = events(3, at=timezone.now() - datetime.timedelta(days=200))
    kept = events(2)
    out = run("purge_audit")
    assert "已删除 3 条" in out and f"#{kept[0].pk}" in out
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    purge = AuditEvent.objects.get(verb=audit.PURGE_VERB)
    assert purge.changes["删除行数"] == 3 and purge.changes["保留天数"] == 180
    assert purge.changes[audit.ANCHOR_ROW] == kept[0].pk
    assert purge.changes[audit.ANCHOR_HASH] == old[-1].row_hash
    assert "审计日志校验通过" in run("verify_audit")  # the first row is the anchor the purge recorded


def test_purge_keeps_the_newest_row(db):
    old = events(3, at=timezone.now() - datetime.timedelta(days=400))
    run("purge_audit", "--days", "365")
    assert list(AuditEvent.objects.exclude(verb=audit.PURGE_VERB).values_list("pk", flat=True)) == [
        old[-1].pk
    ]
    assert audit.audit_verify().ok


def test_purge_dry_run_and_nothing_to_purge(db):
    events(2, at=timezone.now() - datetime.timedelta(days=190))
    events(1)
    assert "将删除 2 条" in run("purge_audit", "--dry-run")
    assert AuditEvent.objects.count() == 3
    assert "没有早于" in run("purge_audit", "--days", "200")
    assert AuditEvent.objects.count() == 3


def test_purge_refuses_retention_under_180_days(db, settings):
    events(2, at=timezone.now() - datetime.timedelta(days=200))
    events(1)
    with pytest.raises(CommandError, match="保留天数不能少于 180 天（给定 179 天）"):
        run("purge_audit", "--days", "179")
    settings.AUDIT_RETENTION_DAYS = 30
    with pytest.raises(CommandError, match="给定 30 天"):
        run("purge_audit")
    assert AuditEvent.objects.count() == 3


def test_tampered_purge_anchor_is_not_trusted(db):
    events(2, at=timezone.now() - datetime.timedelta(days=200))
    kept = events(2)
    run("purge_audit")
    purge = AuditEvent.objects.get(verb=audit.PURGE_VERB)
    tamper(purge)
    report = audit.audit_verify()
    assert report.broken.row_id == purge.pk and report.broken.reason == "changed"
    assert kept[0].pk < purge.pk


# ---------------------------------------------------------------------------------------- export


@pytest.fixture
def logged(db, users, records):
    """A chained log: a row stored in clear before its field was registered, a formula-like label.

    A household's phone: a person's phone is also of the privacy class ``minors``, which an unmarked row
    (no reader) hides altogether (``test_minors_privacy``), so it could not show the masking here."""
    household = records.hv
    clear = AuditEvent.objects.create(
        actor=users.inside,
        actor_name="龙在内",
        verb="registry.household.updated",
        target_type="registry.household",
        target_id=str(household.pk),
        target_label='=HYPERLINK("http://x")',
        area_path=household.area_path,
        changes={"联系电话": ["", "13800001111"]},
    )
    events(2)
    return clear


def test_export_xlsx_has_hashes_masked_values_and_is_audited(logged, tmp_path):
    target = tmp_path / "audit.xlsx"
    count = AuditEvent.objects.count()
    out = run("export_audit", "--output", str(target))
    assert f"已导出 {count} 条" in out
    sheet = load_workbook(target)["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == "编号" and header[-2:] == ("前一行哈希", "本行哈希")
    assert len(body) == count
    stored = {e.pk: e for e in AuditEvent.objects.all()}
    for row in body:
        assert (row[-2] or "", row[-1]) == (stored[row[0]].prev_hash, stored[row[0]].row_hash)
    for before, after in itertools.pairwise(body):
        assert after[-2] == before[-1]  # the links can be followed in the file
    clear = next(row for row in body if row[0] == logged.pk)
    assert "13800001111" not in json.dumps(body, ensure_ascii=False, default=str)
    assert clear[10] == json.dumps(logged.shown_changes, ensure_ascii=False, sort_keys=True)
    assert "138" in clear[10] and "*" in clear[10]
    assert (
        clear[7] == '=HYPERLINK("http://x")'
        and sheet.cell(row=1 + body.index(clear) + 1, column=8).data_type == "s"
    )
    exported = AuditEvent.objects.get(verb="audit.exported")
    assert exported.changes["行数"] == count and exported.changes["文件"] == "audit.xlsx"
    assert audit.audit_verify().ok


def test_export_csv_by_date_range(logged, tmp_path):
    AuditEvent.objects.create(verb="test.old", at=timezone.now() - datetime.timedelta(days=30))
    target = tmp_path / "audit.csv"
    today = timezone.localdate().isoformat()
    run("export_audit", "--from", today, "--to", today, "--output", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    verbs = [row[4] for row in rows[1:]]
    assert "test.old" not in verbs and verbs.count("test.cmd") == 2
    formula = next(row for row in rows[1:] if row[0] == str(logged.pk))
    assert formula[7] == '\'=HYPERLINK("http://x")' and "13800001111" not in raw.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "audit.txt"], "须以 .xlsx 或 .csv 结尾"),
        (["--output", "/nonexistent/dir/audit.csv"], "目录不存在"),
        (["--from", "2026-02-01", "--to", "2026-01-01", "--output", "audit.csv"], "截止日不能早于起始日"),
    ],
)
def test_export_refuses_bad_arguments(db, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        run("export_audit", *args)
    assert not AuditEvent.objects.filter(verb="audit.exported").exists()

"""Excel exports: real files read back, masking by reveal scope, permissions, audit, background tasks, scoping."""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.core.idnumber import mask_id_number, mask_phone
from minqing.core.models import AuditEvent
from minqing.exports import services
from minqing.exports.models import ExportJob
from minqing.jobs import services as jobs
from minqing.jobs.models import TaskProgress
from minqing.jobs.tests.fixtures import database_tasks, make_worker  # noqa: F401
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

PERSON_HEADERS = [
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "年龄",
    "民族",
    "与户主关系",
    "公民身份号码",
    "联系电话",
    "居住状态",
    "健康状况",
    "残疾类别/等级",
    "政治面貌",
    "户编号",
    "户主",
    "所属村/组",
    "网格",
    "住址",
    # issue 11 fields (exports.columns.WELFARE_PERSON_COLUMNS)
    "无身份证号原因",
    "学段",
    "就读学校",
    "生活自理能力",
    "户籍地区划代码",
    "现住地区划代码",
    "父亲",
    "母亲",
    "监护人姓名",
    "监护人与本人关系",
    "监护人联系电话",
    "不能履行监护职责原因",
    "孤儿",
    "事实无人抚养儿童",
    "大病",
]


@pytest.fixture
def people(tree, records):
    """V gets a wife (disabled, 二组 household) besides the head; W and X keep one person each."""
    spouse = PersonFactory(
        household=records.hv,
        relation="10",
        name="龙妻",
        sex="2",
        birth_date=datetime.date(1972, 3, 1),
        ethnicity="12",
        disability_category="4",
        disability_grade="2",
        phone="13900009999",
    )
    dibao = HouseholdFactory(number="5206221022110002", area=tree.v2, head_name="龙保", dibao="rural")
    head = PersonFactory(household=dibao, name="龙保", birth_date=datetime.date(1950, 1, 1))
    return SimpleNamespace(**vars(records), spouse=spouse, dibao=dibao, dibao_head=head)


def post(client, user, *, kind="persons", params=""):
    client.force_login(user)
    return client.post(reverse("exports:create"), {"kind": kind, "params": params})


def sheet(response) -> list[list]:
    content = b"".join(response.streaming_content)
    book = load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def by_name(rows: list[list]) -> dict[str, dict]:
    headers = rows[0]
    return {row[1]: dict(zip(headers, row, strict=True)) for row in rows[1:]}


def test_village_cadre_gets_a_real_unmasked_xlsx(client, users, people):
    response = post(client, users.inside)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    assert "filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95_" in response["Content-Disposition"]
    rows = sheet(response)
    assert rows[0] == PERSON_HEADERS
    people_ = by_name(rows)
    assert set(people_) == {"龙在内", "龙妻", "龙保"}  # V only: never W or X
    assert [row[0] for row in rows[1:]] == [1, 2, 3]
    wife = people_["龙妻"]
    assert wife["性别"] == "女" and wife["民族"] == "侗族" and wife["与户主关系"] == "配偶"
    assert (
        wife["残疾类别/等级"] == "肢体残疾/二级" and wife["居住状态"] == "在家" and wife["政治面貌"] == "群众"
    )
    assert wife["公民身份号码"] == people.spouse.id_number  # the village cadre may reveal in V
    assert wife["联系电话"] == "13900009999"
    assert wife["户编号"] == "5206221022110001" and wife["户主"] == "龙在内"
    assert wife["所属村/组"] == "鱼塘村一组" and wife["网格"] == "鱼塘村第1网格"
    assert wife["出生日期"].date() == datetime.date(1972, 3, 1)
    assert wife["年龄"] == people.spouse.age_on(timezone.localdate())
    assert people_["龙保"]["所属村/组"] == "鱼塘村二组" and people_["龙保"]["网格"] is None


def test_county_leader_without_reveal_gets_masked_ids(client, users, people):
    rows = by_name(sheet(post(client, users.county)))
    assert set(rows) == {"龙在内", "龙妻", "龙保", "杨在邻", "吴在远"}
    wife = rows["龙妻"]
    assert wife["公民身份号码"] == mask_id_number(people.spouse.id_number) != people.spouse.id_number
    assert wife["联系电话"] == mask_phone("13900009999") == "139****9999"
    assert ExportJob.objects.get().masked is True


def test_reveal_over_part_of_the_export_masks_the_whole_file(client, users, people):
    """Export right over the county, reveal only in V: every row is masked, V's too."""
    mixed = assign(UserFactory(username="mixed"), Role.COUNTY_LEADER, people.hv.area.parent.parent.parent)
    mixed = assign(mixed, Role.GRID_WORKER, people.hv.grid)
    rows = by_name(sheet(post(client, mixed)))
    assert rows["龙在内"]["公民身份号码"] == mask_id_number(people.pv.id_number)
    # Narrowed to V's grid the whole export is revealable, so nothing is masked.
    rows = by_name(sheet(post(client, mixed, params=f"grid={people.hv.grid.code}")))
    assert set(rows) == {"龙在内", "龙妻"} and rows["龙在内"]["公民身份号码"] == people.pv.id_number


def test_township_staff_unmasked_over_the_township(client, users, people):
    rows = by_name(sheet(post(client, users.above)))
    assert set(rows) == {"龙在内", "龙妻", "龙保", "杨在邻"}
    assert rows["杨在邻"]["公民身份号码"] == people.pw.id_number


@pytest.mark.parametrize("who", ["grid", "desk", "nobody", "health", "supervisor"])
def test_users_without_the_export_right_get_403(client, users, people, who):
    assert post(client, getattr(users, who)).status_code == 403
    assert (
        not ExportJob.objects.exists() and not AuditEvent.objects.filter(verb__startswith="export").exists()
    )


def test_anonymous_is_sent_to_login(client, people):
    assert client.post(reverse("exports:create"), {"kind": "persons"}).status_code == 302


def test_export_is_audited_with_conditions_and_row_count(client, users, people):
    response = post(client, users.inside, params="sex=2&page=3")
    assert len(sheet(response)) == 2  # header + 龙妻
    event = AuditEvent.objects.get(verb="export.persons")
    assert event.actor == users.inside and event.area_path == "520622102211"
    assert event.changes["条件"] == "sex=2" and event.changes["行数"] == 1
    assert event.changes["敏感信息"] == "未脱敏"


def test_export_matches_the_search_and_never_leaves_scope(client, users, people):
    rows = by_name(sheet(post(client, users.neighbour)))
    assert set(rows) == {"杨在邻"}
    assert len(sheet(post(client, users.neighbour, params="area=520622102211"))) == 1  # only the header
    assert len(sheet(post(client, users.inside, params="q=龙保"))) == 2
    assert len(sheet(post(client, users.inside, params="tags_any=no-such-tag"))) == 1  # invalid → no rows


def test_households_export(client, users, people):
    rows = sheet(post(client, users.county, kind="households"))
    headers = rows[0]
    assert headers[:12] == [
        "序号",
        "户编号",
        "户主",
        "人口",
        "住址",
        "所属村/组",
        "网格",
        "电话",
        "户别",
        "户状态",
        "脱贫户",
        "脱贫年度",
    ]
    assert {"监测状态", "低保", "特困"} <= set(headers)
    households = {row[1]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    assert set(households) == {"5206221022110001", "5206221022110002", "5206221022120001", "5206221032010001"}
    assert households["5206221022110002"]["低保"] == "农村低保"
    assert households["5206221022110001"]["电话"] == "138****1111"
    assert households["5206221022110001"]["脱贫户"] == "否"
    assert AuditEvent.objects.filter(verb="export.households", changes__行数=4).exists()


def test_text_that_looks_like_a_formula_stays_text(client, users, people):
    people.spouse.current_address = '=HYPERLINK("http://evil.example","点我")'
    people.spouse.save()
    content = b"".join(post(client, users.inside).streaming_content)
    cells = {
        c.value: c.data_type for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row
    }
    assert cells['=HYPERLINK("http://evil.example","点我")'] == "s"


def test_background_job_runs_with_progress_and_downloads_for_the_owner_only(client, users, people, settings):
    """Tests run tasks at once (ImmediateBackend): the task writes the file and reports progress."""
    settings.EXPORT_INLINE_MAX_ROWS = 1
    response = post(client, users.inside)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", args=[job.pk])
    assert job.background and job.status == "done" and job.task_id
    assert job.total == job.done_rows == 3 and job.percent == 100
    row = TaskProgress.objects.get(task_id=job.task_id)
    assert (row.kind, row.requested_by, row.area_path) == ("export", users.inside, "520622102211")
    assert (row.status, row.done, row.total, row.error) == ("SUCCESSFUL", 3, 3, "")
    status = client.get(reverse("exports:status", args=[job.pk])).content.decode()
    assert reverse("exports:download", args=[job.pk]) in status and "every 1s" not in status
    assert "3 / 3" in status
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200 and len(sheet(download)) == 4
    for other in (users.neighbour, users.above, users.admin):
        client.force_login(other)
        for name in ("download", "status", "detail"):
            assert client.get(reverse(f"exports:{name}", args=[job.pk])).status_code == 404, (other, name)
    client.force_login(users.above)
    assert f"#{job.pk}" not in client.get(reverse("exports:list")).content.decode()


@pytest.mark.usefixtures("database_tasks")
def test_large_export_is_enqueued_then_run_by_the_worker(client, users, people, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    response = post(client, users.inside)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.status == "queued"
    queued = DBTaskResult.objects.get()
    assert str(queued.pk) == job.task_id and queued.status == "READY"
    assert queued.task_path == "minqing.exports.tasks.export_task" and queued.args_kwargs["args"] == [job.pk]
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and reverse("exports:status", args=[job.pk]) in page
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404  # not ready yet
    make_worker().run()
    job.refresh_from_db()
    queued.refresh_from_db()
    assert job.status == "done" and job.done_rows == job.total == 3 and queued.status == "SUCCESSFUL"
    assert queued.return_value == 3
    assert TaskProgress.objects.get(task_id=job.task_id).status == "SUCCESSFUL"
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 200
    assert AuditEvent.objects.filter(verb="export.persons", actor=users.inside, changes__行数=3).count() == 1


@pytest.mark.usefixtures("database_tasks")
def test_export_retried_after_a_lost_worker_overwrites_its_own_file(users, people, settings, private_storage):
    """Killed mid-run (RUNNING, stale heartbeat): re-enqueued (retry-safe), rerun from zero, one file, one audit."""
    settings.EXPORT_INLINE_MAX_ROWS = 1
    job = services.export_start(owner=users.inside, kind="persons", params="")
    queued = DBTaskResult.objects.get(pk=job.task_id)
    queued.claim("dead-worker")  # the worker that died holding it never wrote a heartbeat since
    ExportJob.objects.filter(pk=job.pk).update(status="running", done_rows=2000)
    # What the lost run left in storage under the job's own name is overwritten, not orphaned.
    name = job.file.field.generate_filename(job, job.download_name)
    job.file.storage.save(name, io.BytesIO(b"half-written"))
    assert jobs.reap_stale(stale_seconds=120) == {"requeued": [job.task_id], "failed": []}
    DBTaskResult.objects.filter(pk=job.task_id).update(run_after=timezone.now())  # skip the retry delay
    make_worker().run()
    job.refresh_from_db()
    assert job.status == "done" and job.done_rows == 3 and job.file.name == name
    assert len(load_workbook(job.file.storage.open(name)).active["A"]) == 4
    assert sorted(p.name for p in (private_storage / name).parent.iterdir()) == [name.rsplit("/", 1)[1]]
    assert DBTaskResult.objects.get(pk=job.task_id).worker_ids == ["dead-worker", "test-worker"]
    assert AuditEvent.objects.filter(verb="export.persons").count() == 1
    assert AuditEvent.objects.filter(verb="task.requeued", area_path="520622102211").count() == 1


@pytest.mark.usefixtures("database_tasks")
def test_export_that_keeps_failing_fails_its_job(users, people, settings, monkeypatch):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    job = services.export_start(owner=users.inside, kind="persons", params="")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full at 13800001111")

    monkeypatch.setattr(services.xlsx, "write_xlsx", broken)
    for attempt in range(1, 4):
        DBTaskResult.objects.filter(pk=job.task_id).update(run_after=timezone.now())
        make_worker().run()
        job.refresh_from_db()
        assert job.status == ("failed" if attempt == 3 else "queued"), attempt
    result = DBTaskResult.objects.get(pk=job.task_id)
    assert result.status == "FAILED" and len(result.worker_ids) == 3
    row = TaskProgress.objects.get(task_id=job.task_id)
    assert row.status == "FAILED" and row.attempts == 3
    assert row.error.startswith("RuntimeError: disk full") and "13800001111" not in row.error
    assert job.error and not AuditEvent.objects.filter(verb="export.persons").exists()


def test_rights_are_checked_again_when_the_job_runs(users, people):
    """A job queued while the user could export, run after the right was withdrawn: no rows, nothing leaks."""
    job = ExportJob.objects.create(owner=users.inside, kind="persons", background=True)
    users.inside.assignments.update(is_active=False)
    users.inside.__dict__.pop("_assignments", None)
    users.inside.__dict__.pop("_scope_cache", None)
    assert services.export_task_run(job.pk) == 0
    job.refresh_from_db()
    assert job.status == "done" and job.total == 0


def test_old_files_are_purged(users, people, private_storage):
    job = services.export_start(owner=users.inside, kind="persons", params="")
    assert job.status == "done" and job.file.storage.exists(job.file.name)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    name = job.file.name
    assert services.jobs_purge() == 1
    assert not job.file.storage.exists(name) and not ExportJob.objects.filter(pk=job.pk).exists()


def test_bad_kind_and_get_are_refused(client, users, people):
    response = post(client, users.inside, kind="secrets")
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    assert client.get(reverse("exports:create")).status_code == 405


def test_list_shows_own_jobs_with_readable_conditions(client, users, people):
    post(client, users.inside, params="sex=2&q=&deceased=unknown&household_alleviated=true&tags_any=elderly")
    post(client, users.above)
    client.force_login(users.inside)
    page = client.get(reverse("exports:list")).content.decode()
    assert page.count("人员名单</a>") == 1
    assert "性别：女" in page and "脱贫户：是" in page and "具有任一标签：elderly" in page
    assert "已故" not in page and "q=" not in page
    client.force_login(users.grid)
    assert client.get(reverse("exports:list")).status_code == 200


def test_export_button_only_for_users_who_may_export(users):
    request = RequestFactory().get("/search/persons/", {"sex": "2", "tags_any": "elderly"})
    request.user = users.inside
    html = render_to_string(
        "search/export_button.html", {"request": request, "kind": "persons"}, request=request
    )
    assert reverse("exports:create") in html and 'value="sex=2&amp;tags_any=elderly"' in html
    assert 'name="kind" value="persons"' in html and "csrfmiddlewaretoken" in html
    request.user = users.grid
    assert "exports" not in render_to_string(
        "search/export_button.html", {"request": request}, request=request
    )


def test_query_count_does_not_grow_with_rows(client, users, people):
    post(client, users.inside)  # warm up: sessions, content types

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert post(client, users.inside).status_code == 200
        return len(captured)

    few = queries()
    many = HouseholdFactory(number="5206221022110003", area=people.hv.area, grid=people.hv.grid)
    for n in range(30):
        PersonFactory(household=many, relation="02" if n == 0 else "20", name=f"龙{n}")
    assert queries() == few <= 34  # 30, and 4 of core.db.no_merge_join in the test's transaction


@pytest.mark.parametrize(
    ("columns", "make"), [("PERSON_COLUMNS", "person"), ("HOUSEHOLD_COLUMNS", "household")]
)
def test_a_masked_file_holds_no_clear_sensitive_value_in_any_column(records, columns, make):
    """Every column, not only the ones named 身份证/电话: what ``core.sensitive`` registers never leaks."""
    import datetime as dt

    from minqing.core import sensitive
    from minqing.exports import columns as export_columns

    person = records.pv
    person.disability_cert_no = f"{person.id_number}12"
    obj = person if make == "person" else records.hv
    secrets = [str(getattr(obj, name)) for name in sensitive.fields_of(obj) if getattr(obj, name)]
    assert secrets
    ctx = export_columns.Context(mask=True, today=dt.date(2026, 12, 1))
    cells = " ".join(str(value(obj, ctx)) for _header, _width, value in getattr(export_columns, columns))
    assert not [secret for secret in secrets if secret in cells]


def test_a_column_of_a_field_not_registered_sensitive_is_refused_when_declared():
    from minqing.exports.columns import sensitive_value
    from minqing.registry.models import Person as PersonModel

    with pytest.raises(LookupError, match="not registered"):
        sensitive_value(PersonModel, "name")

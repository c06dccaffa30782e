"""The attendance report: working days by the official calendar, figures per cadre, ranking, Excel, scope."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.checkins.models import CheckIn, CheckInAttempt, Reason
from minqing.checkins.selectors import report_queryset, report_rows
from minqing.checkins.workdays import month_of, parse_month
from minqing.core.models import AuditEvent

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)


def test_october_2026_follows_the_national_day_holiday_and_make_up_day():
    month = month_of(OCTOBER)
    assert month.exact  # chinesecalendar knows 2026
    assert (
        datetime.date(2026, 10, 1) not in month.workdays and datetime.date(2026, 10, 7) not in month.workdays
    )
    assert datetime.date(2026, 10, 10) in month.workdays  # Saturday, a make-up working day (调休)
    assert len(month.workdays) == 18


def test_a_year_the_calendar_does_not_know_counts_monday_to_friday():
    month = month_of(datetime.date(2099, 1, 1))
    assert not month.exact
    assert len(month.workdays) == sum(1 for d in month.days if d.weekday() < 5)


@pytest.mark.parametrize("raw", ["2026-13", "26-10", "²０２６-10", "2026-1x", "1999-01", "2026"])
def test_bad_months_are_none(raw):
    assert parse_month(raw, default=OCTOBER) is None
    assert parse_month("", default=datetime.date(2026, 10, 17)) == OCTOBER


def _checkins(user, area, days):
    CheckIn.objects.bulk_create(
        CheckIn(user=user, date=d, area=area, area_path=area.code, method="network", ip="10.1.1.1")
        for d in days
    )


@pytest.fixture
def october(tree, users, stationed):
    """In V during October 2026: the village cadre every working day plus the holiday of Oct 1, the grid worker
    on five working days, the stationed cadre never (two refusals); a W cadre's check-ins are not V's."""
    month = month_of(OCTOBER)
    _checkins(users.inside, tree.v, [*month.workdays, datetime.date(2026, 10, 1)])
    _checkins(users.grid, tree.vg1, month.workdays[:5])
    _checkins(users.neighbour, tree.w, month.workdays)
    for day in (datetime.date(2026, 10, 9), datetime.date(2026, 10, 12)):
        CheckInAttempt.objects.create(
            user=stationed,
            date=day,
            area=tree.v,
            area_path=tree.v.code,
            reason=Reason.WRONG_NETWORK,
            message="x",
        )
    return month


def test_report_figures_and_ranking(tree, users, stationed, october):
    rows = report_rows(list(report_queryset(tree.v, october)), tree.v, october)
    figures = [(r.rank, r.user.username, r.days, r.on_workdays, r.due, r.rate, r.refused) for r in rows]
    assert figures == [
        (1, "inside", 19, 18, 18, 100, 0),
        (2, "gridder", 5, 5, 18, 28, 0),
        (3, "zhucun", 0, 0, 18, 0, 2),
    ]
    assert rows[1].areas == ["鱼塘村第1网格·网格员"]
    township = report_rows(list(report_queryset(tree.t, october)), tree.t, october)
    assert [r.user.username for r in township][:2] == ["inside", "neighbour"]  # T: V's and W's cadres


REPORT = reverse("checkins:report")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("inside", 200),
        ("above", 200),
        ("county", 200),
        ("supervisor", 200),
        ("data_admin", 200),
        ("neighbour", 404),
        ("grid", 404),  # a grid worker reads their grid, not the village
        ("desk", 403),
        ("health", 403),
        ("nobody", 403),
    ],
)
def test_report_scope_role_by_role(who, status, client, users, tree, october):
    client.force_login(getattr(users, who))
    response = client.get(REPORT, {"area": tree.v.code, "month": "2026-10"})
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "本月工作日 18 天" in body and "龙在内" not in body
        assert body.index("测试") < body.index("田驻村")  # ranked: the stationed cadre last


def test_report_default_area_and_anonymous(client, users, tree, october):
    assert client.get(REPORT).status_code == 302
    client.force_login(users.inside)
    response = client.get(REPORT, {"month": "2026-10"})
    assert response.status_code == 200 and response.context["area"] == tree.v
    client.force_login(users.neighbour)
    assert "田驻村" not in client.get(REPORT, {"month": "2026-10"}).content.decode()


@pytest.mark.parametrize(
    "params", [{"area": "²"}, {"area": "5206٣"}, {"month": "2026-13"}, {"area": "9" * 40}]
)
def test_report_bad_input_is_404_not_500(params, client, users):
    client.force_login(users.county)
    assert client.get(REPORT, params).status_code == 404


def test_report_query_count_is_bounded(client, users, tree, october, django_assert_max_num_queries):
    for n in range(60):  # more cadres than one page
        cadre = assign(UserFactory(username=f"cadre{n}"), Role.GRID_WORKER, tree.vg2)
        _checkins(cadre, tree.vg2, october.workdays[: n % 7])
    client.force_login(users.above)
    # session, user, assignments, area, page, count, the page's posts, area picker; + the first session save (3)
    with django_assert_max_num_queries(11):
        response = client.get(REPORT, {"area": tree.v.code, "month": "2026-10"})
    assert response.status_code == 200 and len(response.context["rows"]) == 50
    assert "共 63 人" in response.content.decode()
    second = client.get(REPORT, {"area": tree.v.code, "month": "2026-10", "page": 2})
    assert [r.rank for r in second.context["rows"]] == list(range(51, 64))


EXPORT = reverse("checkins:report_export")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("county", 200),
        ("above", 200),
        ("inside", 200),
        ("data_admin", 200),
        ("supervisor", 403),
        ("neighbour", 404),
    ],
)
def test_export_needs_the_export_right_over_the_area(who, status, client, users, tree, october):
    client.force_login(getattr(users, who))
    response = client.get(EXPORT, {"area": tree.v.code, "month": "2026-10"})
    assert response.status_code == status
    if status == 200:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        assert rows[0][:2] == (1, "测" + users.inside.first_name)
        assert [r[4:9] for r in rows] == [(19, 18, 18, 100, 0), (5, 5, 18, 28, 0), (0, 0, 18, 0, 2)]
        event = AuditEvent.objects.get(verb="checkins.report.exported")
        assert event.changes == {"月份": "2026-10", "行数": 3} and event.area_path == tree.v.code


def test_export_keeps_a_formula_like_name_as_text(client, users, tree, october):
    evil = assign(
        UserFactory(username="evil", last_name="=HYPERLINK(", first_name="1)"), Role.GRID_WORKER, tree.vg1
    )
    _checkins(evil, tree.vg1, october.workdays[:1])
    client.force_login(users.county)
    sheet = load_workbook(
        io.BytesIO(client.get(EXPORT, {"area": tree.v.code, "month": "2026-10"}).content)
    ).active
    cell = next(c for row in sheet.iter_rows(min_row=4) for c in row if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s"

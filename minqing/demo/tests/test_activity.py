"""The demo's focus village has history: visits on chained logs, plans, check-ins, quota rules and figures.

The demo is seeded twice once for the module inside a transaction rolled back at the end.
"""

from __future__ import annotations

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from minqing.accounts.models import User
from minqing.assistance.models import AssistancePlan, Measure, MeasureStatus, Pairing
from minqing.checkins.models import CheckIn
from minqing.checkins.services import distance_m, effective_rule, judge, parse_position
from minqing.checkins.workdays import is_workday
from minqing.compliance import periods, selectors
from minqing.compliance.models import QuotaRule
from minqing.demo import activity
from minqing.demo.areas import FOCUS_VILLAGE
from minqing.registry.models import Household
from minqing.tickets import services as tickets
from minqing.tickets.models import Category, HandlerRole, RoutingRule, Status, Ticket
from minqing.tickets.tests.conftest import ensure_seeded
from minqing.visits.models import Visit
from minqing.visits.services import visits_verify

HOUSEHOLDS = 80


def counts() -> dict[str, int]:
    return {
        "visits": Visit.objects.count(),
        "plans": AssistancePlan.objects.count(),
        "measures": Measure.objects.count(),
        "checkins": CheckIn.objects.count(),
        "rules": QuotaRule.objects.count(),
        "pairings": Pairing.objects.count(),
        "tickets": Ticket.objects.count(),
        "routes": RoutingRule.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()  # the request catalogue comes from a migration: an earlier transactional test flushed it
        out = StringIO()
        call_command("seed_demo", households=HOUSEHOLDS, stdout=out)
        first = counts()
        call_command("seed_demo", households=HOUSEHOLDS, stdout=StringIO())
        yield {"first": first, "second": counts(), "output": out.getvalue()}
        transaction.set_rollback(True)


@pytest.fixture
def users(seeded, db):
    return {u.username: u for u in User.objects.all()}


def test_seeding_twice_adds_nothing(seeded):
    assert seeded["first"] == seeded["second"]
    assert seeded["first"]["visits"] > 0 and seeded["first"]["checkins"] > 0
    assert "鱼塘村工作记录：6 条考核规则" in seeded["output"]


def test_the_stationed_cadre_visits_most_paired_households_three_to_five_times_a_month(users):
    stationed = users["stationed"]
    paired = set(
        Pairing.objects.filter(cadre=stationed, ended_on__isnull=True).values_list("household_id", flat=True)
    )
    assert len(paired) == 20
    visits = Visit.objects.filter(author=stationed)
    assert set(visits.values_list("household_id", flat=True)) <= paired
    assert len(set(visits.values_list("household_id", flat=True))) >= 18
    last_month = periods.add_months(timezone.localdate().replace(day=1), -1)
    per_household = Counter(
        v.household_id for v in visits if timezone.localdate(v.created_at).replace(day=1) == last_month
    )
    assert per_household and 2 <= min(per_household.values()) and max(per_household.values()) <= 5
    # The pairings are open since the history begins, so every visit was made by the paired cadre.
    assert Pairing.objects.filter(cadre=stationed, started_on=activity.history_start()).count() == 20


def test_the_chains_verify_and_run_in_time_order(users):
    report = visits_verify()
    assert report.ok and report.checked == Visit.objects.count() and report.chains == 3
    for username in ("stationed", "grid", "village"):
        times = list(
            Visit.objects.filter(author=users[username]).order_by("pk").values_list("created_at", flat=True)
        )
        assert times and times == sorted(times)


def test_visits_are_in_the_authors_scope_in_the_past_and_near_the_village(users):
    start = timezone.make_aware(datetime.datetime.combine(activity.history_start(), datetime.time()))
    today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    rule = effective_rule(users["grid"].active_assignments()[0].area)
    assert rule is not None
    for visit in Visit.objects.all():
        assert visit.area_path.startswith(FOCUS_VILLAGE)
        assert start <= visit.created_at < today
        assert visit.found and visit.done
        if visit.kind == "phone":
            assert visit.latitude is None
        else:
            away = distance_m(
                float(visit.latitude), float(visit.longitude), float(rule.latitude), float(rule.longitude)
            )
            assert away < rule.radius_m
    grid = Visit.objects.filter(author=users["grid"])
    assert grid.exists() and set(grid.values_list("grid_path", flat=True)) == {"520622102211901"}
    assert Visit.objects.filter(author=users["village"]).count() > 0


def test_plans_for_this_year_with_two_to_four_measures_tied_to_the_risks(users):
    plans = AssistancePlan.objects.filter(household__responsible_cadre=users["stationed"])
    assert plans.count() == 20 and set(plans.values_list("year", flat=True)) == {timezone.localdate().year}
    sizes = Counter(Measure.objects.values_list("plan_id", flat=True))
    assert set(sizes) == set(plans.values_list("pk", flat=True))
    assert 2 <= min(sizes.values()) and max(sizes.values()) <= 4
    tied = 0
    for measure in Measure.objects.select_related("household"):
        known = set(measure.household.risk_types) | {measure.household.risk_type}
        assert set(measure.risks_addressed) <= known
        tied += bool(measure.risks_addressed)
        if measure.status == MeasureStatus.DONE:
            assert measure.outcome and measure.completed_on <= timezone.localdate()
    risky = Household.objects.filter(responsible_cadre=users["stationed"]).exclude(risk_type="").count()
    assert tied >= min(risky, 1)


def test_check_ins_of_the_last_working_days_inside_the_rule(users):
    today = timezone.localdate()
    for username in ("stationed", "grid", "village"):
        rows = list(CheckIn.objects.filter(user=users[username]))
        assert 15 <= len(rows) <= 30
        for row in rows:
            assert row.date < today and is_workday(row.date)[0]
            assert timezone.localdate(row.at) == row.date  # the historical time, not the seeding time
            fix = parse_position(row.latitude, row.longitude, row.accuracy_m)
            verdict = judge(
                row.area,
                effective_rule(row.area),
                ip=row.ip,
                fix=fix,
                moment=timezone.localtime(row.at).time(),
            )
            assert verdict.method == row.method
    assert {c.method for c in CheckIn.objects.all()} == {"network", "location"}


def test_the_township_page_shows_coverage_and_paired_households_behind_and_on_track(users):
    township = users["township"]
    summary = selectors.summary(township, selectors.pick_area(township, ""), None)
    assert summary.coverage_rule is not None and summary.coverage_rule.months == 6
    assert summary.visited > 0 and summary.percent > 0
    last_month = periods.containing(periods.add_months(timezone.localdate(), -1), 1)
    month = selectors.summary(township, selectors.pick_area(township, ""), last_month)
    assert month.paired_total == 20 and 0 < month.paired_behind_count < 20


def test_requests_are_routed_and_some_handled(seeded, users):
    assert "19 条诉求派单规则、6 件诉求" in seeded["output"]
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses[Status.ARCHIVED] == 1 and statuses[Status.RESOLVED] == 1
    assert statuses[Status.NEW] == 1  # 其他 has no rule: the desk's triage queue
    medical = Ticket.objects.get(description__startswith="老人慢阻肺")
    assert medical.satisfaction == "satisfied"


def test_the_desk_files_a_medical_request_that_reaches_the_department_and_the_paired_cadre(users):
    household = Household.objects.filter(responsible_cadre=users["stationed"]).first()
    ticket, created = tickets.file_ticket(
        actor=users["desk"],
        data={
            "channel": "hotline",
            "kind": "help",
            "category": Category.objects.get(code="01").pk,
            "urgency": "normal",
            "household": household.pk,
            "description": "家中老人高血压，需要医生上门随访。",
        },
        client_id="5b6f1d2e-0000-4000-8000-000000000001",
    )
    assert created and ticket.status == Status.DISPATCHED
    handlers = {
        (h.role, h.department.code if h.department else h.user.username) for h in ticket.handlers.all()
    }
    assert handlers == {(HandlerRole.LEAD, "health"), (HandlerRole.PAIRED_CADRE, "stationed")}

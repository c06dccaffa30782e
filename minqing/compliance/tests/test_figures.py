"""Coverage, not-visited lists, paired households and cadres behind, and the due list, on exact figures."""

from __future__ import annotations

import datetime

from django.utils import timezone

from minqing.compliance import due, periods, selectors, services
from minqing.compliance.models import CadreDayTally, HouseholdVisitStat, VisitTally
from minqing.core import codes
from minqing.registry.models import Household

from .conftest import log, withdraw


def rows_of(summary):
    return {r.code: (r.households, r.visited, r.percent, r.months) for r in summary.rows}


def test_township_coverage_exact(world, half_year):
    s = selectors.summary(world.users.above, world.tree.t.code, half_year)
    assert (s.households, s.visited, s.percent) == (5, 4, 80.0)  # h4 is cancelled, X is elsewhere
    assert rows_of(s) == {world.tree.v.code: (3, 2, 66.7, 6), world.tree.w.code: (2, 2, 100.0, 3)}
    assert [r.code for r in s.rows] == [world.tree.v.code, world.tree.w.code]  # lowest coverage first


def test_ended_period_reads_the_monthly_tallies(world, half_year):
    s = selectors.summary(world.users.above, world.tree.t.code, half_year.previous())
    assert (s.households, s.visited) == (5, 1)  # only h3, in the half year before
    assert rows_of(s)[world.tree.v.code][:2] == (3, 1)
    not_visited = selectors.not_visited(world.users.above, world.tree.t.code, half_year.previous())
    assert [r.household_id for r in not_visited] == [world.hv.pk, world.h2.pk, world.hw.pk, world.w2.pk]


def test_not_visited_in_the_running_period(world, half_year):
    rows = selectors.not_visited(world.users.above, world.tree.t.code, half_year)
    assert [r.household_id for r in rows] == [world.h3.pk]
    county = selectors.not_visited(world.users.county, world.tree.county.code, half_year)
    assert [r.household_id for r in county] == [world.h3.pk, world.hx.pk]


def test_scope_limits_every_figure(world, half_year):
    s = selectors.summary(world.users.inside, world.tree.t.code, half_year)  # inside sees V only
    assert (s.households, s.visited) == (3, 2)
    assert {p.household_id for p in s.paired_behind} == {world.hv.pk, world.h3.pk}
    assert selectors.pick_area(world.users.inside, world.tree.t.code) is None  # asking for T: 404
    assert selectors.pick_area(world.users.inside, "") == world.tree.v.code
    assert selectors.pick_area(world.users.inside, "52062210221x") is None


def test_paired_behind(world, half_year):
    s = selectors.summary(world.users.above, world.tree.t.code, half_year)
    assert (s.paired_behind_count, s.paired_total) == (2, 3)  # w2 has its 4 visits this month
    assert [(p.household_id, p.done, p.quota) for p in s.paired_behind] == [
        (world.h3.pk, 0, 4),
        (world.hv.pk, 1, 4),
    ]


def test_paired_rule_lifted_below(world, half_year):
    from .conftest import rule

    rule(world.tree.v, "paired", 1, enabled=False)
    s = selectors.summary(world.users.above, world.tree.t.code, half_year)
    assert (s.paired_behind_count, s.paired_total) == (0, 1)  # V's pairings are no longer judged


def test_cadres_behind(world, half_year):
    s = selectors.summary(world.users.above, world.tree.t.code, half_year)
    rows = {c.user_id: (c.current, c.quota, c.unit, c.behind) for c in s.cadres}
    this_week = periods.week_of(periods.today())[0]
    inside_week = (
        2 if timezone.now() - datetime.timedelta(minutes=1) >= periods.local_midnight(this_week) else 0
    )
    assert rows[world.lazy.pk] == (0, 1, "week", True)
    assert rows[world.users.inside.pk][:3] == (inside_week, 1, "week")
    assert s.cadres[0].user_id == world.lazy.pk  # the least done first
    assert world.users.above.pk not in rows  # no rule for township staff
    assert s.cadres_behind_count == sum(1 for c in s.cadres if c.behind)


def test_withdrawn_visit_stops_counting_and_rebuild_agrees(world, half_year):
    entry = log(world.h3, world.users.inside)
    assert HouseholdVisitStat.objects.get(pk=world.h3.pk).last_visit_at == entry.created_at
    month = periods.month_of(periods.today())[0]
    tally = VisitTally.objects.get(household=world.h3, author=world.users.inside, month=month)
    assert tally.visits == 1
    withdraw(entry)
    stat = HouseholdVisitStat.objects.get(pk=world.h3.pk)
    assert stat.last_visit_at < half_year.start_at()  # back to the visit of the half year before
    assert VisitTally.objects.get(pk=tally.pk).visits == 0
    before = sorted(
        HouseholdVisitStat.objects.values_list("pk", "area_path", "active", "last_visit_at", "last_visit_id")
    )
    tallies = sorted(
        VisitTally.objects.filter(visits__gt=0).values_list("household", "author", "month", "visits")
    )
    days = sorted(CadreDayTally.objects.filter(visits__gt=0).values_list("author", "day", "visits"))
    assert sum(n for _a, _d, n in days) == 8  # the counted visits of the fixture (the withdrawn one is not)
    CadreDayTally.objects.all().delete()
    HouseholdVisitStat.objects.update(last_visit_at=None, active=True, area_path="x")
    VisitTally.objects.all().delete()
    HouseholdVisitStat.objects.filter(pk=world.hx.pk).delete()
    services.stats_rebuild()
    assert (
        sorted(
            HouseholdVisitStat.objects.values_list(
                "pk", "area_path", "active", "last_visit_at", "last_visit_id"
            )
        )
        == before
    )
    assert sorted(VisitTally.objects.values_list("household", "author", "month", "visits")) == tallies
    assert sorted(CadreDayTally.objects.values_list("author", "day", "visits")) == days


def test_registry_changes_follow(world, half_year):
    Household.objects.filter(pk=world.h2.pk).update(status=codes.HouseholdStatus.MOVED_OUT)
    services.on_households_changed(sender=Household, household_ids=[world.h2.pk])
    s = selectors.summary(world.users.above, world.tree.t.code, half_year)
    assert (s.households, s.visited) == (4, 3)


def test_the_visit_service_keeps_the_figures(world, half_year):
    from minqing.visits.services import log_visit

    before = HouseholdVisitStat.objects.get(pk=world.h3.pk).last_visit_at
    entry, created = log_visit(
        actor=world.users.inside,
        household=world.h3,
        data={"kind": "home", "found": "在家"},
        client_id="7d0b8a3c-3c1e-4f7e-9a59-0b1f6e0c1a11",
    )
    assert created and before < half_year.start_at()
    assert HouseholdVisitStat.objects.get(pk=world.h3.pk).last_visit_id == entry.pk
    s = selectors.summary(world.users.above, world.tree.t.code, half_year)
    assert (s.households, s.visited) == (5, 5)


def test_due_list_of_a_village_cadre(world, half_year):
    d = due.due_list(world.users.inside, periods.today())
    paired = {p.household_id: (p.done, p.quota, p.today) for p in d.paired}
    assert paired == {world.h3.pk: (0, 4, True), world.hv.pk: (1, 4, False)}  # hv was visited a minute ago
    assert [p.household_id for p in d.paired_today] == [world.h3.pk]
    assert d.households_due == 1 and [s.household_id for s in d.households_week] == [world.h3.pk]
    left = (half_year.end - periods.today()).days
    assert d.per_day == 1 and len(d.households_today) == 1 and left >= 1
    assert [(q.role, q.quota) for q in d.quotas] == [("village_cadre", 1)]


def test_due_list_oldest_first_never_visited_first(world, half_year):
    d = due.due_list(world.users.above, periods.today())  # township staff visit all of T
    assert [s.household_id for s in d.households_week] == [world.h3.pk]
    log(world.h2, world.users.above, at=half_year.start_at() - datetime.timedelta(days=400))
    HouseholdVisitStat.objects.filter(pk__in=[world.hv.pk, world.h2.pk]).update(last_visit_at=None)
    d = due.due_list(world.users.above, periods.today())
    assert [s.household_id for s in d.households_week][:3] == [world.hv.pk, world.h2.pk, world.h3.pk]


def test_rebuild_clears_a_last_visit_that_no_counted_visit_backs(world, half_year):
    from django.utils import timezone

    never = HouseholdVisitStat.objects.filter(last_visit_at__isnull=True).first()
    assert never is not None
    HouseholdVisitStat.objects.filter(pk=never.pk).update(last_visit_at=timezone.now())
    out = services.stats_rebuild()
    assert out["cleared"] == 1
    assert HouseholdVisitStat.objects.get(pk=never.pk).last_visit_at is None

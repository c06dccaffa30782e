"""Demo logins and ``manage.py seed_demo``: idempotent, the logins printed, the deploy check's list in step."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from minqing.accounts.checks import DEMO_PASSWORD, DEMO_USERNAMES
from minqing.accounts.models import User
from minqing.demo.areas import FOCUS_VILLAGE, ensure_demo_areas
from minqing.demo.seed import spread
from minqing.demo.users import DEMO_USERS, ensure_demo_users
from minqing.registry.models import Household


def test_seed_demo_users_idempotent(db, settings):
    ensure_demo_areas()
    ensure_demo_users()
    ensure_demo_users()
    assert User.objects.filter(username="township").count() == 1
    township = User.objects.get(username="township")
    assert township.scope_prefixes("view") == ["520622102"]
    call_command("check")


def test_the_deploy_check_knows_every_demo_login():
    assert set(DEMO_USERNAMES) == {"admin"} | {username for username, *_rest in DEMO_USERS}


def test_spread_keeps_the_focus_village_and_the_total():
    class Village:
        def __init__(self, code: str) -> None:
            self.code = code

    villages = [Village("520622101201"), Village(FOCUS_VILLAGE), Village("520622103201")]
    assert spread(3000, villages) == [1357, 286, 1357]
    assert spread(100, villages) == [0, 100, 0]
    assert sum(spread(1001, villages)) == 1001


def test_seed_demo_is_idempotent_and_prints_the_logins(db):
    out = StringIO()
    call_command("seed_demo", households=40, stdout=out)
    first = out.getvalue()
    assert Household.objects.count() == 40
    assert Household.objects.filter(area_path__startswith=FOCUS_VILLAGE).count() == 40
    assert f"演示账号（密码均为 {DEMO_PASSWORD}）" in first
    assert "  admin       系统管理员（全部数据）" in first
    for username, *_rest in DEMO_USERS:
        assert f"  {username:<11} " in first
    stationed = User.objects.get(username="stationed")
    assert Household.objects.filter(responsible_cadre=stationed).count() == 20
    assert User.objects.get(username="resident").phone
    out = StringIO()
    call_command("seed_demo", households=40, stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert Household.objects.count() == 40 and User.objects.count() == 10


def test_the_seeded_key_groups_have_the_sizes_of_a_labour_exporting_county(db):
    """Key groups as the tag rules derive them from the seeded files, at shares a Guizhou county reports.

    References (strict official definitions): 民政部 2016 摸底排查 902万 农村留守儿童 (about 15% of rural
    under-16s; higher in labour-exporting Guizhou); 民政部 2018 about 1,600万 农村留守老人 with *all* children
    away (13% of rural people 60+, a quarter to a third in labour-exporting counties); 失能/半失能 about 4,000万
    of 2.6亿 people 60+ (15%).
    """
    import datetime

    from minqing.core import codes
    from minqing.registry.models import Person
    from minqing.tags.ages import age_at_least, age_under
    from minqing.tags.models import PersonTag

    call_command("seed_demo", households=800, stdout=StringIO())
    today = datetime.date.today()
    living = Person.objects.filter(deceased=False)
    elderly = living.filter(age_at_least(today, 60)).count()
    children = living.filter(age_under(today, 16)).count()

    def share(tag: str, of: int) -> float:
        return PersonTag.objects.filter(tag__name=tag).count() / of

    assert 0.12 <= elderly / living.count() <= 0.30
    assert 0.10 <= share("留守老人", elderly) <= 0.35
    assert 0.05 <= share("失能老人", elderly) <= 0.20
    assert 0.05 <= share("独居老人", elderly) <= 0.25
    assert 0.08 <= share("留守儿童", children) <= 0.25
    assert 0.02 <= share("困境儿童", children) <= 0.25
    assert living.filter(residence_status=codes.ResidenceStatus.MIGRANT_WORKER).count() > 0.1 * living.count()


def test_the_demo_cadres_can_check_in_from_the_demo_machine(db):
    from minqing.checkins.models import CheckIn
    from minqing.checkins.services import checkin_submit

    call_command("seed_demo", households=40, stdout=StringIO())
    grid = User.objects.get(username="grid")
    checkin, new = checkin_submit(user=grid, ip="127.0.0.1")
    assert checkin.ip == "127.0.0.1"
    assert new
    assert CheckIn.objects.filter(user=grid, method="network", date=checkin.date).count() == 1


def test_a_large_county_recounts_the_focus_village_only_and_gets_the_same_figures(db, monkeypatch):
    """Above ``REBUILD_LIMIT`` households only the focus village's figures are refreshed, as the per-visit
    path would: every household of the village gets its stat row, with the figures a full recount gives."""
    from minqing.compliance.models import CadreDayTally, HouseholdVisitStat, VisitTally
    from minqing.compliance.services import stats_rebuild
    from minqing.demo import figures as demo_figures
    from minqing.visits.models import Visit

    monkeypatch.setattr(demo_figures, "REBUILD_LIMIT", 0)
    out = StringIO()
    call_command("seed_demo", households=300, stdout=out)
    assert "compliance_rebuild" in out.getvalue()
    visited = set(Visit.objects.values_list("household_id", flat=True))
    village = set(Household.objects.filter(area_path__startswith=FOCUS_VILLAGE).values_list("pk", flat=True))
    assert set(HouseholdVisitStat.objects.values_list("household_id", flat=True)) == village > visited

    def figures() -> tuple[set, set, set]:
        return (
            set(
                HouseholdVisitStat.objects.filter(household_id__in=village).values_list("pk", "last_visit_id")
            ),
            set(VisitTally.objects.values_list("household_id", "author_id", "month", "visits")),
            set(CadreDayTally.objects.values_list("author_id", "day", "visits")),
        )

    refreshed = figures()
    assert all(refreshed)
    stats_rebuild()
    assert figures() == refreshed

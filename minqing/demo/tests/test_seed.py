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

"""Shared fixtures: a small area tree and the standard users (inside, neighbour, above, …).

The tree and the users are built once per test module inside an outer transaction that is rolled back
when the module ends (``_standard_data``); every test still runs in its own savepoint, so what a test
writes is undone after it, and it receives fresh copies of the Python objects (as Django's
``setUpTestData`` does). Modules holding a transactional test (browser tests, ``transaction=True``)
build them per test, because a transactional test must see committed rows and flushes the tables.
"""

import copy
import os
from types import SimpleNamespace

import pytest

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import DepartmentFactory, UserFactory, assign
from minqing.areas.models import Area
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

PASSWORD = "Correct-Horse-42"


def _area(code, name, level, parent=None):
    return Area.objects.create(code=code, name=name, level=level, parent=parent)


def _build_tree():
    """county → townships T, U → villages V (in T), W (sibling in T), X (in U) → groups and grids."""
    province = _area("52", "贵州省", "province")
    city = _area("5206", "铜仁市", "city", province)
    county = _area("520622", "玉屏侗族自治县", "county", city)
    t = _area("520622102", "朱家场镇", "township", county)
    u = _area("520622103", "田坪镇", "township", county)
    v = _area("520622102211", "鱼塘村村民委员会", "village", t)
    w = _area("520622102212", "邻家村村民委员会", "village", t)
    x = _area("520622103201", "远方村村民委员会", "village", u)
    return SimpleNamespace(
        province=province,
        city=city,
        county=county,
        t=t,
        u=u,
        v=v,
        w=w,
        x=x,
        v1=_area("520622102211001", "一组", "group", v),
        v2=_area("520622102211002", "二组", "group", v),
        vg1=_area("520622102211901", "鱼塘村第1网格", "grid", v),
        vg2=_area("520622102211902", "鱼塘村第2网格", "grid", v),
        w1=_area("520622102212001", "一组", "group", w),
        wg1=_area("520622102212901", "邻家村第1网格", "grid", w),
        x1=_area("520622103201001", "一组", "group", x),
    )


def _build_users(tree):
    """Standard users: inside (village V), neighbour (sibling W), above (township T), and role users."""
    health = DepartmentFactory()
    return SimpleNamespace(
        inside=assign(UserFactory(username="inside"), Role.VILLAGE_CADRE, tree.v),
        neighbour=assign(UserFactory(username="neighbour"), Role.VILLAGE_CADRE, tree.w),
        above=assign(UserFactory(username="above"), Role.TOWNSHIP_STAFF, tree.t),
        grid=assign(UserFactory(username="gridder"), Role.GRID_WORKER, tree.vg1),
        county=assign(UserFactory(username="leader"), Role.COUNTY_LEADER, tree.county),
        desk=assign(UserFactory(username="desker"), Role.SERVICE_DESK, tree.county),
        health=assign(UserFactory(username="doctor"), Role.DEPARTMENT_STAFF, tree.county, health),
        supervisor=assign(UserFactory(username="watcher"), Role.SUPERVISOR, tree.county),
        data_admin=assign(UserFactory(username="keeper"), Role.DATA_ADMIN, tree.t),
        nobody=UserFactory(username="nobody"),
        admin=UserFactory(username="root", is_superuser=True, is_staff=True),
    )


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences") or marker.args):
        return True
    names = set(getattr(item, "fixturenames", ()))
    return bool(names & {"transactional_db", "live_server", "django_db_reset_sequences"})


@pytest.fixture(scope="module")
def _standard_data(request, django_db_setup, django_db_blocker):
    """The area tree and the standard users, built once per module in a transaction rolled back at its end."""
    module = request.node
    items = [item for item in request.session.items if item.getparent(pytest.Module) is module]
    if any(_is_transactional(item) for item in items):
        yield None
        return
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            tree = _build_tree()
            data = SimpleNamespace(tree=tree, users=_build_users(tree))
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def tree(db, _standard_data):
    """county → townships T, U → villages V (in T), W (sibling in T), X (in U) → groups and grids."""
    if _standard_data is None:
        return _build_tree()
    return copy.deepcopy(_standard_data.tree)


@pytest.fixture
def users(tree, _standard_data):
    """Standard users: inside (village V), neighbour (sibling W), above (township T), and role users."""
    if _standard_data is None:
        return _build_users(tree)
    return copy.deepcopy(_standard_data.users)


@pytest.fixture
def records(tree):
    """One household with a head in V (grid 1), one in W, one in X."""
    hv = HouseholdFactory(
        number="5206221022110001", area=tree.v1, grid=tree.vg1, head_name="龙在内", phone="13800001111"
    )
    pv = PersonFactory(household=hv, name="龙在内", phone="13800001111")
    hw = HouseholdFactory(
        number="5206221022120001", area=tree.w1, grid=tree.wg1, head_name="杨在邻", phone="13800002222"
    )
    pw = PersonFactory(household=hw, name="杨在邻", phone="13800002222")
    hx = HouseholdFactory(number="5206221032010001", area=tree.x1, head_name="吴在远")
    px = PersonFactory(household=hx, name="吴在远")
    return SimpleNamespace(hv=hv, pv=pv, hw=hw, pw=pw, hx=hx, px=px)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A real browser beside a live server on a 2-core machine running two test workers sometimes misses a
    # deadline by a little. A browser test that times out runs once more; any other failure, and a second
    # timeout, fail at once. The rerun is printed in the summary (R), so a test that needs it is seen.
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["TimeoutError"]))


@pytest.fixture(autouse=True)
def _allow_async_unsafe_for_browser(request):
    # Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that by default.
    if request.node.get_closest_marker("browser"):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield

"""Property-based fuzzing of the whole REST API with schemathesis, from the schema drf-spectacular describes.

The schema is generated in-process (no network, no server) and every operation is called through Django's
WSGI application (``minqing.wsgi.application``) with a token, as three users: a county data admin (the
broadest rights of an area role), a village cadre and a service-desk user. Each operation gets a bounded,
derandomised set of valid and invalid inputs (reproducible in CI), writes included; the database is
rolled back after each test. The checks: no 5xx, and the status code, content type and body agree with
the schema.

Random ids and codes would only ever meet 404s, so most cases are pointed at real rows (inside and outside
the caller's scope), and most bodies get real references (area and grid codes, household ids, the row's
current ``version``, a valid ID number) in place of the fuzzed ones, so the fuzzed values reach the
serializers and services behind the lookups.
"""

from __future__ import annotations

import itertools
import os
import uuid
from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import DepartmentFactory, UserFactory, assign
from minqing.core.idnumber import make_id_number
from minqing.registry.models import House, Household, Person, Place
from minqing.registry.tests.factories import HouseholdFactory
from minqing.wsgi import application

pytestmark = pytest.mark.fuzz

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The examples and fuzzing phases; the coverage phase alone would send hundreds of requests per operation.
CONFIG = schemathesis.Config.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = application

ROLES = ("county_admin", "inside", "desk")
MODELS = {"households": Household, "persons": Person, "houses": House, "places": Place}
_id_seq = itertools.count(500)
# Cases per operation and user; FUZZ_EXAMPLES=200 hunts longer (the same seeds, so CI stays reproducible).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


@pytest.fixture
def wsgi_in_test_transaction():
    """Keep the test's connection (and its rolled-back transaction) across WSGI requests, as Django's test
    client does: the start and the end of a request would otherwise close it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _ticket(actor, household):
    """A dispatched request of the household (the seeded 医疗健康 category, routed to a department)."""
    from minqing.tickets import services
    from minqing.tickets.models import Category, RoutingRule
    from minqing.tickets.tests.conftest import ensure_seeded

    ensure_seeded()  # the catalogue comes from a migration: an earlier transactional test may have flushed it
    category = Category.objects.get(code="01")
    rule, _created = RoutingRule.objects.get_or_create(category=category, area_path="")
    rule.departments.set([actor.active_assignments()[0].department or DepartmentFactory()])
    data = {"channel": "hotline", "kind": "help", "category": category.pk, "household": household.pk}
    ticket, _created = services.file_ticket(
        actor=actor, data={**data, "description": "需要就医帮助"}, client_id=uuid.uuid4()
    )
    return ticket


@pytest.fixture
def targets(tree, records, users):
    """Real rows for the path parameters (the first of each visible to the village cadre, the others not)
    and the references written into bodies."""
    house = House.objects.create(
        household=records.hv,
        area=tree.v1,
        area_path=tree.v1.code,
        grid=tree.vg1,
        grid_path=tree.vg1.code,
        address="鱼塘村一组8号",
    )
    other_house = House.objects.create(area=tree.x1, area_path=tree.x1.code, address="远方村一组3号")
    place = Place.objects.create(
        area=tree.v, area_path=tree.v.code, name="鱼塘小卖部", place_type="shop", address="鱼塘村口"
    )
    other = Place.objects.create(
        area=tree.x, area_path=tree.x.code, name="远方村卫生室", place_type="clinic", address="远方村口"
    )
    second = HouseholdFactory(number="5206221022110002", area=tree.v2, grid=tree.vg2, head_name="龙二户")
    tickets = [_ticket(users.desk, household) for household in (records.hv, records.hx)]
    return {
        "tickets": [tickets[0].pk, tickets[0].pk, tickets[1].pk],
        "households": [records.hv.pk, records.hv.pk, records.hw.pk, records.hx.pk],
        "persons": [records.pv.pk, records.pv.pk, records.pw.pk, records.px.pk],
        "houses": [house.pk, house.pk, other_house.pk],
        "places": [place.pk, place.pk, other.pk],
        "areas": [tree.v.code, tree.v1.code, tree.w1.code, tree.x.code, tree.county.code],
        "refs": {
            "area": tree.v1.code,
            "grid": tree.vg1.code,
            "household": records.hv.pk,
            "to_household": second.pk,
        },
    }


def _seed(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else len(str(value))


def _point_at_real_rows(case, targets) -> None:
    """Three cases in four use a real row for the path and real references in the body."""
    resource = case.path.split("/")[3]
    for name, value in (case.path_parameters or {}).items():
        seed = _seed(value)
        if seed % 4 and targets.get(resource):
            case.path_parameters[name] = targets[resource][seed % len(targets[resource])]
    body = case.body
    if not isinstance(body, dict) or not _seed(len(body)) % 4:
        return
    for key, value in targets["refs"].items():
        if key in body:
            body[key] = value
    pk = (case.path_parameters or {}).get("id")
    if "version" in body and resource in MODELS and isinstance(pk, int):
        row = MODELS[resource].objects.filter(pk=pk).first()
        body["version"] = row.version if row else body["version"]
    for holder in (body, body.get("head")):
        if isinstance(holder, dict) and "id_number" in holder:
            holder["id_number"] = make_id_number("520622", date(1980, 1, 2), next(_id_seq) % 1000)


@pytest.fixture
def token_header(role, users, tree) -> dict[str, str]:
    if role == "county_admin":
        user = assign(UserFactory(username="county_admin"), Role.DATA_ADMIN, tree.county)
    else:
        user = getattr(users, role)
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzz(case, token_header, targets, wsgi_in_test_transaction):
    _point_at_real_rows(case, targets)
    case.call_and_validate(headers=token_header, checks=CHECKS)


def test_the_harness_reports_a_server_error(users, monkeypatch, wsgi_in_test_transaction):
    """The fuzz test can fail: a view that crashes (500) through the same transport and checks is reported."""

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("minqing.accounts.api.MeSerializer.get_scopes", crash)
    case = schema["/api/v1/users/me/"]["GET"].Case()
    headers = {"Authorization": f"Token {Token.objects.create(user=users.inside).key}"}
    with pytest.raises(FailureGroup) as failures:
        case.call_and_validate(headers=headers, checks=CHECKS)
    assert any(isinstance(failure, ServerError) for failure in failures.value.exceptions)

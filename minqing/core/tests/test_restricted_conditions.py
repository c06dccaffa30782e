"""Privacy classes with a per-record condition (``core.restricted.register(..., applies=...)``).

A conditional class restricts only the rows its condition holds for; a row that cannot be judged (no
instance of the registered model) counts as restricted: fail closed. Unconditional classes are unchanged.
The registry is swapped for a private one, so nothing leaks into other tests.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from minqing.core import restricted
from minqing.core.models import AuditEvent

AREA = "520622102211"


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    monkeypatch.setattr(restricted, "_REGISTRY", {})
    monkeypatch.setattr(restricted, "_CONDITIONS", {})
    # "secret" values of events whose verb starts with "child." only; "plain" values of every event.
    restricted.register(
        AuditEvent, "secret", fields=["target_label"], applies=lambda e: e.verb.startswith("child.")
    )
    restricted.register(AuditEvent, "plain", fields=["actor_name"])


def reader(*allowed: str, prefixes: list[str] | None = None) -> SimpleNamespace:
    """A signed-in user holding the actions ``allowed`` in ``prefixes`` (the test village by default)."""
    granted = prefixes if prefixes is not None else [AREA]
    return SimpleNamespace(
        is_authenticated=True,
        is_active=True,
        is_superuser=False,
        scope_prefixes=lambda action: granted if action in allowed else [],
        has_role=lambda *roles: "data_admin" in roles and "admin" in allowed,
    )


def event(verb: str) -> AuditEvent:
    return AuditEvent(verb=verb, area_path=AREA + "001", target_label="龙小妹", actor_name="网格员")


def test_applies_follows_the_condition():
    assert restricted.applies(AuditEvent, "secret", event("child.updated"))
    assert not restricted.applies(AuditEvent, "secret", event("adult.updated"))
    assert restricted.applies(AuditEvent, "plain", event("adult.updated"))  # no condition: always


def test_applies_fails_closed_on_rows_of_another_kind():
    other = SimpleNamespace(verb="adult.updated", area_path=AREA)
    assert restricted.applies(AuditEvent, "secret", other)
    assert restricted.applies(AuditEvent, "secret", None)


def test_may_see_is_true_where_the_condition_does_not_hold():
    nobody = reader()
    assert restricted.may_see(nobody, "secret", event("adult.updated"))
    assert restricted.may_see(None, "secret", event("adult.updated"))
    assert not restricted.may_see(nobody, "secret", event("child.updated"))
    assert not restricted.may_see(nobody, "plain", event("adult.updated"))  # unconditional class unchanged


def test_may_see_asks_the_right_where_the_condition_holds():
    child = event("child.updated")
    assert restricted.may_see(reader("secret"), "secret", child)
    assert not restricted.may_see(reader("secret", prefixes=["520622103"]), "secret", child)  # elsewhere
    assert not restricted.may_see(reader("plain"), "secret", child)


def test_a_row_that_cannot_be_judged_needs_the_right():
    row = SimpleNamespace(verb="adult.updated", area_path=AREA, grid_path="")
    assert not restricted.may_see(reader(), "secret", row)
    assert restricted.may_see(reader("secret"), "secret", row)


def test_hidden_fields_per_row():
    nobody = reader()
    assert restricted.hidden_fields(nobody, event("child.updated")) == {"target_label", "actor_name"}
    assert restricted.hidden_fields(nobody, event("adult.updated")) == {"actor_name"}
    assert restricted.hidden_fields(reader("secret", "plain"), event("child.updated")) == frozenset()


def test_admin_needs_the_right_unless_the_row_is_exempt():
    staff = reader()
    assert not restricted.may_see_in_admin(staff, "secret")  # no row: fail closed
    assert not restricted.may_see_in_admin(staff, "secret", event("child.updated"))
    assert restricted.may_see_in_admin(staff, "secret", event("adult.updated"))
    assert restricted.may_see_in_admin(reader("secret", "admin"), "secret")


def test_a_typo_in_a_field_fails_at_registration():
    from django.core.exceptions import FieldDoesNotExist

    with pytest.raises(FieldDoesNotExist):
        restricted.register(AuditEvent, "secret", fields=["no_such_field"], applies=lambda e: True)

"""Fixtures of the tag tests."""

from __future__ import annotations

import pytest

from minqing.registry.tests.factories import HouseholdFactory
from minqing.tags import services


@pytest.fixture
def catalog(db):
    services.sync_catalog()


@pytest.fixture
def home(tree):
    """Makes a new (rural, by default) household in village V."""
    return lambda **fields: HouseholdFactory(area=tree.v1, grid=tree.vg1, **fields)

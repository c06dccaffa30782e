"""Few matches are paged from their ids; many are paged as they are; the rows never change."""

from __future__ import annotations

from minqing.core import queries
from minqing.core.queries import rows_to_page
from minqing.registry.models import Household
from minqing.registry.tests.factories import HouseholdFactory


def test_few_rows_are_read_by_id_in_the_same_order(tree, monkeypatch):
    for i in range(5):
        HouseholdFactory(number=f"52062210221100{i:02d}", area=tree.v1)
    qs = Household.objects.filter(area_path__startswith="520622").order_by("-number")
    paged = rows_to_page(qs)
    assert list(paged) == list(qs) and '"id" IN (' in str(paged.query)
    assert list(rows_to_page(qs, count=5)) == list(qs)
    monkeypatch.setattr(queries, "FEW", 3)
    assert rows_to_page(qs) is qs  # more than FEW: paged as it is


def test_nothing_matches(tree):
    qs = Household.objects.filter(number="none").order_by("number")
    assert list(rows_to_page(qs)) == [] and list(rows_to_page(qs, count=0)) == []

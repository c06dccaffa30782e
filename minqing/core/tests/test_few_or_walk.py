"""Few matches are paged from their ids; many are paged as they are; the rows never change."""

from __future__ import annotations

import pytest
from django.db import connection

from minqing.core import queries
from minqing.core.queries import few_or_walk
from minqing.registry.models import Household
from minqing.registry.tests.factories import HouseholdFactory


def test_few_rows_are_read_by_id_in_the_same_order(tree, monkeypatch):
    for i in range(5):
        HouseholdFactory(number=f"52062210221100{i:02d}", area=tree.v1)
    qs = Household.objects.filter(area_path__startswith="520622").order_by("-number")
    n, paged = few_or_walk(qs)
    assert n == 5 and list(paged) == list(qs) and '"id" IN (' in str(paged.query)
    monkeypatch.setattr(queries, "FEW", 3)
    assert few_or_walk(qs) == (None, qs)  # more than FEW: paged as it is
    walk = qs.all()
    assert few_or_walk(qs, walk=walk)[1] is walk


def test_rows_of_one_table_are_read_by_id_alone_joined_ones_keep_their_conditions(tree):
    for i in range(4):
        HouseholdFactory(number=f"52062210221100{i:02d}", area=tree.v1 if i % 2 else tree.w1)
    qs = Household.objects.filter(area_path__startswith=tree.v.code).order_by("number")
    n, paged = few_or_walk(qs)
    sql = str(paged.query)
    assert n == 2 and list(paged) == list(qs) and "area_path" not in sql.split("WHERE")[1]
    joined = Household.objects.filter(area__code__startswith=tree.v.code).order_by("number")  # a filter join
    n, paged = few_or_walk(joined)
    assert n == 2 and list(paged) == list(joined) and '"code"' in str(paged.query).split("WHERE")[1]


def test_nothing_matches(tree):
    qs = Household.objects.filter(number="none").order_by("number")
    n, rows = few_or_walk(qs)
    assert n == 0 and list(rows) == []


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db
def test_no_merge_join_applies_inside_and_is_undone_after():
    from minqing.core.db import no_merge_join

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_mergejoin")
            return cursor.fetchone()[0]

    with no_merge_join():
        assert setting() == "off"
    assert setting() == "on"
    with pytest.raises(ZeroDivisionError), no_merge_join():
        raise ZeroDivisionError
    assert setting() == "on"

"""年度收支: no value a column cannot hold is ever saved, and two edits of one year from the same loaded
version never silently overwrite each other.

The attack these guard against: incomes whose sum (and so 年人均纯收入, a computed column) needed more than
the column's 12 digits. SQLite stored it and every later read of the household failed (the Decimal
converter); PostgreSQL refused it with a DataError. Both were a 500.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from minqing.core.editing import ConcurrentEditError
from minqing.core.models import AuditEvent
from minqing.registry import services
from minqing.registry.models import EconomyYear
from minqing.registry.tests.api_helpers import url

BIG = "9999999999.99"  # the largest value one money column holds (max_digits 12, decimal_places 2)
TOTAL_TOO_LARGE = "“收入合计”不能超过 9999999999.99。"
POPULATION_TOO_LARGE = "“家庭人口”不能超过 32767。"


def economy_url(records) -> str:
    return url("household", records.hv.pk, "economy")


def save(users, records, *, version: int | None, year: int = 2024, **data):
    return services.economy_save(
        actor=users.inside, household=records.hv, year=year, data=data, version=version
    )


# ------------------------------------------------------------------------------------------ ranges


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"population": 1, "wage_income": BIG, "business_income": BIG}, "non_field_errors", TOTAL_TOO_LARGE),
        (
            {"population": 1, **dict.fromkeys(("wage_income", "dibao_income", "pension_income"), BIG)},
            "non_field_errors",
            TOTAL_TOO_LARGE,
        ),
        ({"population": 40000, "wage_income": "1"}, "population", POPULATION_TOO_LARGE),
    ],
    ids=["two-incomes", "three-incomes", "population"],
)
def test_api_refuses_values_the_columns_cannot_hold(as_user, records, payload, field, message):
    client = as_user("inside")
    response = client.post(economy_url(records), {"year": 2024, **payload}, format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()["errors"][field]
    assert not EconomyYear.objects.filter(household=records.hv).exists()
    assert not AuditEvent.objects.filter(verb="registry.economy.saved").exists()
    detail = client.get(url("household", records.hv.pk))
    assert detail.status_code == 200 and detail.json()["economy"] == []


def test_a_refused_replacement_leaves_the_saved_year_as_it_was(as_user, records):
    client = as_user("inside")
    first = client.post(economy_url(records), {"year": 2024, "wage_income": "100"}, format="json")
    assert first.status_code == 200
    attack = {"year": 2024, "version": 1, "wage_income": BIG, "business_income": BIG, "population": 1}
    assert client.post(economy_url(records), attack, format="json").status_code == 400
    row = EconomyYear.objects.get(household=records.hv, year=2024)
    assert row.wage_income == Decimal(100) and row.version == 1
    assert client.get(url("household", records.hv.pk)).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"population": 0}, "population"),  # was a division by zero computing 年人均纯收入
        ({"population": 40000}, "population"),
        ({"wage_income": Decimal(BIG), "other_transfer_income": Decimal(BIG)}, "__all__"),
    ],
)
def test_the_service_refuses_them_for_every_caller(users, records, data, field):
    """Forms, the API and any importer call economy_save: the rule holds there, not in one adapter."""
    with pytest.raises(ValidationError) as caught:
        save(users, records, version=None, **data)
    assert field in caught.value.message_dict
    assert not EconomyYear.objects.exists()


def test_the_page_shows_a_form_error_not_a_server_error(login, users, records):
    client = login(users.inside)
    page = reverse("registry:economy_edit", args=[records.hv.pk]) + "?year=2024"
    form = dict.fromkeys(services.ECONOMY_FIELDS, "0")
    response = client.post(
        page, {**form, "year": 2024, "population": 1, "wage_income": BIG, "pension_income": BIG}
    )
    assert response.status_code == 200
    assert TOTAL_TOO_LARGE in response.content.decode()
    response = client.post(page, {**form, "year": 2024, "population": 40000})
    assert response.status_code == 200
    assert "32767" in response.content.decode()
    assert not EconomyYear.objects.exists()
    assert client.get(records.hv.get_absolute_url()).status_code == 200


# ------------------------------------------------------------------------------------ optimistic lock


def test_two_edits_from_the_same_version_the_second_is_refused(users, records):
    row = save(users, records, version=None, wage_income=Decimal(100))
    assert row.version == 1
    first = save(users, records, version=1, wage_income=Decimal(200))
    assert first.version == 2
    with pytest.raises(ConcurrentEditError) as caught:
        save(users, records, version=1, wage_income=Decimal(300))
    assert "修改了这条记录" in caught.value.messages[0]
    assert [e.changes for e in caught.value.events] == [{"工资性收入": ["100.00", "200.00"]}]
    row.refresh_from_db()
    assert row.wage_income == Decimal(200) and row.version == 2


def test_two_first_entries_of_one_year_the_second_is_refused(users, records):
    """Both editors opened an empty year: the second must see the first one's figures, not replace them."""
    save(users, records, version=None, wage_income=Decimal(100))
    with pytest.raises(ConcurrentEditError):
        save(users, records, version=None, wage_income=Decimal(300))
    assert EconomyYear.objects.get(household=records.hv).wage_income == Decimal(100)


def test_a_version_for_a_year_without_a_row_is_refused(users, records):
    with pytest.raises(ValidationError) as caught:
        save(users, records, version=3, wage_income=Decimal(100))
    assert "version" in caught.value.message_dict
    assert not EconomyYear.objects.exists()


def test_saving_the_same_figures_does_not_bump_the_version(users, records):
    save(users, records, version=None, wage_income=Decimal(100))
    again = save(users, records, version=1, wage_income=Decimal(100))
    assert again.version == 1
    assert AuditEvent.objects.filter(verb="registry.economy.saved").count() == 1


def test_stale_api_save_is_409_with_the_other_changes(as_user, records):
    client = as_user("inside")
    created = client.post(economy_url(records), {"year": 2024, "wage_income": "100"}, format="json")
    assert created.status_code == 200 and created.json()["version"] == 1
    first = client.post(
        economy_url(records), {"year": 2024, "version": 1, "wage_income": "200"}, format="json"
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    for stale in ({"version": 1}, {}):  # an old version, or none at all for a year that has a row
        response = client.post(
            economy_url(records), {"year": 2024, "wage_income": "300", **stale}, format="json"
        )
        assert response.status_code == 409, response.content
        body = response.json()
        assert "修改了这条记录" in body["detail"] and body["code"] == "concurrent_edit"
        assert body["current_version"] == 2 and body["changes"]
    row = EconomyYear.objects.get(household=records.hv, year=2024)
    assert row.wage_income == Decimal(200) and row.version == 2
    assert client.get(url("household", records.hv.pk)).json()["economy"][0]["version"] == 2


def test_stale_page_save_shows_the_conflict_and_keeps_the_other_figures(login, users, records):
    save(users, records, version=None, wage_income=Decimal(100))
    client = login(users.inside)
    page = reverse("registry:economy_edit", args=[records.hv.pk]) + "?year=2024"
    body = client.get(page).content.decode()
    assert 'name="version" value="1"' in body
    assert re.search(r'<input[^>]*name="year"[^>]*readonly', body)  # a loaded row's year stays put
    services.economy_save(
        actor=users.above, household=records.hv, year=2024, data={"wage_income": Decimal(200)}, version=1
    )
    form = {**dict.fromkeys(services.ECONOMY_FIELDS, "0"), "year": 2024, "population": 1, "version": 1}
    response = client.post(page, {**form, "wage_income": "300"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="conflict"' in body and "100.00 → 200.00" in body
    assert 'name="version" value="2"' in body  # the form was reloaded with the figures saved meanwhile
    row = EconomyYear.objects.get(household=records.hv, year=2024)
    assert row.wage_income == Decimal(200) and row.version == 2
    response = client.post(page, {**form, "version": 2, "wage_income": "300"})
    assert response.status_code == 302
    assert EconomyYear.objects.get(pk=row.pk).wage_income == Decimal(300)

"""ID numbers, phones and certificate numbers are encrypted at rest and still found by exact value."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from minqing.core import field_rewrite, fieldcrypt
from minqing.core.db import bulk_insert
from minqing.registry.filters import household_search
from minqing.registry.models import Household, Person, Place
from minqing.registry.tests.factories import PersonFactory, id_number

pytestmark = pytest.mark.django_db

KEY_1 = "k1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE="
KEY_2 = "k2:" + "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI="


def raw(table: str, column: str, pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test constants
        return cursor.fetchone()[0]


def set_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_a_raw_select_shows_no_readable_id_number_phone_or_certificate(records):
    person = PersonFactory(household=records.hv, relation="01", disability_category="1", disability_grade="2")
    person.disability_cert_no = person.id_number + "12"
    person.save()
    place = Place.objects.create(
        area=records.hv.area,
        area_path=records.hv.area_path,
        name="小卖部",
        address="1号",
        place_type="shop",
        phone="13912345678",
    )
    stored = [
        raw("registry_person", "id_number", person.pk),
        raw("registry_person", "phone", person.pk),
        raw("registry_person", "disability_cert_no", person.pk),
        raw("registry_household", "phone", records.hv.pk),
        raw("registry_place", "phone", place.pk),
    ]
    clear = [person.id_number, person.phone, person.disability_cert_no, records.hv.phone, place.phone]
    for value, secret in zip(stored, clear, strict=True):
        assert fieldcrypt.is_stored(value)
        assert secret not in value and secret[:6] + secret[-4:] not in value
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.phone, fresh.disability_cert_no) == tuple(clear[:3])
    assert Place.objects.values_list("phone", flat=True).get(pk=place.pk) == "13912345678"


def test_exact_in_empty_and_null_lookups(records):
    person = PersonFactory(household=records.hv, relation="10")
    no_id = PersonFactory(household=records.hv, relation="10", id_number=None, phone="")
    assert list(Person.objects.filter(id_number=person.id_number)) == [person]
    assert list(Person.objects.filter(id_number__in=[person.id_number, "x"])) == [person]
    assert Person.objects.filter(phone=person.phone).get() == person
    assert no_id in Person.objects.filter(id_number__isnull=True)
    assert no_id in Person.objects.filter(phone="")
    assert person not in Person.objects.filter(phone="")
    assert not Person.objects.filter(id_number__in=[]).exists()
    assert Household.objects.filter(phone=records.hv.phone).get() == records.hv


@pytest.mark.parametrize("lookup", ["startswith", "icontains", "gt", "iexact", "regex"])
def test_lookups_a_blind_index_cannot_answer_fail_loudly(lookup):
    with pytest.raises(FieldError):
        list(Person.objects.filter(**{f"id_number__{lookup}": "5206"}))


def test_search_box_finds_by_id_number_and_phone(records):
    person = PersonFactory(household=records.hv, relation="10")
    assert list(household_search(Household.objects.all(), person.id_number)) == [records.hv]
    assert list(household_search(Household.objects.all(), person.phone)) == [records.hv]
    assert list(household_search(Household.objects.all(), records.hv.phone)) == [records.hv]


def test_one_id_number_is_one_person_in_the_database(records):
    person = PersonFactory(household=records.hv, relation="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(household=records.hw, relation="10", id_number=person.id_number)


def test_a_value_tampered_with_or_moved_to_another_column_does_not_open(records):
    person = PersonFactory(household=records.hv, relation="10")
    stored_id = raw("registry_person", "id_number", person.pk)
    set_raw("registry_person", "phone", person.pk, stored_id)  # right key, wrong column
    with pytest.raises(fieldcrypt.FieldCryptoError):
        Person.objects.get(pk=person.pk)
    body = stored_id[:-6] + ("A" if stored_id[-6] != "A" else "B") + stored_id[-5:]
    set_raw("registry_person", "phone", person.pk, "")
    set_raw("registry_person", "id_number", person.pk, body)
    with pytest.raises(fieldcrypt.FieldCryptoError):
        Person.objects.get(pk=person.pk)


@override_settings(FIELD_ENCRYPTION_CIPHER="sm4-gcm")
def test_sm4_gcm_where_the_deployment_asks_for_it(records):
    person = PersonFactory(household=records.hv, relation="10")
    assert "$sm4-gcm$" in raw("registry_person", "id_number", person.pk)
    assert Person.objects.get(id_number=person.id_number).phone == person.phone


def test_key_rotation_keeps_every_value_readable_and_findable(records, capsys, settings):
    dev = fieldcrypt.dev_key_spec(settings.SECRET_KEY)  # the fixtures' rows
    with override_settings(FIELD_ENCRYPTION_KEYS=f"{KEY_1},{dev}"):
        person = PersonFactory(household=records.hv, relation="10")
        assert "$k1$" in raw("registry_person", "id_number", person.pk)
    with override_settings(FIELD_ENCRYPTION_KEYS=f"{KEY_2},{KEY_1},{dev}"):
        assert Person.objects.get(id_number=person.id_number) == person  # old key still searched
        newer = PersonFactory(household=records.hv, relation="10")
        assert "$k2$" in raw("registry_person", "id_number", newer.pk)
        call_command("rotate_field_keys")
        assert "$k2$" in raw("registry_person", "id_number", person.pk)
        call_command("rotate_field_keys", "--status")
        assert "registry_person.id_number: k2: " in capsys.readouterr().out
    with override_settings(FIELD_ENCRYPTION_KEYS=KEY_2):  # the old key removed
        assert Person.objects.get(id_number=person.id_number).phone == person.phone
        assert Person.objects.get(phone=newer.phone) == newer


def test_new_key_entry_is_valid_and_random(capsys):
    call_command("rotate_field_keys", "--new-key", "k9")
    first = capsys.readouterr().out.strip()
    call_command("rotate_field_keys", "--new-key", "k9")
    assert fieldcrypt.parse_keys(first)[0][0] == "k9" and capsys.readouterr().out.strip() != first


def test_the_migration_encrypts_clear_values_and_is_resumable(records):
    person = PersonFactory(household=records.hv, relation="10")
    set_raw("registry_person", "id_number", person.pk, person.id_number)  # as before the migration
    columns = {"id_number": "registry.person.id_number", "phone": "registry.person.phone"}
    first = field_rewrite.rewrite("registry_person", columns, field_rewrite.encrypt_clear, batch=1)
    assert first.changed == 1 and first.rows == Person.objects.count()
    assert field_rewrite.rewrite("registry_person", columns, field_rewrite.encrypt_clear).changed == 0
    assert fieldcrypt.is_stored(raw("registry_person", "id_number", person.pk))
    assert Person.objects.get(id_number=person.id_number) == person


def test_bulk_loading_encrypts_too(records):
    birth = datetime.date(1980, 1, 2)
    rows = [
        Person(
            household=records.hv,
            area=records.hv.area,
            area_path=records.hv.area_path,
            relation="10",
            name="批量",
            sex="1",
            birth_date=birth,
            id_number=id_number(birth),
            phone="13700000001",
        )
    ]
    bulk_insert(Person, rows, need_pk=True)
    assert fieldcrypt.is_stored(raw("registry_person", "id_number", rows[0].pk))
    assert Person.objects.get(phone="13700000001").id_number == rows[0].id_number


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_id_lookup_uses_the_blind_index_on_postgresql(records):
    person = PersonFactory(household=records.hv, relation="10")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Person.objects.filter(id_number=person.id_number).values("pk").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_id_number_unique" in plan

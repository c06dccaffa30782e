"""List rows a cadre reads on a phone: group, household address and masked phone on every row."""

from __future__ import annotations

import datetime

from django.urls import reverse

from minqing.registry.tests.factories import PersonFactory


def test_person_rows_show_group_address_and_masked_phone(login, users, records):
    body = login(users.inside).get(reverse("registry:person_list")).content.decode()
    assert "138****1111" in body and "13800001111" not in body
    assert records.hv.address in body
    assert 'data-label="区域"' in body


def test_a_minors_phone_is_hidden_in_rows_for_a_reader_without_the_right(login, users, records):
    birth = datetime.date(datetime.date.today().year - 9, 3, 1)
    PersonFactory(household=records.hv, relation="20", name="龙小弟", birth_date=birth, phone="13900004444")
    county = login(users.county).get(reverse("registry:person_list"), {"q": "龙小弟"}).content.decode()
    assert "139****4444" not in county and "—（无权查看）" in county
    village = login(users.inside).get(reverse("registry:person_list"), {"q": "龙小弟"}).content.decode()
    assert "139****4444" in village


def test_household_rows_show_the_masked_phone(login, users, records):
    body = login(users.inside).get(reverse("registry:household_list")).content.decode()
    assert "138****1111" in body and "13800001111" not in body

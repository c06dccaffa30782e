"""The person edit form: sections a cadre opens one at a time, and stored identifiers replaced only by those
who may see them (issue 11: "changing it needs the reveal right")."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from minqing.accounts import roles
from minqing.accounts.roles import Role
from minqing.registry import services
from minqing.registry.tests.factories import id_number

SECTIONS = ["基本信息", "户籍与居住", "家庭与监护", "教育与就业", "健康与保障"]


@pytest.fixture
def no_reveal(monkeypatch):
    """A village cadre who may change files but not see identifiers (a data-entry role of a county)."""
    table = dict(roles.PERMISSIONS)
    table[Role.VILLAGE_CADRE] = table[Role.VILLAGE_CADRE] - {"reveal"}
    monkeypatch.setattr(roles, "PERMISSIONS", table)


def edit_page(client, person) -> str:
    return client.get(reverse("registry:person_edit", args=[person.pk])).content.decode()


def test_the_form_is_in_sections_the_first_open(login, users, records):
    page = edit_page(login(users.inside), records.pv)
    found = re.findall(r'<details class="form-section[^"]*"( open)?[^>]*>\s*<summary[^>]*>([^<]+)', page)
    assert [label.strip() for _, label in found][:5] == SECTIONS
    assert [bool(opened) for opened, _ in found][:2] == [True, False]
    assert records.pv.id_number not in page  # the ID input starts empty, the masked number as its hint


def test_a_section_with_an_error_opens(login, users, records):
    client = login(users.inside)
    data = {"version": records.pv.version, "name": records.pv.name, "relation": "02", "sex": "1"}
    data.update(
        {"birth_date": records.pv.birth_date.isoformat(), "ethnicity": "01", "political_status": "13"}
    )
    data.update({"religion": "0", "residence_status": "10", "health": "10", "school_stage": "x"})
    page = client.post(reverse("registry:person_edit", args=[records.pv.pk]), data).content.decode()
    opened = re.findall(r'<details class="form-section[^"]*" open[^>]*>\s*<summary[^>]*>([^<]+)', page)
    assert "教育与就业" in [label.strip() for label in opened]


def test_replacing_a_stored_id_needs_the_reveal_right(users, records, no_reveal):
    new_id = id_number(records.pv.birth_date)
    with pytest.raises(ValidationError) as refused:
        services.person_update(
            actor=users.inside, person=records.pv, data={"id_number": new_id}, version=records.pv.version
        )
    assert "需要查看该信息的权限" in refused.value.message_dict["id_number"][0]
    records.pv.refresh_from_db()
    assert records.pv.id_number != new_id


def test_with_the_right_the_id_is_replaced(users, records):
    new_id = id_number(records.pv.birth_date)
    person = services.person_update(
        actor=users.inside, person=records.pv, data={"id_number": new_id}, version=records.pv.version
    )
    assert person.id_number == new_id


def test_without_the_right_the_input_is_read_only_and_the_value_kept(login, users, records, no_reveal):
    page = edit_page(login(users.inside), records.pv)
    tag = re.search(r'<input[^>]*name="id_number"[^>]*>', page).group(0)
    assert "disabled" in tag
    assert "修改已登记的号码需要查看该信息的权限" in page

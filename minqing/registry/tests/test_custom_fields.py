"""Custom household fields: one rule (``CustomField.clean_value``) for the service, the API and the form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.core.models import AuditEvent
from minqing.registry import services
from minqing.registry.models import CustomField, Household, clean_custom_values


@pytest.fixture
def fields(db):
    """One field of each kind, plus one switched off."""
    return {
        "pv": CustomField.objects.create(key="pv", label="是否光伏户", kind=CustomField.Kind.BOOLEAN),
        "crop": CustomField.objects.create(
            key="crop", label="主要作物", kind=CustomField.Kind.CHOICE, options=["水稻", "玉米"]
        ),
        "pigs": CustomField.objects.create(key="pigs", label="生猪存栏", kind=CustomField.Kind.NUMBER),
        "note": CustomField.objects.create(key="note", label="备注", kind=CustomField.Kind.TEXT),
        "old": CustomField.objects.create(
            key="old", label="旧字段", kind=CustomField.Kind.TEXT, is_active=False
        ),
    }


def messages_of(error: ValidationError) -> list[str]:
    return error.value.message_dict["custom"]


# ------------------------------------------------------------------------------- the rule per kind


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("pv", True, True),
        ("pv", False, False),
        ("pv", "是", True),
        ("pv", "否", False),
        ("pv", " TRUE ", True),
        ("pv", None, None),
        ("pv", "", None),
        ("crop", "水稻", "水稻"),
        ("crop", " 玉米 ", "玉米"),
        ("crop", "", ""),
        ("crop", None, ""),
        ("pigs", 12, 12),
        ("pigs", 3.5, 3.5),
        ("pigs", "3.0", 3),
        ("pigs", "1,200", 1200),
        ("pigs", Decimal("0.25"), 0.25),
        ("pigs", -2, -2),
        ("pigs", "", None),
        ("note", "  朝南  ", "朝南"),
        ("note", 42, "42"),
        ("note", "字" * 200, "字" * 200),
        ("note", None, ""),
    ],
)
def test_good_values_are_cleaned(fields, key, value, expected):
    assert fields[key].clean_value(value) == expected
    cleaned = clean_custom_values({key: value})
    assert cleaned == {key: expected} and type(cleaned[key]) is type(expected)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("pv", "maybe", "「是否光伏户」只能填“是”或“否”。"),
        ("pv", 1, "「是否光伏户」只能填“是”或“否”。"),
        ("pv", [], "「是否光伏户」只能填“是”或“否”。"),
        ("crop", "小麦", "「主要作物」只能从这些选项中选择：水稻、玉米。"),
        ("crop", 1, "「主要作物」只能从这些选项中选择：水稻、玉米。"),
        ("pigs", "十二", "「生猪存栏」只能填数字，例如 12 或 3.5。"),
        ("pigs", True, "「生猪存栏」只能填数字，例如 12 或 3.5。"),
        ("pigs", float("nan"), "「生猪存栏」只能填数字，例如 12 或 3.5。"),
        ("pigs", "Infinity", "「生猪存栏」只能填数字，例如 12 或 3.5。"),
        ("pigs", 10**15, "「生猪存栏」的数值太大，请检查是否多填了位数。"),
        ("note", "字" * 201, "「备注」最多填写200个字，现在有201个字。"),
        ("note", {"a": 1}, "「备注」应填写文字。"),
        ("note", True, "「备注」应填写文字。"),
    ],
)
def test_bad_values_say_what_to_fix(fields, key, value, message):
    with pytest.raises(ValidationError) as error:
        fields[key].clean_value(value)
    assert error.value.messages == [message]
    assert error.value.params["key"] == key
    with pytest.raises(ValidationError) as error:
        clean_custom_values({key: value})
    assert messages_of(error) == [message]


def test_unknown_keys_and_non_mappings_are_refused(fields):
    with pytest.raises(ValidationError) as error:
        clean_custom_values({"pv": True, "nope": 1})
    assert messages_of(error) == ["没有名为“nope”的自定义字段，请检查字段代码。"]
    with pytest.raises(ValidationError) as error:
        clean_custom_values(["pv"])
    assert "对照表" in messages_of(error)[0]


def test_every_bad_value_is_reported_at_once(fields):
    with pytest.raises(ValidationError) as error:
        clean_custom_values({"pv": "maybe", "crop": "小麦", "note": "好"})
    assert len(messages_of(error)) == 2


def test_inactive_field_keeps_its_value_but_takes_no_new_one(fields):
    assert clean_custom_values({"old": "旧值", "pv": True}, previous={"old": "旧值"}) == {
        "old": "旧值",
        "pv": True,
    }
    assert clean_custom_values({"old": ""}, previous={"old": "旧值"}) == {"old": ""}
    with pytest.raises(ValidationError) as error:
        clean_custom_values({"old": "新值"}, previous={"old": "旧值"})
    assert messages_of(error) == ["「旧字段」已停用，不能再填写，只能清空。"]


def test_stored_value_outside_changed_options_does_not_block_other_edits(fields):
    stored = {"crop": "高粱"}  # saved before 高粱 was removed from the options
    assert clean_custom_values({"crop": "高粱", "pv": False}, previous=stored) == {
        "crop": "高粱",
        "pv": False,
    }
    with pytest.raises(ValidationError):
        clean_custom_values({"crop": "高粱"}, previous={})


def test_choice_field_needs_options(db):
    with pytest.raises(ValidationError) as error:
        CustomField(key="k", label="标签", kind=CustomField.Kind.CHOICE, options=[]).full_clean()
    assert "options" in error.value.message_dict
    with pytest.raises(ValidationError):
        CustomField(key="k", label="标签", kind=CustomField.Kind.CHOICE, options=["a", "a"]).full_clean()
    with pytest.raises(ValidationError):
        CustomField(key="k", label="标签", kind=CustomField.Kind.CHOICE, options="a,b").full_clean()


# ------------------------------------------------------------------------------------- the services


def test_household_update_cleans_and_refuses(fields, users, records):
    household = services.household_update(
        actor=users.inside,
        household=records.hv,
        data={"custom": {"pv": "是", "pigs": "12", "crop": "玉米"}},
        version=1,
    )
    household.refresh_from_db()
    assert household.custom == {"pv": True, "pigs": 12, "crop": "玉米"}
    with pytest.raises(ValidationError) as error:
        services.household_update(
            actor=users.inside, household=records.hv, data={"custom": {"pv": "maybe"}}, version=2
        )
    assert messages_of(error) == ["「是否光伏户」只能填“是”或“否”。"]
    household.refresh_from_db()
    assert household.custom["pv"] is True and household.version == 2


def test_household_create_refuses_bad_custom_values(fields, users, tree):
    data = {"area": tree.v1, "address": "鱼塘村一组9号", "custom": {"crop": "小麦"}}
    head = {"name": "龙新", "sex": "1", "birth_date": "1980-01-02"}
    with pytest.raises(ValidationError) as error:
        services.household_create(actor=users.inside, data=data, head=head)
    assert messages_of(error) == ["「主要作物」只能从这些选项中选择：水稻、玉米。"]
    assert not Household.objects.exists()


# ------------------------------------------------------------------------------------------ the API


def test_api_refuses_maybe_for_a_yes_no_field_and_saves_nothing(fields, users, records):
    api = APIClient()
    api.force_authenticate(users.inside)
    url = reverse("api:household-detail", kwargs={"pk": records.hv.pk})
    response = api.patch(url, {"custom": {"pv": "maybe"}, "version": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["custom"] == ["「是否光伏户」只能填“是”或“否”。"]
    records.hv.refresh_from_db()
    assert records.hv.custom == {} and records.hv.version == 1
    assert not AuditEvent.objects.filter(verb="registry.household.updated").exists()


def test_api_refuses_unknown_keys_and_keeps_unsent_ones(fields, users, records):
    Household.objects.filter(pk=records.hv.pk).update(custom={"old": "旧值", "crop": "水稻"})
    api = APIClient()
    api.force_authenticate(users.inside)
    url = reverse("api:household-detail", kwargs={"pk": records.hv.pk})
    response = api.patch(url, {"custom": {"nope": 1}, "version": 1}, format="json")
    assert response.status_code == 400 and "nope" in response.json()["errors"]["custom"][0]
    response = api.patch(url, {"custom": {"pv": False}, "version": 1}, format="json")
    assert response.status_code == 200, response.content
    records.hv.refresh_from_db()
    assert records.hv.custom == {"old": "旧值", "crop": "水稻", "pv": False}


# ----------------------------------------------------------------------------------------- the form


def edit_data(client, household, **custom) -> dict:
    form = client.get(reverse("registry:household_edit", args=[household.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | dict)}
    data.update({"version": household.version, "area": household.area.pk, "grid": household.grid.pk})
    data.update({n: form[n].value() or "" for n in form.fields if n.startswith("custom_")})
    data.update({f"custom_{k}": v for k, v in custom.items()})
    return data


def test_form_shows_the_same_message_beside_the_field(fields, login, users, records):
    client = login(users.inside)
    data = edit_data(client, records.hv, pv="maybe", pigs="十二", crop="玉米")
    response = client.post(reverse("registry:household_edit", args=[records.hv.pk]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["custom_pv"] == ["「是否光伏户」只能填“是”或“否”。"]
    assert form.errors["custom_pigs"] == ["「生猪存栏」只能填数字，例如 12 或 3.5。"]
    records.hv.refresh_from_db()
    assert records.hv.custom == {}


def test_form_saves_through_the_same_rule(fields, login, users, records):
    Household.objects.filter(pk=records.hv.pk).update(custom={"old": "旧值", "crop": "高粱"})
    records.hv.refresh_from_db()
    client = login(users.inside)
    data = edit_data(client, records.hv, pv="是", pigs="3.5", note=" 朝南 ")
    assert data["custom_crop"] == "高粱"  # the stored value stays selectable though no longer an option
    response = client.post(reverse("registry:household_edit", args=[records.hv.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    records.hv.refresh_from_db()
    assert records.hv.custom == {"old": "旧值", "crop": "高粱", "pv": True, "pigs": 3.5, "note": "朝南"}

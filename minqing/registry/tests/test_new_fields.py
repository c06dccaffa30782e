"""Issue 11 fields: each rule refused alike by the service, the form and the API; history, pages, export."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from minqing.core.models import AuditEvent
from minqing.core.phone import validate_phone
from minqing.exports.columns import SHEETS, Context
from minqing.registry import services
from minqing.registry.models import Household, Person
from minqing.registry.tests.api_helpers import household_payload, url

RISK_ORDER = "风险消除日期不能早于纳入监测日期。"
NO_SITE = "易地扶贫搬迁户请填写安置点。"
AREA_CODE = "区划代码应为6位（县级，如 520622）或12位（村级，如 520622100201）数字。"


def _phone_message() -> str:
    with pytest.raises(ValidationError) as info:
        validate_phone("12345")
    return info.value.messages[0]


PHONE = _phone_message()  # core.phone words it; here it only has to be the same on every path
HEAD_ID = "户主须填写公民身份号码；确实没有的，请选择无身份证号原因。"
HEAD_SEX = "户主的性别须为男或女。"
FATHER_SELF = "父亲不能是本人。"
FATHER_SEX = "父亲的性别应为男，请核对所选人员。"
MOTHER_SEX = "母亲的性别应为女，请核对所选人员。"
FATHER_YOUNGER = "父亲的出生日期应早于本人。"
OUT_OF_SCOPE = "所选人员不存在，或不在您的管辖范围内。"
FORM_PARENT = "请从本户成员中选择父亲；所选人员不存在或不在您的管辖范围内。"


@pytest.fixture
def family(users, records):
    """records.hv: head 龙在内 (male, 1970), wife 杨妻 (1972), child 龙小 (2012)."""
    add = services.person_add
    hv = records.hv
    wife = add(
        actor=users.inside,
        household=hv,
        data={"name": "杨妻", "sex": "2", "birth_date": datetime.date(1972, 3, 1), "relation": "10"},
    )
    child = add(
        actor=users.inside,
        household=hv,
        data={"name": "龙小", "sex": "1", "birth_date": datetime.date(2012, 6, 1), "relation": "20"},
    )
    return {"head": Person.objects.get(pk=records.pv.pk), "wife": wife, "child": child}


def person_update(actor, person: Person, **data: Any) -> Person:
    person.refresh_from_db()
    return services.person_update(actor=actor, person=person, data=data, version=person.version)


def household_update(actor, household: Household, **data: Any) -> Household:
    household.refresh_from_db()
    return services.household_update(actor=actor, household=household, data=data, version=household.version)


def refused(call, *args, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value.message_dict


# ------------------------------------------------------------------------------------------ service


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"monitoring_start": datetime.date(2024, 5, 1), "risk_cleared_on": datetime.date(2024, 4, 30)},
            "risk_cleared_on",
            RISK_ORDER,
        ),
        ({"relocated": True, "resettlement_site": "  "}, "resettlement_site", NO_SITE),
        ({"risk_types": ["01", "xx"]}, "risk_types", "风险类型只能从风险类型代码表中选择。"),
    ],
)
def test_service_refuses_household_rules(users, records, data, field, message):
    errors = refused(household_update, users.inside, records.hv, **data)
    assert errors[field] == [message]
    records.hv.refresh_from_db()
    assert records.hv.version == 1 and not records.hv.relocated


def test_service_accepts_consistent_household_fields(users, records):
    saved = household_update(
        users.inside,
        records.hv,
        monitoring_start=datetime.date(2024, 5, 1),
        risk_cleared_on=datetime.date(2024, 5, 1),
        risk_types=["01", "02"],
        relocated=True,
        resettlement_site="思源社区",
        road_access="1",
        cooking_fuel="3",
    )
    assert saved.version == 2 and saved.risk_types_display == "因病、因学"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"registered_area": "52062"}, "registered_area", AREA_CODE),
        ({"current_area": "5206221002"}, "current_area", AREA_CODE),
        ({"current_area": "52062a"}, "current_area", AREA_CODE),
        ({"guardian_phone": "12345"}, "guardian_phone", PHONE),
        ({"guardian_phone": "打电话abc"}, "guardian_phone", PHONE),
    ],
)
def test_service_refuses_person_formats(users, family, data, field, message):
    errors = refused(person_update, users.inside, family["child"], **data)
    assert errors[field] == [message]


def test_service_refuses_wrong_parents(users, family):
    child, head, wife = family["child"], family["head"], family["wife"]
    assert refused(person_update, users.inside, child, father=child)["father"] == [FATHER_SELF]
    assert refused(person_update, users.inside, child, father=wife)["father"] == [FATHER_SEX]
    assert refused(person_update, users.inside, child, mother=head)["mother"] == [MOTHER_SEX]
    assert refused(person_update, users.inside, head, father=child)["father"] == [FATHER_YOUNGER]
    child.refresh_from_db()
    assert child.father_id is None and child.mother_id is None and child.version == 1


def test_service_refuses_a_parent_outside_the_scope(users, records, family):
    errors = refused(person_update, users.inside, family["child"], father=records.px)
    assert errors["father"] == [OUT_OF_SCOPE]


def test_service_links_parents_across_households(users, records, family):
    # A township user sees both villages: the father may live in another household.
    child = person_update(users.above, family["child"], father=records.pw, mother=family["wife"])
    assert child.father_id == records.pw.pk and child.mother_id == family["wife"].pk
    # The village user keeps the link although the father lies outside their scope.
    assert person_update(users.inside, child, school="鱼塘小学").father_id == records.pw.pk


def test_service_refuses_a_head_without_id_or_reason(users, records):
    head = Person.objects.get(pk=records.pv.pk)
    assert refused(person_update, users.inside, head, id_number="")["no_id_reason"] == [HEAD_ID]
    saved = person_update(users.inside, head, id_number="", no_id_reason="2")
    assert saved.id_number is None and saved.no_id_reason == "2"
    assert refused(person_update, users.inside, saved, sex="9")["sex"] == [HEAD_SEX]


def test_service_refuses_to_promote_a_head_without_id(users, records, family):
    wife = family["wife"]
    Person.objects.filter(pk=wife.pk).update(id_number=None)
    wife.refresh_from_db()
    errors = refused(
        services.person_move,
        actor=users.above,
        person=family["head"],
        to_household=records.hw,
        relation="20",
        reason="投靠子女",
        new_head=wife,
    )
    assert HEAD_ID in errors["new_head"][0]
    assert Person.objects.get(pk=family["head"].pk).household_id == records.hv.pk


# ------------------------------------------------------------------------------------------ forms


def form_data(client, path: str) -> dict[str, Any]:
    """What the page's form would post back unchanged."""
    response = client.get(path)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    for form in (response.context["form"], response.context.get("head")):
        if form is None:
            continue
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def test_person_form_refuses_wrong_parents(login, users, family):
    client = login(users.inside)
    path = reverse("registry:person_edit", args=[family["child"].pk])
    data = form_data(client, path)
    response = client.post(path, {**data, "father": family["wife"].pk, "mother": family["head"].pk})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["father"] == [FATHER_SEX] and errors["mother"] == [MOTHER_SEX]
    family["child"].refresh_from_db()
    assert family["child"].father_id is None and family["child"].version == 1


def test_person_form_offers_household_members_and_refuses_others(login, users, records, family):
    client = login(users.inside)
    path = reverse("registry:person_edit", args=[family["child"].pk])
    form = client.get(path).context["form"]
    assert [pk for pk, _label in form.fields["father"].widget.choices] == ["", family["head"].pk]
    assert [pk for pk, _label in form.fields["mother"].widget.choices] == ["", family["wife"].pk]
    response = client.post(path, {**form_data(client, path), "father": records.px.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["father"] == [FORM_PARENT]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"guardian_phone": "12345"}, "guardian_phone", PHONE),
        ({"registered_area": "5206"}, "registered_area", AREA_CODE),
    ],
)
def test_person_form_refuses_formats(login, users, family, data, field, message):
    client = login(users.inside)
    path = reverse("registry:person_edit", args=[family["child"].pk])
    response = client.post(path, {**form_data(client, path), **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Person.objects.get(pk=family["child"].pk).version == 1


def test_person_form_saves_parents(login, users, family):
    client = login(users.inside)
    path = reverse("registry:person_edit", args=[family["child"].pk])
    data = {**form_data(client, path), "father": family["head"].pk, "mother": family["wife"].pk}
    response = client.post(path, {**data, "school_stage": "30", "self_care": "1"})
    assert response.status_code == 302
    child = Person.objects.get(pk=family["child"].pk)
    assert (child.father_id, child.mother_id, child.school_stage) == (
        family["head"].pk,
        family["wife"].pk,
        "30",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"monitoring_start": "2024-05-01", "risk_cleared_on": "2024-04-01"}, "risk_cleared_on", RISK_ORDER),
        ({"relocated": "on", "resettlement_site": ""}, "resettlement_site", NO_SITE),
    ],
)
def test_household_form_refuses_rules(login, users, records, data, field, message):
    client = login(users.inside)
    path = reverse("registry:household_edit", args=[records.hv.pk])
    response = client.post(path, {**form_data(client, path), **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Household.objects.get(pk=records.hv.pk).version == 1


def test_new_household_form_refuses_a_head_without_id_or_reason(login, users, tree):
    client = login(users.inside)
    path = reverse("registry:household_create")
    data = {
        **form_data(client, path),
        "area": tree.v1.pk,
        "address": "鱼塘村一组9号",
        "head-name": "龙无证",
        "head-sex": "1",
        "head-birth_date": "1980-01-02",
    }
    before = Household.objects.count()
    response = client.post(path, data)
    assert response.status_code == 200
    assert response.context["head"].errors["no_id_reason"] == [HEAD_ID]
    assert Household.objects.count() == before
    response = client.post(path, {**data, "head-no_id_reason": "1"})
    assert response.status_code == 302, response.context["head"].errors
    assert Person.objects.get(name="龙无证").no_id_reason == "1"


# ------------------------------------------------------------------------------------------ API


def test_api_refuses_person_rules(as_user, records, family):
    client = as_user("inside")
    child = family["child"]
    cases = [
        ({"father": family["wife"].pk}, "father", FATHER_SEX),
        ({"mother": family["head"].pk}, "mother", MOTHER_SEX),
        ({"guardian_phone": "12345"}, "guardian_phone", PHONE),
        ({"current_area": "abc"}, "current_area", AREA_CODE),
    ]
    for data, field, message in cases:
        response = client.patch(url("person", child.pk), {**data, "version": 1}, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["errors"][field] == [message]
    outside = client.patch(url("person", child.pk), {"father": records.px.pk, "version": 1}, format="json")
    assert outside.status_code == 400
    assert "不在您的管辖范围内" in outside.json()["errors"]["father"][0]
    assert Person.objects.get(pk=child.pk).version == 1


def test_api_refuses_household_rules(as_user, records):
    client = as_user("inside")
    cases = [
        ({"monitoring_start": "2024-05-01", "risk_cleared_on": "2024-01-01"}, "risk_cleared_on", RISK_ORDER),
        ({"relocated": True}, "resettlement_site", NO_SITE),
    ]
    for data, field, message in cases:
        response = client.patch(url("household", records.hv.pk), {**data, "version": 1}, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["errors"][field] == [message]
    bad = client.patch(url("household", records.hv.pk), {"risk_types": ["zz"], "version": 1}, format="json")
    assert bad.status_code == 400 and "risk_types" in bad.json()["errors"]


def test_api_refuses_a_head_without_id_or_reason(as_user, tree):
    payload = household_payload(tree)
    payload["head"] = {**payload["head"], "id_number": ""}
    response = as_user("inside").post(url("household"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["head"]["no_id_reason"] == [HEAD_ID]
    payload["head"]["no_id_reason"] = "1"
    assert as_user("inside").post(url("household"), payload, format="json").status_code == 201


def test_api_writes_and_reads_the_new_fields_masked(as_user, family):
    client = as_user("inside")
    child = family["child"]
    data = {
        "father": family["head"].pk,
        "mother": family["wife"].pk,
        "guardian_name": "龙在内",
        "guardian_phone": "13912345678",
        "school_stage": "20",
        "orphan": False,
        "version": 1,
    }
    response = client.patch(url("person", child.pk), data, format="json")
    assert response.status_code == 200, response.content
    body = client.get(url("person", child.pk)).json()
    assert body["father"] == family["head"].pk and body["school_stage"] == "20"
    assert body["guardian_phone"] == "139****5678"


# ------------------------------------------------------------------------------------------ history, pages, export


def test_history_names_fields_and_codes_in_chinese(users, records, family):
    person_update(
        users.inside, family["child"], father=family["head"], school_stage="30", serious_illness=True
    )
    household_update(
        users.inside,
        records.hv,
        risk_types=["01", "03"],
        road_access="2",
        relocated=True,
        resettlement_site="思源社区",
    )
    person_event = AuditEvent.objects.filter(
        target_id=str(family["child"].pk), verb="registry.person.updated"
    ).get()
    assert person_event.changes["父亲"] == ["", "龙在内"]
    assert person_event.changes["学段"] == ["", "初中"]
    assert person_event.changes["大病"] == ["否", "是"]
    household_event = AuditEvent.objects.filter(
        target_id=str(records.hv.pk), verb="registry.household.updated"
    ).get()
    assert household_event.changes["风险类型(多选)"] == ["", "因病、因残"]
    assert household_event.changes["入户路类型"] == ["", "砂石路"]
    assert household_event.changes["易地扶贫搬迁户"] == ["否", "是"]


def test_pages_show_the_new_fields(login, users, records, family):
    person_update(users.inside, family["child"], father=family["head"], guardian_phone="13912345678")
    household_update(users.inside, records.hv, risk_types=["02"], cooking_fuel="4")
    client = login(users.inside)
    page = client.get(reverse("registry:person", args=[family["child"].pk])).content.decode()
    link = f'data-testid="father"><a href="{family["head"].get_absolute_url()}">龙在内</a>'
    assert link in page
    assert "139****5678" in page and "13912345678" not in page
    assert "监护人联系电话" in page
    page = client.get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert "因学" in page and "生活条件" in page and ">电<" in page


def test_export_has_the_new_columns(users, records, family):
    child = person_update(
        users.inside,
        family["child"],
        father=family["head"],
        guardian_phone="13912345678",
        serious_illness=True,
    )
    sheet = SHEETS["persons"]
    headers = sheet.headers()
    for header in (
        "学段",
        "父亲",
        "母亲",
        "监护人联系电话",
        "孤儿",
        "事实无人抚养儿童",
        "大病",
        "现住地区划代码",
    ):
        assert header in headers, header
    row = dict(
        zip(headers, sheet.row(1, child, Context(mask=True, today=datetime.date(2026, 1, 1))), strict=True)
    )
    assert row["父亲"] == "龙在内" and row["监护人联系电话"] == "139****5678" and row["大病"] == "是"
    hidden = Context(mask=True, today=datetime.date(2026, 1, 1), hidden=frozenset({"health"}))
    assert dict(zip(headers, sheet.row(1, child, hidden), strict=True))["大病"] == "（无权查看）"
    households = SHEETS["households"]
    household = household_update(users.inside, records.hv, risk_types=["01", "02"], road_access="1")
    cells = dict(
        zip(
            households.headers(),
            households.row(1, household, Context(mask=True, today=datetime.date(2026, 1, 1))),
            strict=True,
        )
    )
    assert (
        cells["风险类型"] == "因病、因学" and cells["入户路类型"] == "硬化路" and cells["通生活用电"] == "是"
    )


def test_guardian_phone_is_revealed_only_through_the_audited_reveal(login, users, family):
    person_update(users.inside, family["child"], guardian_phone="13912345678")
    page = reverse(
        "registry:reveal", kwargs={"model": "person", "pk": family["child"].pk, "field": "guardian_phone"}
    )
    response = login(users.inside).post(page)
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    events = AuditEvent.objects.filter(verb="sensitive.revealed", target_id=str(family["child"].pk))
    assert events.count() == 1
    history = AuditEvent.objects.get(verb="registry.person.updated", target_id=str(family["child"].pk))
    assert history.changes["监护人联系电话"] == ["", "139****5678"]

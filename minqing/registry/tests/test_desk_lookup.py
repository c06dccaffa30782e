"""The service desk finds callers: the lookup page, the basic household card, the caller API, the audit."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.core.idnumber import mask_id_number
from minqing.core.models import AuditEvent
from minqing.registry.lookup import LOOKUP_VERB, LookupRefused, parse_term
from minqing.registry.tests.factories import PersonFactory

PHONE = "13800001111"  # the phone of V's household and its head (conftest ``records``)
LOOKUP = reverse("registry:lookup")
API = "/api/v1/lookup/"


def results(response) -> str:
    """The results part of a page (the box echoes what the operator typed)."""
    body = response.content.decode()
    start = body.index('data-testid="lookup-results"')
    return body[start : body.index("<footer", start)]


@pytest.fixture
def desk(login, users):
    return login(users.desk)


def test_desk_finds_a_caller_by_phone(desk, records):
    response = desk.get(LOOKUP, {"q": PHONE})
    assert response.status_code == 200
    found = results(response)
    assert "龙在内" in found
    assert "138****1111" in found
    assert PHONE not in found
    assert records.pv.id_number not in response.content.decode()
    assert mask_id_number(records.pv.id_number) not in response.content.decode()
    assert reverse("registry:household_card", args=[records.hv.pk]) in found


def test_phone_typed_with_spaces_and_country_code(desk, records):
    response = desk.get(LOOKUP, {"q": "+86 138 0000 1111"})
    assert "龙在内" in results(response)


def test_desk_finds_a_caller_by_id_number(desk, records):
    response = desk.get(LOOKUP, {"q": records.pv.id_number})
    assert response.status_code == 200
    found = results(response)
    assert "龙在内" in found
    assert records.pv.id_number not in found


def test_desk_finds_a_caller_by_name_and_village(desk, records):
    response = desk.get(LOOKUP, {"q": "龙在", "village": "鱼塘"})
    assert response.status_code == 200
    assert "龙在内" in results(response)
    assert "杨在邻" not in results(response)


def test_a_name_alone_is_refused_county_wide(desk, records):
    response = desk.get(LOOKUP, {"q": "龙在"})
    assert response.status_code == 200
    assert "按姓名查找时请同时填写村（社区）名称。" in results(response)
    assert "龙在内" not in results(response)


@pytest.mark.parametrize(
    ("q", "village", "message"),
    [
        ("12345", "", "号码有误"),
        ("1380000111", "", "号码有误"),
        ("8123456", "", "固定电话请带区号输入"),
        ("龙", "鱼塘", "至少输入两个字"),
        ("龙在", "火星", "没有找到名称含“火星”的村"),
        ("龙在1", "", "号码有误"),
        ("520622197005170000", "", "身份证"),
    ],
)
def test_bad_input_gets_a_chinese_message(desk, records, q, village, message):
    response = desk.get(LOOKUP, {"q": q, "village": village})
    assert response.status_code == 200
    assert message in results(response)
    assert not AuditEvent.objects.filter(verb=LOOKUP_VERB).exists()


def test_parse_term_kinds():
    assert parse_term("138-0000-1111").kind == "phone"
    assert parse_term("0856 1234567").values == ("0856-1234567", "08561234567")  # stored form, legacy digits
    assert parse_term("张三").kind == "name"
    assert parse_term("0086 138.0000.1111").values == ("13800001111",)
    with pytest.raises(LookupRefused):
        parse_term("   ")


def test_every_phone_and_id_lookup_is_audited_masked(desk, users, records):
    desk.get(LOOKUP, {"q": PHONE})
    desk.get(LOOKUP, {"q": records.pv.id_number})
    events = list(AuditEvent.objects.filter(verb=LOOKUP_VERB, actor=users.desk).order_by("id"))
    assert [e.changes["查询内容"] for e in events] == ["138****1111", mask_id_number(records.pv.id_number)]
    assert events[0].changes["结果数"] == 1
    stored = json.dumps([[e.changes, e.target_label] for e in events], ensure_ascii=False)
    assert PHONE not in stored
    assert records.pv.id_number not in stored


def test_desk_cannot_open_the_full_file_but_opens_the_card(desk, records):
    assert desk.get(reverse("registry:household", args=[records.hv.pk])).status_code == 404
    response = desk.get(reverse("registry:household_card", args=[records.hv.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "龙在内" in body and "138****1111" in body and records.hv.number in body
    assert PHONE not in body
    assert records.pv.id_number not in body and mask_id_number(records.pv.id_number) not in body
    assert "户主" in body  # the member's relation
    assert "查看完整档案" not in body


def test_desk_outside_its_area_gets_404(client, tree, records):
    desk_t = assign(UserFactory(username="desk-t"), Role.SERVICE_DESK, tree.t)
    client.force_login(desk_t)
    assert client.get(reverse("registry:household_card", args=[records.hx.pk])).status_code == 404
    assert client.get(reverse("registry:household_card", args=[records.hv.pk])).status_code == 200
    # Not found by phone either: X's household is outside T.
    far = PersonFactory(household=records.hx, name="吴远亲", phone="13700007777", relation="20")
    assert "吴远亲" not in results(client.get(LOOKUP, {"q": far.phone}))


def test_a_viewer_keeps_the_full_file_and_sees_the_card_link(login, users, records):
    client = login(users.inside)
    assert client.get(reverse("registry:household", args=[records.hv.pk])).status_code == 200
    card = client.get(reverse("registry:household_card", args=[records.hv.pk]))
    assert card.status_code == 200
    assert "查看完整档案" in card.content.decode()


def test_roles_without_lookup_are_refused_the_page(login, users):
    assert login(users.health).get(LOOKUP, {"q": PHONE}).status_code == 403
    assert login(users.nobody).get(LOOKUP).status_code == 403


def test_results_are_paged(desk, tree, records):
    from minqing.registry.tests.factories import HouseholdFactory

    for n in range(25):
        PersonFactory(household=HouseholdFactory(area=tree.v1, head_name=f"龙甲{n}"), name=f"龙甲{n}")
    first = desk.get(LOOKUP, {"q": "龙甲", "village": "鱼塘"})
    assert results(first).count('data-testid="lookup-hit"') == 20
    assert 'rel="next"' in results(first)


# ------------------------------------------------------------------------------------------- API


def test_api_lookup_for_desk(as_user, records):
    response = as_user("desk").get(API, {"q": PHONE})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["number"] for r in rows] == [records.hv.number]
    row = rows[0]
    assert row["phone_masked"] == "138****1111"
    assert row["members"][0]["name"] == "龙在内"
    assert row["members"][0]["phone_masked"] == "138****1111"
    assert "id_number" not in json.dumps(row)
    assert records.pv.id_number not in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(verb=LOOKUP_VERB, changes__查询内容="138****1111").exists()


def test_api_caller_by_phone(as_user, records):
    response = as_user("desk").get(f"/api/v1/callers/{PHONE}/")
    assert response.status_code == 200
    assert response.json()["results"][0]["head_name"] == "龙在内"
    refused = as_user("desk").get("/api/v1/callers/龙在内/")
    assert refused.status_code == 400


def test_api_lookup_refuses_roles_without_lookup(as_user, records):
    assert as_user("health").get(API, {"q": PHONE}).status_code == 403
    assert as_user("nobody").get(API, {"q": PHONE}).status_code == 403


def test_api_lookup_bad_input_is_400_in_chinese(as_user, records):
    response = as_user("desk").get(API, {"q": "12345"})
    assert response.status_code == 400
    assert "号码有误" in response.json()["errors"]["q"][0]


def test_api_lookup_anonymous_is_401(api, db):
    assert api.get(API, {"q": PHONE}).status_code == 401


def test_lookup_is_in_the_schema(login, users):
    schema = login(users.desk).get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/lookup/" in schema
    assert "/api/v1/callers/{phone}/" in schema


def test_api_lookup_stays_in_the_lookup_scope(as_user, records):
    response = as_user("neighbour").get(API, {"q": PHONE})
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert as_user("neighbour").get(f"/api/v1/callers/{PHONE}/").json()["results"] == []


def test_the_card_hides_a_minors_phone_from_the_desk(desk, records):
    child = PersonFactory(
        household=records.hv,
        relation="30",
        name="龙小妹",
        birth_date=datetime.date.today().replace(year=2020),
        phone="13900002222",
    )
    page = desk.get(reverse("registry:household_card", args=[records.hv.pk])).content.decode()
    assert child.name in page
    assert "139****2222" not in page  # the desk has no `minors` right (core.restricted)
    assert "138****1111" in page  # an adult's masked phone stays
    api = desk.get(API, {"q": PHONE}).json()
    phones = {m["name"]: m["phone_masked"] for h in api["results"] for m in h["members"]}
    assert phones["龙小妹"] == "" and phones["龙在内"] == "138****1111"


def test_the_desk_menu_offers_the_lookup_not_lists_it_cannot_read(desk, login, users):
    page = desk.get(LOOKUP).content.decode()
    assert reverse("registry:lookup") in page and "来电查询" in page
    assert reverse("registry:household_list") not in page
    viewer = login(users.inside).get(LOOKUP).content.decode()
    assert reverse("registry:household_list") in viewer

"""House and place pages: scoping, create/edit through the services, errors, escaping, conflicts, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from minqing.core.models import AuditEvent
from minqing.registry import services
from minqing.registry.models import House, Place

pytestmark = pytest.mark.django_db


def make_house(area, grid=None, **fields) -> House:
    values = {"address": "鱼塘村一组8号", "safety_grade": "A", **fields}
    return House.objects.create(
        area=area, area_path=area.code, grid=grid, grid_path=grid.code if grid else "", **values
    )


def make_place(area, grid=None, **fields) -> Place:
    values = {"name": "鱼塘村小卖部", "place_type": "shop", "address": "鱼塘村一组2号", **fields}
    return Place.objects.create(
        area=area, area_path=area.code, grid=grid, grid_path=grid.code if grid else "", **values
    )


def house_post(tree, **overrides) -> dict:
    data = {
        "area": tree.v1.pk,
        "grid": tree.vg1.pk,
        "address": "鱼塘村一组新建9号",
        "structure": "2",
        "floor_area": "120.5",
        "build_year": "2010",
        "safety_grade": "A",
        "use": "01",
        "tenant": "",
    }
    return {**data, **overrides}


def place_post(tree, **overrides) -> dict:
    data = {
        "area": tree.v1.pk,
        "grid": "",
        "name": "鱼塘村卫生室",
        "place_type": "clinic",
        "address": "鱼塘村二组1号",
        "responsible_person": "龙医生",
        "phone": "13900001234",
        "hazard_type": "00",
        "hazard_note": "",
    }
    return {**data, **overrides}


# ------------------------------------------------------------------------------------------- scoping


def test_house_list_is_scoped(client, users, tree):
    make_house(tree.v1, tree.vg1, address="鱼塘村内房屋")
    make_house(tree.w1, address="邻家村房屋")
    client.force_login(users.neighbour)
    body = client.get(reverse("registry:house_list")).content.decode()
    assert "邻家村房屋" in body
    assert "鱼塘村内房屋" not in body
    client.force_login(users.inside)
    body = client.get(reverse("registry:house_list")).content.decode()
    assert "鱼塘村内房屋" in body
    assert "邻家村房屋" not in body
    assert reverse("registry:house_create") in body  # 新增 for a user who may change


def test_place_list_is_scoped_and_filtered(client, users, tree):
    make_place(tree.v1, name="鱼塘村小卖部")
    make_place(tree.v2, name="鱼塘村加工点", place_type="workshop", hazard_type="01")
    make_place(tree.w1, name="邻家村小卖部")
    client.force_login(users.neighbour)
    body = client.get(reverse("registry:place_list")).content.decode()
    assert "邻家村小卖部" in body
    assert "鱼塘村小卖部" not in body and "鱼塘村加工点" not in body
    client.force_login(users.inside)
    body = client.get(reverse("registry:place_list"), {"has_hazard": "true"}).content.decode()
    assert "鱼塘村加工点" in body and "鱼塘村小卖部" not in body


def test_list_htmx_renders_only_rows(client, users, tree):
    make_house(tree.v1, address="危房一处", safety_grade="D")
    make_house(tree.v1, address="好房一处", safety_grade="A")
    client.force_login(users.inside)
    response = client.get(reverse("registry:house_list"), {"dangerous": "true"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "危房一处" in body and "好房一处" not in body
    assert "HX-Request" in response["Vary"]


def test_read_only_user_sees_no_add_button(client, users, tree):
    make_house(tree.v1)
    client.force_login(users.county)
    body = client.get(reverse("registry:house_list")).content.decode()
    assert "鱼塘村一组8号" in body
    assert reverse("registry:house_create") not in body


def test_detail_scoping(client, users, tree):
    house = make_house(tree.v1, tree.vg1, safety_grade="C")
    place = make_place(tree.v1, phone="13900005678", hazard_type="01")
    for url in (reverse("registry:house", args=[house.pk]), reverse("registry:place", args=[place.pk])):
        client.force_login(users.neighbour)
        assert client.get(url).status_code == 404
        client.force_login(users.nobody)
        assert client.get(url).status_code == 404
        client.force_login(users.above)
        assert client.get(url).status_code == 200
    client.force_login(users.inside)
    body = client.get(reverse("registry:house", args=[house.pk])).content.decode()
    assert "危房" in body and "局部危险" in body
    assert reverse("registry:house_edit", args=[house.pk]) in body
    body = client.get(reverse("registry:place", args=[place.pk])).content.decode()
    assert "火灾隐患" in body
    assert "13900005678" not in body  # masked, with a reveal button for a cadre who may reveal
    assert reverse("registry:reveal", args=["place", place.pk, "phone"]) in body


def test_county_leader_reads_but_cannot_reveal_or_edit(client, users, tree):
    house = make_house(tree.v1)
    place = make_place(tree.v1, phone="13900005678")
    client.force_login(users.county)
    body = client.get(reverse("registry:place", args=[place.pk])).content.decode()
    assert reverse("registry:reveal", args=["place", place.pk, "phone"]) not in body
    assert reverse("registry:place_edit", args=[place.pk]) not in body
    assert client.get(reverse("registry:house_edit", args=[house.pk])).status_code == 403
    assert client.get(reverse("registry:place_edit", args=[place.pk])).status_code == 403
    client.force_login(users.neighbour)
    assert client.get(reverse("registry:house_edit", args=[house.pk])).status_code == 404
    assert client.get(reverse("registry:place_edit", args=[place.pk])).status_code == 404


# -------------------------------------------------------------------------------------------- create


def test_create_house(client, users, tree):
    client.force_login(users.inside)
    assert client.get(reverse("registry:house_create")).status_code == 200
    response = client.post(reverse("registry:house_create"), house_post(tree))
    house = House.objects.get(address="鱼塘村一组新建9号")
    assert response.status_code == 302
    assert response["Location"] == house.get_absolute_url()
    assert house.area_path == tree.v1.code
    assert house.grid_path == tree.vg1.code
    assert AuditEvent.objects.filter(
        verb="registry.house.created", target_type="registry.house", target_id=str(house.pk)
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "已保存" in page


def test_create_house_for_a_household(client, users, tree, records):
    client.force_login(users.inside)
    url = reverse("registry:house_create") + f"?household={records.hv.pk}"
    assert records.hv.number in client.get(url).content.decode()
    response = client.post(url, house_post(tree, area=tree.v2.pk, grid=""))
    assert response.status_code == 302
    house = House.objects.get(address="鱼塘村一组新建9号")
    assert house.household == records.hv
    assert house.area_path == records.hv.area_path  # the household's area, not the posted one
    detail = client.get(house.get_absolute_url()).content.decode()
    assert records.hv.get_absolute_url() in detail
    client.force_login(users.neighbour)
    assert client.get(url).status_code == 404


def test_create_place(client, users, tree):
    client.force_login(users.inside)
    response = client.post(reverse("registry:place_create"), place_post(tree))
    place = Place.objects.get(name="鱼塘村卫生室")
    assert response.status_code == 302
    assert response["Location"] == place.get_absolute_url()
    assert place.area_path == tree.v1.code
    assert AuditEvent.objects.filter(verb="registry.place.created", target_id=str(place.pk)).exists()


def test_create_outside_scope_area_is_refused(client, users, tree):
    client.force_login(users.inside)
    response = client.post(reverse("registry:house_create"), house_post(tree, area=tree.w1.pk, grid=""))
    assert response.status_code == 200
    assert not House.objects.exists()
    assert "is-invalid" in response.content.decode()


def test_invalid_floor_area_shows_chinese_error(client, users, tree):
    client.force_login(users.inside)
    response = client.post(reverse("registry:house_create"), house_post(tree, floor_area="-5"))
    assert response.status_code == 200
    assert not House.objects.exists()
    assert not AuditEvent.objects.filter(verb="registry.house.created").exists()
    errors = [message for messages in response.context["form"].errors.values() for message in messages]
    assert errors
    body = response.content.decode()
    for message in errors:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
        assert escape(message) in body
    assert 'value="-5"' in body  # the user's input is kept for correction


def test_required_field_error_is_beside_the_field(client, users, tree):
    client.force_login(users.inside)
    response = client.post(reverse("registry:place_create"), place_post(tree, name=""))
    assert response.status_code == 200
    assert not Place.objects.exists()
    body = response.content.decode()
    assert 'class="form-control is-invalid"' in body
    assert 'class="invalid-feedback" id="id_name_error"' in body
    assert "该字段是必填项" in body


def test_hostile_address_is_escaped(client, users, tree):
    house = make_house(tree.v1, address="<script>alert(1)</script>")
    place = make_place(tree.v1, name="<script>alert(1)</script>", hazard_note="<b>x</b>")
    services.house_update(
        actor=users.inside, house=house, data={"tenant": "<img src=x onerror=alert(1)>"}, version=1
    )
    client.force_login(users.inside)
    for url in (
        reverse("registry:house", args=[house.pk]),
        reverse("registry:place", args=[place.pk]),
        reverse("registry:house_list"),
        reverse("registry:place_list"),
        reverse("registry:house_edit", args=[house.pk]),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body, url
        assert "<img src=x" not in body, url
    body = client.get(reverse("registry:house", args=[house.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_county_leader_cannot_create(client, users, tree):
    client.force_login(users.county)
    assert client.get(reverse("registry:house_create")).status_code == 403
    assert client.post(reverse("registry:house_create"), house_post(tree)).status_code == 403
    assert client.post(reverse("registry:place_create"), place_post(tree)).status_code == 403
    assert not House.objects.exists() and not Place.objects.exists()


# ---------------------------------------------------------------------------------------------- edit


def test_edit_house_and_history(client, users, tree):
    house = make_house(tree.v1, tree.vg1)
    client.force_login(users.inside)
    url = reverse("registry:house_edit", args=[house.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, house_post(tree, address="鱼塘村一组8号之一", safety_grade="D", version=1))
    assert response.status_code == 302
    house.refresh_from_db()
    assert (house.address, house.safety_grade, house.version) == ("鱼塘村一组8号之一", "D", 2)
    body = client.get(house.get_absolute_url()).content.decode()
    assert "已保存" in body
    assert "鱼塘村一组8号 → 鱼塘村一组8号之一" in body.replace("</span>", "")
    assert "整体危险" in body


def test_stale_version_shows_conflict_and_does_not_overwrite(client, users, tree):
    house = make_house(tree.v1, tree.vg1, address="原地址")
    services.house_update(actor=users.above, house=house, data={"address": "乡镇改的地址"}, version=1)
    client.force_login(users.inside)
    url = reverse("registry:house_edit", args=[house.pk])
    response = client.post(url, house_post(tree, address="村里改的地址", version=1))
    assert response.status_code == 200
    body = response.content.decode()
    assert "修改了这条记录" in body
    assert "原地址" in body and "乡镇改的地址" in body  # what the other user changed
    form = response.context["form"]
    assert form["address"].value() == "乡镇改的地址"
    assert form["version"].value() == 2
    house.refresh_from_db()
    assert house.address == "乡镇改的地址"


def test_stale_version_on_place(client, users, tree):
    place = make_place(tree.v1)
    services.place_update(actor=users.above, place=place, data={"hazard_type": "01"}, version=1)
    client.force_login(users.inside)
    response = client.post(reverse("registry:place_edit", args=[place.pk]), place_post(tree, version=1))
    assert response.status_code == 200
    assert "修改了这条记录" in response.content.decode()
    place.refresh_from_db()
    assert place.name == "鱼塘村小卖部" and place.hazard_type == "01"


# ---------------------------------------------------------------------------------------- query count


LISTS = [("registry:house_list", make_house), ("registry:place_list", make_place)]


@pytest.mark.parametrize(("name", "make"), LISTS)
def test_list_query_count_does_not_grow(
    client, users, tree, records, django_assert_max_num_queries, name, make
):
    def count() -> int:
        with django_assert_max_num_queries(12) as context:
            assert client.get(reverse(name)).status_code == 200
        return len(context.captured_queries)

    # Houses link their household, and the rows show it: that must not cost a query per row.
    extra = {"household": records.hv} if make is make_house else {}
    client.force_login(users.inside)
    client.get(reverse(name))  # the first request after login saves the session (core.sessions)
    for i in range(5):
        make(tree.v1, tree.vg1, address=f"一组{i}号", **extra)
    few = count()
    for i in range(5, 30):
        make(tree.v2, tree.vg2, address=f"二组{i}号", **extra)
    assert count() == few

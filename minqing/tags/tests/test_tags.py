"""Tag rules, set-wise and incremental materialisation, manual tags, custom conditions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from minqing.registry import services as registry
from minqing.registry.models import Household
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory
from minqing.tags import services
from minqing.tags.models import HouseholdTag, PersonTag, Tag
from minqing.tags.rules import SPECS, born_before

TODAY = datetime.date(2026, 11, 22)


def years_ago(years: int, days: int = 0) -> datetime.date:
    return born_before(TODAY, years) - datetime.timedelta(days=days)


@pytest.fixture
def catalog(db):
    services.sync_catalog()
    return {t.code: t for t in Tag.objects.all()}


def tagged(code: str) -> set[str]:
    return set(PersonTag.objects.filter(tag__code=code).values_list("person__name", flat=True))


def household_tagged(code: str) -> set[str]:
    return set(HouseholdTag.objects.filter(tag__code=code).values_list("household__number", flat=True))


def test_catalog_has_over_100_tags_and_is_idempotent(catalog):
    assert len(SPECS) >= 100 and Tag.objects.count() == len(SPECS)
    assert services.sync_catalog() == 0
    assert Tag.objects.filter(kind="manual").exists() and Tag.objects.filter(kind="derived").count() > 80
    for code in [
        "elderly",
        "oldest-old",
        "living-alone",
        "empty-nest",
        "left-behind-child",
        "left-behind-elderly",
        "left-behind-woman",
        "child-hardship",
        "disabled",
        "dibao",
        "tekun",
        "alleviated",
        "monitored",
        "dangerous-house",
        "water-difficulty",
        "migrant-worker",
        "inflow",
        "able-unemployed",
        "veteran",
        "party-member",
        "chronic",
        "severe-disability",
        "newborn",
        "school-starter",
        "student",
    ]:
        assert catalog[code].kind == "derived", code
    for code in ["petitioner", "dispute-party", "rich-leader"]:
        assert catalog[code].kind == "manual", code


def family(tree, *, parents_away=True, grandma_age=70):
    household = HouseholdFactory(area=tree.v1, grid=tree.vg1)
    status = "20" if parents_away else "10"
    PersonFactory(
        household=household, name="父亲", relation="02", birth_date=years_ago(38), residence_status=status
    )
    PersonFactory(
        household=household,
        name="母亲",
        relation="12",
        sex="2",
        birth_date=years_ago(36),
        residence_status=status,
        marital_status="20",
    )
    PersonFactory(household=household, name="孩子", relation="20", birth_date=years_ago(9))
    PersonFactory(household=household, name="奶奶", relation="52", sex="2", birth_date=years_ago(grandma_age))
    return household


def test_left_behind_rules(tree, catalog):
    family(tree, parents_away=True)
    services.refresh_all(today=TODAY)
    assert tagged("left-behind-child") == {"孩子"}
    assert tagged("left-behind-elderly") == {"奶奶"}
    assert tagged("migrant-worker") == {"父亲", "母亲"}
    assert tagged("elderly") == {"奶奶"}
    assert "奶奶" not in tagged("living-alone")


def test_parents_at_home_means_not_left_behind(tree, catalog):
    family(tree, parents_away=False)
    services.refresh_all(today=TODAY)
    assert tagged("left-behind-child") == set() and tagged("left-behind-elderly") == set()


def test_living_alone_and_oldest_old(tree, catalog):
    household = HouseholdFactory(area=tree.v1)
    PersonFactory(household=household, name="独居老人", birth_date=years_ago(83))
    services.refresh_all(today=TODAY)
    assert "独居老人" in tagged("living-alone") & tagged("oldest-old") & tagged("oldest-alone") & tagged(
        "empty-nest"
    )


def test_age_boundaries_follow_the_date(tree, catalog):
    household = HouseholdFactory(area=tree.v1)
    PersonFactory(household=household, name="明天六十", birth_date=years_ago(60) + datetime.timedelta(days=1))
    services.refresh_all(today=TODAY)
    assert tagged("elderly") == set()
    services.refresh_all(today=TODAY + datetime.timedelta(days=1))
    assert tagged("elderly") == {"明天六十"}


def test_deceased_people_carry_no_derived_tags(tree, catalog):
    household = HouseholdFactory(area=tree.v1)
    PersonFactory(
        household=household,
        name="已故老人",
        birth_date=years_ago(90),
        deceased=True,
        death_date=datetime.date(2025, 1, 1),
    )
    services.refresh_all(today=TODAY)
    assert tagged("elderly") == set()


def test_household_tags(tree, catalog, records):
    Household.objects.filter(pk=records.hv.pk).update(dibao="rural", water_safe=False)
    services.refresh_all(today=TODAY)
    assert household_tagged("dibao") == {records.hv.number}
    assert household_tagged("water-difficulty") == {records.hv.number}
    assert household_tagged("tekun") == set()


def test_links_copy_area_paths(tree, catalog, records):
    services.refresh_all(today=TODAY)
    link = PersonTag.objects.filter(person=records.pv).first()
    assert (link.area_path, link.grid_path) == (records.pv.area_path, records.pv.grid_path)


def test_writes_keep_tags_current(users, tree, catalog, records):
    services.refresh_all()
    assert records.pv.name not in tagged("veteran")
    registry.person_update(actor=users.inside, person=records.pv, data={"military_service": "1"}, version=1)
    assert records.pv.name in tagged("veteran")
    registry.household_update(actor=users.inside, household=records.hv, data={"dibao": "rural"}, version=1)
    assert records.hv.number in household_tagged("dibao")
    # Moving the household moves its tag links too.
    registry.household_update(actor=users.inside, household=records.hv, data={"area": tree.v2}, version=2)
    assert set(PersonTag.objects.filter(person=records.pv).values_list("area_path", flat=True)) == {
        tree.v2.code
    }


def test_full_refresh_removes_stale_links(tree, catalog, records):
    services.refresh_all(today=TODAY)
    before = PersonTag.objects.count()
    added, removed = services.refresh_tag(catalog["veteran"], today=TODAY)
    assert (added, removed) == (0, 0) and PersonTag.objects.count() == before
    PersonTag.objects.create(tag=catalog["veteran"], person=records.pw, area_path=records.pw.area_path)
    assert services.refresh_tag(catalog["veteran"], today=TODAY) == (0, 1)


def test_manual_tags_are_scoped_and_audited(users, catalog, records):
    services.tag_set(actor=users.inside, tag=catalog["dispute-party"], obj=records.pv)
    assert tagged("dispute-party") == {records.pv.name}
    assert PersonTag.objects.get(tag=catalog["dispute-party"]).set_by == users.inside
    with pytest.raises(Http404):
        services.tag_set(actor=users.neighbour, tag=catalog["dispute-party"], obj=records.pv)
    with pytest.raises(PermissionDenied):
        services.tag_unset(actor=users.county, tag=catalog["dispute-party"], obj=records.pv)
    with pytest.raises(ValidationError, match="自动计算"):
        services.tag_set(actor=users.inside, tag=catalog["elderly"], obj=records.pv)
    with pytest.raises(ValidationError, match="只能用于"):
        services.tag_set(actor=users.inside, tag=catalog["petitioner"], obj=records.pv)
    services.tag_unset(actor=users.inside, tag=catalog["dispute-party"], obj=records.pv)
    assert tagged("dispute-party") == set()


def test_data_admin_adds_a_rule_tag(users, catalog, records):
    tag = services.tag_create(
        actor=users.data_admin,
        data={
            "code": "male-50",
            "name": "五十岁以上男性",
            "category": "demographic",
            "target": "person",
            "conditions": [{"field": "sex", "op": "eq", "value": "1"}, {"op": "age_gte", "value": 50}],
        },
    )
    assert tag.kind == "derived"
    assert tagged("male-50") == {records.pv.name, records.pw.name, records.px.name}


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ([], "至少填写一个条件"),
        ([{"field": "salary", "op": "eq", "value": "1"}], "不能按"),
        ([{"field": "sex", "op": "like", "value": "1"}], "不支持的比较方式"),
        ([{"field": "sex", "op": "eq", "value": "7"}], "不是"),
        ([{"op": "age_gte", "value": 500}], "年龄"),
    ],
)
def test_bad_conditions_are_refused_clearly(users, catalog, conditions, message):
    with pytest.raises(ValidationError, match=message):
        services.tag_create(
            actor=users.data_admin,
            data={
                "code": "bad",
                "name": "坏规则",
                "category": "demographic",
                "target": "person",
                "kind": "derived",
                "conditions": conditions,
            },
        )
    assert not Tag.objects.filter(code="bad").exists()


def test_only_data_admins_add_tags(users, catalog):
    with pytest.raises(PermissionDenied):
        services.tag_create(actor=users.inside, data={"code": "x", "name": "x", "category": "focus"})


def test_catalog_page_and_admin_form(client, users, catalog):
    client.force_login(users.inside)
    body = client.get("/tags/").content.decode()
    assert "留守儿童" in body and "新增标签" not in body
    assert client.get("/tags/new/").status_code == 403
    client.force_login(users.data_admin)
    response = client.post(
        "/tags/new/",
        {
            "code": "bad-json",
            "name": "坏",
            "category": "focus",
            "target": "person",
            "conditions_text": "[{oops",
        },
    )
    assert "不是有效的JSON" in response.content.decode()
    response = client.post(
        "/tags/new/", {"code": "helper", "name": "志愿者", "category": "service", "target": "person"}
    )
    assert response.status_code == 302 and Tag.objects.get(code="helper").kind == "manual"


def test_village_counts_follow_every_change(users, tree, catalog, records):
    from django.db.models import Sum

    from minqing.tags.models import TagCount

    def summed(code):
        return TagCount.objects.filter(tag__code=code).aggregate(n=Sum("count"))["n"] or 0

    services.refresh_all()
    assert (
        summed("veteran") == 0 and summed("elderly") == PersonTag.objects.filter(tag__code="elderly").count()
    )
    registry.person_update(actor=users.inside, person=records.pv, data={"military_service": "1"}, version=1)
    assert summed("veteran") == 1
    assert TagCount.objects.get(tag__code="veteran").village_path == tree.v.code
    services.tag_set(actor=users.inside, tag=catalog["dispute-party"], obj=records.pv)
    assert summed("dispute-party") == 1
    registry.household_update(actor=users.inside, household=records.hv, data={"area": tree.v2}, version=1)
    assert summed("veteran") == 1  # still one, recounted under the same village after the move


def test_moving_a_dangerous_house_retags_both_households(users, tree, catalog, records):
    from minqing.registry.models import House

    other = HouseholdFactory(area=tree.v1, grid=tree.vg1)
    house = House.objects.create(
        household=records.hv,
        area=tree.v1,
        area_path=tree.v1.code,
        grid=tree.vg1,
        grid_path=tree.vg1.code,
        address="一组1号",
        safety_grade="D",
    )
    services.refresh_all()
    assert household_tagged("dangerous-house") == {records.hv.number}
    registry.house_update(actor=users.inside, house=house, data={"household": other}, version=1)
    assert household_tagged("dangerous-house") == {other.number}

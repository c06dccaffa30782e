"""Quota rules: validation with messages that say what to fix, who may set them, and inheritance."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.accounts.roles import Role
from minqing.compliance import periods, services
from minqing.compliance.models import QuotaRule
from minqing.compliance.quotas import rules_around, rules_for_paths
from minqing.core.models import AuditEvent


def save(actor, area, **data):
    return services.rule_save(actor=actor, rule=None, area=area, data=data)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "coverage", "count": 0, "months": 6}, "count", "次数至少为1。"),
        (
            {"kind": "coverage", "count": 1, "months": 5},
            "months",
            "周期须为1、2、3、4、6或12个月（按自然年划分）。",
        ),
        (
            {"kind": "coverage", "count": 1, "months": None},
            "months",
            "周期须为1、2、3、4、6或12个月（按自然年划分）。",
        ),
        ({"kind": "paired", "count": 40}, "count", "结对户每月走访次数不能超过31次。"),
        ({"kind": "cadre", "count": 1, "unit": "week"}, "role", "请选择规则适用的角色。"),
        ({"kind": "cadre", "count": 1, "role": "resident", "unit": "week"}, "role", "请选择规则适用的角色。"),
        ({"kind": "cadre", "count": 1, "role": "grid_worker", "unit": "day"}, "unit", "请选择每周或每月。"),
        (
            {"kind": "cadre", "count": 101, "role": "grid_worker", "unit": "week"},
            "count",
            "次数过多：每周不超过100次，每月不超过400次。",
        ),
        ({"kind": "nonsense", "count": 1}, "kind", "请选择规则类型。"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(users, tree, data, field, message):
    with pytest.raises(ValidationError) as caught:
        save(users.data_admin, tree.t, **data)
    assert message in caught.value.message_dict[field]
    assert not QuotaRule.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="compliance.").exists()


def test_a_rule_on_a_group_is_refused(users, tree):
    with pytest.raises(ValidationError) as caught:
        save(users.data_admin, tree.v1, kind="paired", count=4)
    assert caught.value.message_dict["area"] == ["规则只能设在县、乡镇或村(社区)一级。"]


def test_rule_saved_audited_and_shaped(users, tree):
    rule = save(users.data_admin, tree.t, kind="coverage", count=1, months=6, role="grid_worker", unit="week")
    assert (rule.area_path, rule.months, rule.role, rule.unit) == (
        tree.t.code,
        6,
        "",
        "",
    )  # stray fields dropped
    event = AuditEvent.objects.get(verb="compliance.rule.created")
    assert event.area_path == tree.t.code and event.target_label == "每户每6个月至少走访1次"
    services.rule_save(actor=users.data_admin, rule=rule, area=tree.t, data={"count": 2})
    changed = AuditEvent.objects.get(verb="compliance.rule.updated")
    assert changed.changes == {"count": [1, 2]}


def test_duplicate_rule_is_refused(users, tree):
    save(users.data_admin, tree.t, kind="paired", count=4)
    with pytest.raises(ValidationError) as caught:
        save(users.data_admin, tree.t, kind="paired", count=5)
    assert "该区域已有同类规则，请直接修改原规则。" in caught.value.messages


def test_who_may_set_rules(users, tree):
    save(users.inside, tree.v, kind="paired", count=4)  # a village cadre holds "assist" in V
    save(users.above, tree.t, kind="paired", count=3)  # township staff: assist in T
    for actor, area in (
        (users.neighbour, tree.v),  # a sibling village
        (users.inside, tree.t),  # above their village
        (users.supervisor, tree.county),  # read-only
        (users.county, tree.county),  # county leaders read
        (users.nobody, tree.v),
    ):
        with pytest.raises(PermissionDenied):
            save(actor, area, kind="coverage", count=1, months=6)
    rule = QuotaRule.objects.get(area=tree.v)
    with pytest.raises(PermissionDenied):
        services.rule_delete(actor=users.neighbour, rule=rule)
    services.rule_delete(actor=users.inside, rule=rule)
    assert AuditEvent.objects.filter(verb="compliance.rule.deleted").count() == 1


def test_inheritance_nearest_rule_wins_and_disabled_lifts_it(users, tree):
    county = save(users.admin, tree.county, kind="coverage", count=1, months=6)
    save(users.admin, tree.w, kind="coverage", count=2, months=3)
    save(users.admin, tree.x, kind="coverage", count=1, months=6, enabled=False)
    rules = rules_around(tree.t.code)
    assert rules.effective("coverage", tree.v.code) == county  # inherited from the county
    assert rules.effective("coverage", tree.v1.code) == county
    assert rules.effective("coverage", tree.w1.code).months == 3  # W's own
    assert rules_for_paths([tree.x1.code]).effective("coverage", tree.x1.code) is None  # lifted in X
    assert rules.effective("paired", tree.v.code) is None
    save(users.admin, tree.t, kind="cadre", count=30, role=Role.VILLAGE_CADRE, unit="month")
    rules = rules_for_paths([tree.v.code])
    assert rules.effective("cadre", tree.v.code, Role.VILLAGE_CADRE).count == 30
    assert rules.effective("cadre", tree.v.code, Role.GRID_WORKER) is None


def test_periods_parse_and_tile_the_year():
    import datetime

    day = datetime.date(2026, 8, 15)
    assert periods.containing(day, 6).key == "2026-H2"
    assert periods.containing(day, 3).key == "2026-Q3"
    assert periods.containing(day, 1).key == "2026-08"
    assert periods.containing(day, 12).key == "2026"
    assert periods.containing(day, 4).key == "2026-S2"
    assert periods.containing(day, 2).key == "2026-T4"
    for key in ("2026-H2", "2026-Q3", "2026-08", "2026", "2026-S2", "2026-T4"):
        assert periods.parse(key).key == key
        assert periods.parse(key).contains(day)
    for bad in ("2026-H3", "2026-13", "2026-Q0", "abc", "", None, "1999", "2026-08-01", "２０２６"):
        assert periods.parse(bad) is None
    assert periods.parse("2026-H1").end == datetime.date(2026, 7, 1)
    assert periods.parse("2026-H1").previous().key == "2025-H2"
    assert periods.parse("2026-H2").label == "2026年7—12月"

"""Export files show health columns only when the user holds ``health`` where every row lies."""

from __future__ import annotations

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.exports.columns import PERSON_COLUMNS, Context, restricted_value
from minqing.exports.tests.test_exports import by_name, people, post, sheet  # noqa: F401 (fixture)
from minqing.registry.models import Person

HIDDEN = "（无权查看）"


def test_county_leader_gets_health_columns_hidden(client, users, people):  # noqa: F811
    response = post(client, users.county)
    assert response.status_code == 200
    rows = by_name(sheet(response))
    assert set(rows) == {"龙在内", "龙妻", "龙保", "杨在邻", "吴在远"}
    for row in rows.values():
        assert (row["健康状况"], row["残疾类别/等级"]) == (HIDDEN, HIDDEN)
    assert rows["龙妻"]["民族"] == "侗族"  # the other columns stay


def test_village_cadre_gets_health_columns(client, users, people):  # noqa: F811
    rows = by_name(sheet(post(client, users.inside)))
    assert rows["龙妻"]["残疾类别/等级"] == "肢体残疾/二级"
    assert rows["龙妻"]["健康状况"] == "健康或良好"


def test_one_row_outside_the_health_scope_hides_the_columns(client, tree, users, people):  # noqa: F811
    # Exports the county, reads health in V only: the whole-county file hides, V's own file shows.
    user = assign(UserFactory(username="mixed"), Role.COUNTY_LEADER, tree.county)
    assign(user, Role.VILLAGE_CADRE, tree.v)
    assert by_name(sheet(post(client, user)))["龙妻"]["残疾类别/等级"] == HIDDEN
    rows = by_name(sheet(post(client, user, params=f"area={tree.v.code}")))
    assert set(rows) == {"龙在内", "龙妻", "龙保"}
    assert rows["龙妻"]["残疾类别/等级"] == "肢体残疾/二级"


def test_restricted_cell_follows_the_context(people):  # noqa: F811
    import datetime

    cell = restricted_value(Person, "disability_category", lambda p, ctx: p.disability_category)
    shown = Context(mask=True, today=datetime.date(2026, 12, 1))
    hidden = Context(mask=True, today=datetime.date(2026, 12, 1), hidden=frozenset({"health"}))
    assert (cell(people.spouse, shown), cell(people.spouse, hidden)) == ("4", HIDDEN)
    headers = [str(header) for header, _w, _v in PERSON_COLUMNS]
    assert "健康状况" in headers and "残疾类别/等级" in headers

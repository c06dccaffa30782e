"""The supervisors' page 查看与导出监督: role by role, scoped to the area, flags, bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.core import limits
from minqing.core.masking import sensitive_reveal
from minqing.core.models import AuditEvent
from minqing.exports import services

URL = "/audit/oversight/"


def test_route_name():
    assert reverse("privacy:oversight") == URL


@pytest.fixture
def looks(users, records, settings):
    """inside reveals V's head twice and exports V; neighbour reveals W's head; inside hits the limit."""
    settings.REVEAL_LIMIT_PER_HOUR = 2
    for user, name in ((users.inside, "内查看"), (users.neighbour, "邻查看")):
        user.last_name, user.first_name = name, ""
        user.save(update_fields=["last_name", "first_name"])
    for _n in range(2):
        sensitive_reveal(actor=users.inside, obj=records.pv, field="id_number")
    with pytest.raises(limits.LimitExceeded):
        sensitive_reveal(actor=users.inside, obj=records.pv, field="phone")
    sensitive_reveal(actor=users.neighbour, obj=records.pw, field="id_number")
    services.export_start(owner=users.inside, kind="persons", params="")
    return users


def test_supervisor_of_the_area_sees_its_users(client, looks, watchers):
    client.force_login(watchers["v"])
    response = client.get(URL)
    assert response.status_code == 200
    rows = {u.actor_id: u for u in response.context["looks"]}
    assert set(rows) == {looks.inside.pk}  # the neighbour's reveal was of W's data
    inside = rows[looks.inside.pk]
    assert (inside.reveals_day, inside.reveals_week, inside.exports_day, inside.rows_day) == (2, 2, 1, 1)
    assert inside.alerts_week == 1 and "limit" in inside.flags
    body = response.content.decode()
    assert str(looks.inside) in body and str(looks.neighbour) not in body
    assert "查看敏感信息超限" in body  # the alert of the V user, in V


def test_other_areas_data_is_absent(client, looks, watchers):
    client.force_login(watchers["x"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["looks"] == [] and response.context["alerts"] == []
    body = response.content.decode()
    assert str(looks.inside) not in body and str(looks.neighbour) not in body


def test_township_supervisor_sees_both_villages(client, looks, watchers):
    client.force_login(watchers["t"])
    ids = {u.actor_id for u in client.get(URL).context["looks"]}
    assert ids == {looks.inside.pk, looks.neighbour.pk}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("supervisor", 200),
        ("data_admin", 200),
        ("admin", 200),
        ("inside", 403),
        ("above", 403),
        ("county", 403),
        ("desk", 403),
        ("nobody", 403),
    ],
)
def test_status_role_by_role(client, users, name, status):
    client.force_login(getattr(users, name))
    assert client.get(URL).status_code == status


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_post_is_refused(client, users):
    client.force_login(users.supervisor)
    assert client.post(URL).status_code == 405


def test_audit_log_links_to_the_page(client, users):
    client.force_login(users.supervisor)
    assert URL in client.get(reverse("core:audit")).content.decode()


def test_far_above_own_median_is_flagged(client, users, records, settings, watchers, monkeypatch):
    """Three earlier days of 2 reveals each, then 25 today: flagged against the user's own median."""
    import datetime

    from django.utils import timezone

    settings.REVEAL_LIMIT_PER_HOUR = 0
    start = timezone.now()
    for days in (5, 4, 3):
        moved = start - datetime.timedelta(days=days)
        monkeypatch.setattr(timezone, "now", lambda moved=moved: moved)
        # ``at`` defaults to the function timezone.now itself: move the field's default too.
        monkeypatch.setattr(AuditEvent._meta.get_field("at"), "_get_default", lambda moved=moved: moved)
        for _n in range(2):
            sensitive_reveal(actor=users.inside, obj=records.pv, field="phone")
    monkeypatch.undo()
    for _n in range(25):
        sensitive_reveal(actor=users.inside, obj=records.pv, field="phone")
    client.force_login(watchers["v"])
    (row,) = client.get(URL).context["looks"]
    assert row.reveal_median == 2 and row.reveals_day == 25 and row.reveals_week == 31
    assert row.flags == ["reveal_median"]


def test_queries_are_bounded_and_the_list_is_paged(client, users, records, settings, watchers):
    settings.REVEAL_LIMIT_PER_HOUR = 0
    for n in range(60):
        cadre = assign(UserFactory(username=f"cadre{n}"), Role.VILLAGE_CADRE, records.hv.area.parent)
        sensitive_reveal(actor=cadre, obj=records.pv, field="phone")
    client.force_login(watchers["v"])
    client.get(URL)  # warm the session and the user's assignments
    with CaptureQueriesContext(connection) as first:
        response = client.get(URL)
    assert response.status_code == 200 and len(response.context["looks"]) == 50
    assert response.context["page"].has_next
    with CaptureQueriesContext(connection) as second:
        response = client.get(URL + "?page=2")
    assert len(response.context["looks"]) == 10
    assert len(first) <= 10 and len(second) <= 10, [q["sql"] for q in first.captured_queries]


def test_htmx_gets_the_rows_only(client, watchers, db):
    client.force_login(watchers["v"])
    response = client.get(URL, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "base.html" not in {t.name for t in response.templates}

"""Reveal and export limits: refused at exactly N+1 on the page, htmx and the API; one audit row and one
alert per window; supervisors e-mailed by the background task."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from minqing.core import limits
from minqing.core.masking import sensitive_reveal
from minqing.core.models import AuditEvent
from minqing.exports import services
from minqing.exports.models import ExportJob
from minqing.registry.tests.factories import PersonFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def reveal_url(records, field="id_number"):
    return reverse("registry:reveal", kwargs={"model": "person", "pk": records.pv.pk, "field": field})


def api_url(records):
    return reverse("api:person-reveal", kwargs={"pk": records.pv.pk})


def reveals(user):
    return AuditEvent.objects.filter(actor=user, verb="sensitive.revealed").count()


def exceeded(user, verb="reveal.limit_exceeded"):
    return AuditEvent.objects.filter(actor=user, verb=verb)


@pytest.fixture
def limit3(settings):
    settings.REVEAL_LIMIT_PER_HOUR = 3


def test_page_refuses_the_fourth_reveal_with_429(client, users, records, limit3, watchers):
    client.force_login(users.inside)
    for _n in range(3):
        response = client.post(reveal_url(records))
        assert response.status_code == 200
        assert records.pv.id_number in response.content.decode()
    response = client.post(reveal_url(records))
    assert response.status_code == 429
    body = response.content.decode()
    assert "一小时内查看敏感信息的次数已达上限（3次）" in body and records.pv.id_number not in body
    assert "base.html" in {t.name for t in response.templates}  # the project's error page
    response = client.post(reveal_url(records), **HTMX)  # htmx: the message in place of the value
    assert response.status_code == 429
    assert "registry/_reveal_refused.html" in {t.name for t in response.templates}
    assert reveals(users.inside) == 3
    event = exceeded(users.inside).get()  # one row for the hour, however many refusals
    assert event.area_path == users.inside.scope_prefixes("reveal")[0]
    assert event.actor_name == str(users.inside)


def test_api_refuses_the_fourth_reveal_in_the_error_shape(api, users, records, limit3):
    api.force_authenticate(users.inside)
    for _n in range(3):
        assert api.post(api_url(records), {"field": "id_number"}, format="json").status_code == 200
    response = api.post(api_url(records), {"field": "id_number"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "reveal_limit"
    assert "已达上限（3次）" in response.json()["detail"]
    assert set(response.json()) == {"detail", "code"}
    assert exceeded(users.inside).count() == 1


def test_page_and_api_share_one_counter(client, api, users, records, limit3):
    client.force_login(users.inside)
    api.force_authenticate(users.inside)
    assert client.post(reveal_url(records)).status_code == 200
    assert api.post(api_url(records), {"field": "phone"}, format="json").status_code == 200
    assert client.post(reveal_url(records, "phone")).status_code == 200
    assert api.post(api_url(records), {"field": "id_number"}, format="json").status_code == 429
    assert client.post(reveal_url(records)).status_code == 429


def later(monkeypatch, **delta):
    """Move the clock forward (audit rows are append-only: they cannot be back-dated)."""
    moved = timezone.now() + datetime.timedelta(**delta)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_the_window_slides_and_other_users_are_not_counted(users, records, limit3, monkeypatch):
    for _n in range(3):
        sensitive_reveal(actor=users.inside, obj=records.pv, field="id_number")
    with pytest.raises(limits.LimitExceeded):
        sensitive_reveal(actor=users.inside, obj=records.pv, field="id_number")
    assert sensitive_reveal(actor=users.above, obj=records.pv, field="id_number")  # not his count
    later(monkeypatch, minutes=61)
    assert sensitive_reveal(actor=users.inside, obj=records.pv, field="id_number")


def test_a_loop_of_reveals_is_counted_exactly(users, records, settings):
    """Each reveal counts the committed rows before it: exactly the limit passes, never one more."""
    settings.REVEAL_LIMIT_PER_HOUR = 25
    results = []
    for _n in range(40):
        try:
            sensitive_reveal(actor=users.inside, obj=records.pv, field="phone")
            results.append(True)
        except limits.LimitExceeded:
            results.append(False)
    assert results == [True] * 25 + [False] * 15
    assert reveals(users.inside) == 25 and exceeded(users.inside).count() == 1


def test_zero_means_no_limit(users, records, settings):
    settings.REVEAL_LIMIT_PER_HOUR = 0
    for _n in range(5):
        sensitive_reveal(actor=users.inside, obj=records.pv, field="phone")
    assert reveals(users.inside) == 5


def test_refusals_before_the_limit_keep_their_meaning(client, users, records, limit3):
    """A user without the reveal right still gets 403, an out-of-scope one 404: the limit comes last."""
    client.force_login(users.supervisor)
    assert client.post(reveal_url(records)).status_code == 403
    client.force_login(users.neighbour)
    assert client.post(reveal_url(records)).status_code == 404
    assert not AuditEvent.objects.filter(verb__endswith="limit_exceeded").exists()


def test_supervisors_of_the_area_are_emailed_once_by_the_task(users, records, limit3, watchers):
    mail.outbox.clear()
    for _n in range(3):
        sensitive_reveal(actor=users.inside, obj=records.pv, field="id_number")
    for _n in range(3):
        with pytest.raises(limits.LimitExceeded):
            sensitive_reveal(actor=users.inside, obj=records.pv, field="id_number")
    assert len(mail.outbox) == 1  # one alert per hour
    message = mail.outbox[0]
    # V's and T's supervisors (V lies in T), and the county's one if it has an address; never X's.
    assert "v@example.cn" in message.to and "t@example.cn" in message.to
    assert "x@example.cn" not in message.to and "" not in message.to
    assert str(users.inside) in message.subject and "查看敏感信息" in message.subject
    assert "每小时3次" in message.body


# ------------------------------------------------------------------------------------------ exports


def test_export_limit_refuses_the_third_export_of_the_day(client, settings, users, records, watchers):
    settings.EXPORT_LIMIT_PER_DAY = 2
    mail.outbox.clear()
    client.force_login(users.inside)
    for _n in range(2):
        response = client.post(reverse("exports:create"), {"kind": "persons", "params": ""})
        assert response.status_code == 200  # a small export downloads at once
    response = client.post(reverse("exports:create"), {"kind": "persons", "params": ""})
    assert response.status_code == 429
    assert "24小时内的导出次数已达上限（2次）" in response.content.decode()
    assert ExportJob.objects.filter(owner=users.inside).count() == 2
    assert client.post(reverse("exports:create"), {"kind": "households", "params": ""}).status_code == 429
    event = exceeded(users.inside, "export.limit_exceeded").get()
    assert event.area_path == records.hv.area_path[:12]
    assert len(mail.outbox) == 1 and "导出" in mail.outbox[0].subject


def test_failed_and_old_exports_do_not_count(settings, users, records, monkeypatch):
    settings.EXPORT_LIMIT_PER_DAY = 1
    job = services.export_start(owner=users.inside, kind="persons", params="")
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED)
    services.export_start(owner=users.inside, kind="persons", params="")
    with pytest.raises(limits.LimitExceeded):
        services.export_start(owner=users.inside, kind="persons", params="")
    later(monkeypatch, hours=25)
    assert services.export_start(owner=users.inside, kind="persons", params="").status == "done"


def test_rows_per_day_cap(settings, users, records):
    settings.EXPORT_ROWS_PER_DAY = 3
    PersonFactory(household=records.hv, name="龙二", relation="20")
    assert services.export_start(owner=users.inside, kind="persons", params="").total == 2
    with pytest.raises(limits.LimitExceeded) as refused:
        services.export_start(owner=users.inside, kind="persons", params="")  # 2 more: 4 > 3
    assert (
        refused.value.code == "export_limit"
        and "导出行数将超过上限（3行，已导出2行）" in refused.value.message
    )
    assert services.export_start(owner=users.inside, kind="households", params="").total == 1  # 3 = 3
    assert exceeded(users.inside, "export.limit_exceeded").count() == 1

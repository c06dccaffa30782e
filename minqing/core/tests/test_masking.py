"""Masked on the server; reveal only where permitted; every reveal in the audit log, which is scoped."""

from django.urls import reverse

from minqing.core.models import AuditEvent


def reveal_url(records, field="id_number"):
    return reverse("registry:reveal", kwargs={"model": "person", "pk": records.pv.pk, "field": field})


def test_masks():
    from minqing.core.idnumber import mask_id_number, mask_phone

    assert mask_id_number("52062219700517123X") == "520622********123X"
    assert mask_phone("13812345678") == "138****5678"


def test_reveal_returns_the_value_and_is_audited(login, users, records):
    client = login(users.inside)
    response = client.post(reveal_url(records), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert records.pv.id_number in response.content.decode()
    event = AuditEvent.objects.get(verb="sensitive.revealed")
    assert (event.actor, event.target_id, event.ip, event.area_path) == (
        users.inside,
        str(records.pv.pk),
        "10.1.2.3",
        records.pv.area_path,
    )
    assert event.changes == {"field": "公民身份号码"}


def test_reveal_forbidden_for_read_only_roles(login, users, records):
    assert login(users.county).post(reveal_url(records)).status_code == 403
    assert login(users.supervisor).post(reveal_url(records, "phone")).status_code == 403
    assert not AuditEvent.objects.filter(verb="sensitive.revealed").exists()


def test_reveal_out_of_scope_is_404(login, users, records):
    assert login(users.neighbour).post(reveal_url(records)).status_code == 404
    assert login(users.desk).post(reveal_url(records)).status_code == 404


def test_reveal_requires_post_and_a_sensitive_field(login, users, records):
    client = login(users.inside)
    assert client.get(reveal_url(records)).status_code == 405
    assert client.post(reveal_url(records, "name")).status_code == 404


def test_audit_log_is_scoped(login, users, records):
    login(users.inside).post(reveal_url(records))
    page = reverse("core:audit")
    assert "sensitive.revealed" in login(users.supervisor).get(page).content.decode()
    assert "sensitive.revealed" in login(users.data_admin).get(page).content.decode()
    # The village cadre has no audit right; the neighbour area's admin would not see V's rows.
    assert AuditEvent.objects.visible_to(users.inside).count() == 0
    assert AuditEvent.objects.visible_to(users.neighbour).count() == 0

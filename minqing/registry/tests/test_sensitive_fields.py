"""Sensitivity is a property of the field: 残疾人证号, phones and ID copies are masked in every output.

API (list, detail, nested members), change history and audit log, Django admin, and attachment thumbnails
all ask ``minqing.core.sensitive``; the clear value only comes through the audited reveal.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.core import sensitive
from minqing.core.idnumber import mask_id_number
from minqing.core.models import AuditEvent
from minqing.registry import services
from minqing.registry.models import Household, Person, Place
from minqing.registry.tests.api_helpers import url
from minqing.registry.tests.attachment_helpers import add, body, image_bytes, upload

READ_ONLY = ["county", "supervisor"]


def cert_no(person: Person) -> str:
    """A 残疾人证号 as issued: the holder's 18-digit ID number, then category and grade."""
    return f"{person.id_number}12"


@pytest.fixture
def certified(records) -> Person:
    person = records.pv
    Person.objects.filter(pk=person.pk).update(
        disability_category="1", disability_grade="2", disability_cert_no=cert_no(person)
    )
    person.refresh_from_db()
    return person


def test_registry_knows_the_sensitive_fields():
    assert set(sensitive.fields_of(Person)) == {"id_number", "phone", "disability_cert_no", "guardian_phone"}
    assert set(sensitive.fields_of(Household)) == {"phone"}
    assert set(sensitive.fields_of(Place)) == {"phone"}


# ---------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize("user", READ_ONLY)
def test_api_masks_disability_cert_no_for_read_only_roles(as_user, certified, user):
    client = as_user(user)
    masked = mask_id_number(certified.disability_cert_no)
    detail = client.get(url("person", certified.pk))
    assert detail.status_code == 200
    assert masked not in detail.content.decode()  # health data: read-only roles lack the `health` right
    assert detail.json()["disability_cert_no"] is None
    household = client.get(url("household", certified.household_id))
    assert household.status_code == 200
    listing = client.get(url("person"))
    assert listing.status_code == 200
    for response in (detail, household, listing):
        text = response.content.decode()
        assert certified.disability_cert_no not in text
        assert certified.id_number not in text  # the cert number embeds it


def test_api_reveal_of_disability_cert_no_is_audited(as_user, certified):
    response = as_user("inside").post(
        url("person", certified.pk, "reveal"), {"field": "disability_cert_no"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"field": "disability_cert_no", "value": certified.disability_cert_no}
    event = AuditEvent.objects.get(verb="sensitive.revealed")
    assert (event.actor.username, event.target_id) == ("inside", str(certified.pk))
    assert event.changes == {"field": "残疾人证号"}


@pytest.mark.parametrize("user", READ_ONLY)
def test_api_reveal_of_disability_cert_no_refused_for_read_only_roles(as_user, certified, user):
    response = as_user(user).post(
        url("person", certified.pk, "reveal"), {"field": "disability_cert_no"}, format="json"
    )
    assert response.status_code == 403
    assert certified.disability_cert_no not in response.content.decode()
    assert not AuditEvent.objects.filter(verb="sensitive.revealed").exists()


def test_page_reveal_of_disability_cert_no(login, users, certified):
    page = reverse(
        "registry:reveal", kwargs={"model": "person", "pk": certified.pk, "field": "disability_cert_no"}
    )
    assert login(users.county).post(page).status_code == 403
    response = login(users.inside).post(page)
    assert response.status_code == 200
    assert certified.disability_cert_no in response.content.decode()
    assert AuditEvent.objects.filter(verb="sensitive.revealed", target_id=str(certified.pk)).count() == 1


def test_reveal_of_health_data_needs_the_health_right_too(login, users, certified, monkeypatch):
    """A role that may reveal but not read health data (none today) gets the ID number, not the 残疾人证号."""
    from minqing.accounts.roles import PERMISSIONS, Role

    monkeypatch.setitem(PERMISSIONS, Role.COUNTY_LEADER, PERMISSIONS[Role.COUNTY_LEADER] | {"reveal"})
    client = login(users.county)
    reveal = "registry:reveal"
    args = {"model": "person", "pk": certified.pk}
    assert client.post(reverse(reveal, kwargs={**args, "field": "id_number"})).status_code == 200
    refused = client.post(reverse(reveal, kwargs={**args, "field": "disability_cert_no"}))
    assert refused.status_code == 403 and certified.disability_cert_no not in refused.content.decode()


# ------------------------------------------------------------------------------------------ history


def test_history_stores_disability_cert_no_masked(users, records):
    person = records.pv
    services.person_update(
        actor=users.inside,
        person=person,
        data={"disability_category": "1", "disability_grade": "2", "disability_cert_no": cert_no(person)},
        version=person.version,
    )
    event = AuditEvent.objects.get(verb="registry.person.updated")
    assert event.changes["残疾人证号"] == ["", mask_id_number(cert_no(person))]
    assert person.id_number not in str(event.changes)


def clear_row(actor, person, changes: dict) -> AuditEvent:
    """An audit row as written before the field was registered: the values stored in clear."""
    return AuditEvent.objects.create(
        actor=actor,
        verb="registry.person.updated",
        target_type="registry.person",
        target_id=str(person.pk),
        target_label=person.name,
        area_path=person.area_path,
        household_id=person.household_id,
        changes=changes,
    )


@pytest.mark.parametrize("user", READ_ONLY)
def test_history_renders_masked_even_for_rows_stored_in_clear(login, users, certified, user):
    # A row written before the field was registered holds the clear value: it is masked when shown.
    clear_row(
        users.inside,
        certified,
        {"残疾人证号": ["", certified.disability_cert_no], "联系方式": ["", "13800001111"]},
    )
    client = login(getattr(users, user))
    for page in (certified.get_absolute_url(), certified.household.get_absolute_url()):
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.content.decode()
        assert certified.disability_cert_no not in text, page
        assert certified.id_number not in text, page
        assert "13800001111" not in text, page
    # Health data: these roles lack the `health` right, so even the masked number is hidden.
    person_page = client.get(certified.get_absolute_url()).content.decode()
    assert mask_id_number(certified.disability_cert_no) not in person_page
    assert "—（无权查看）" in person_page


def test_audit_log_page_masks_stored_clear_values(login, users, certified):
    clear_row(users.inside, certified, {"残疾人证号": ["", certified.disability_cert_no]})
    response = login(users.supervisor).get(reverse("core:audit"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "registry.person.updated" in text
    assert certified.disability_cert_no not in text and certified.id_number not in text


# ------------------------------------------------------------------------------------- attachments


@pytest.fixture
def id_copy(storage_root, users, records):
    return add(
        users.inside, records.hv, upload("身份证.png", image_bytes()), kind="id_copy", person=records.pv
    )


@pytest.mark.parametrize("user", READ_ONLY)
def test_id_copy_thumbnail_needs_the_reveal_right_like_the_file(client, users, id_copy, user):
    client.force_login(getattr(users, user))
    thumb = client.get(reverse("registry:attachment_thumb", args=[id_copy.pk]))
    full = client.get(reverse("registry:attachment", args=[id_copy.pk]))
    assert (thumb.status_code, full.status_code) == (403, 403)
    assert not AuditEvent.objects.filter(verb="sensitive.revealed").exists()


def test_id_copy_thumbnail_with_the_reveal_right_is_audited(client, users, id_copy):
    client.force_login(users.inside)
    response = client.get(reverse("registry:attachment_thumb", args=[id_copy.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    body(response)
    event = AuditEvent.objects.get(verb="sensitive.revealed")
    assert (event.actor, event.target_type, event.target_id) == (
        users.inside,
        "registry.attachment",
        str(id_copy.pk),
    )
    assert event.household_id == id_copy.household_id
    client.force_login(users.neighbour)  # outside the view scope: not found, and nothing audited
    assert client.get(reverse("registry:attachment_thumb", args=[id_copy.pk])).status_code == 404
    assert AuditEvent.objects.filter(verb="sensitive.revealed").count() == 1


def test_id_copy_views_count_towards_the_hourly_reveal_limit(client, users, id_copy, settings):
    settings.REVEAL_LIMIT_PER_HOUR = 2
    client.force_login(users.inside)
    urls = [reverse(name, args=[id_copy.pk]) for name in ("registry:attachment_thumb", "registry:attachment")]
    assert [client.get(url).status_code for url in urls] == [200, 200]
    refused = client.get(urls[0])
    assert refused.status_code == 429 and "上限" in refused.content.decode()
    assert AuditEvent.objects.filter(verb="sensitive.revealed").count() == 2
    assert AuditEvent.objects.filter(verb="reveal.limit_exceeded", actor=users.inside).count() == 1


# -------------------------------------------------------------------------------------------- admin


def test_admin_changelists_show_phones_masked(client, users, records):
    client.force_login(users.admin)
    for name in ("household", "person"):
        response = client.get(reverse(f"admin:registry_{name}_changelist"))
        assert response.status_code == 200, name
        text = response.content.decode()
        assert "13800001111" not in text, name
        assert "138****1111" in text, name


def test_admin_change_pages_show_sensitive_values_masked(client, users, certified):
    client.force_login(users.admin)
    place = Place.objects.create(
        area=certified.household.area, area_path=certified.area_path, name="小卖部", phone="13900003333"
    )
    pages = [
        reverse("admin:registry_household_change", args=[certified.household_id]),
        reverse("admin:registry_person_change", args=[certified.pk]),
        reverse("admin:registry_place_change", args=[place.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.content.decode()
        for secret in ("13800001111", "13900003333", certified.id_number, certified.disability_cert_no):
            assert secret not in text, (page, secret)
    person_page = client.get(pages[1]).content.decode()
    assert mask_id_number(certified.disability_cert_no) in person_page
    assert "138****1111" in person_page


def _form_post(form, **changes):
    """What a browser posts for ``form`` as rendered, with ``changes`` typed in."""
    data = {}
    for bound in form:
        value = bound.value()
        if bound.widget_type == "checkbox":
            if value:
                data[bound.html_name] = "on"
            continue
        data[bound.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


def test_edit_form_shows_sensitive_values_masked_and_keeps_them(login, users, certified):
    client = login(users.inside)
    url = reverse("registry:person_edit", args=[certified.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    for clear in (certified.id_number, certified.phone, certified.disability_cert_no):
        assert clear not in html
    assert mask_id_number(certified.id_number) in html and "138****1111" in html
    kept = client.post(url, _form_post(page.context["form"], occupation="养殖户"))
    assert kept.status_code == 302
    fresh = Person.objects.get(pk=certified.pk)
    assert (fresh.id_number, fresh.phone, fresh.disability_cert_no, fresh.occupation) == (
        certified.id_number,
        certified.phone,
        certified.disability_cert_no,
        "养殖户",
    )
    assert not AuditEvent.objects.filter(verb="reveal").exists()  # nothing was shown, nothing to audit


def test_edit_form_replaces_or_clears_a_sensitive_value(login, users, certified):
    client = login(users.inside)
    url = reverse("registry:person_edit", args=[certified.pk])
    form = client.get(url).context["form"]
    assert client.post(url, _form_post(form, phone="13900002222")).status_code == 302
    assert Person.objects.get(pk=certified.pk).phone == "13900002222"
    form = client.get(url).context["form"]
    assert client.post(url, _form_post(form, phone__clear="on")).status_code == 302
    assert Person.objects.get(pk=certified.pk).phone == ""
    form = client.get(url).context["form"]
    bad = client.post(url, _form_post(form, id_number="123"))
    assert bad.status_code == 200 and Person.objects.get(pk=certified.pk).id_number == certified.id_number


def test_household_and_place_edit_forms_mask_phones(login, users, records):
    client = login(users.inside)
    html = client.get(reverse("registry:household_edit", args=[records.hv.pk])).content.decode()
    assert records.hv.phone not in html and "138****" in html

"""Manual tags on the person and household pages: the panel, setting and clearing, permissions."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from minqing.core.models import AuditEvent
from minqing.registry.models import Household, Person
from minqing.tags.models import HouseholdTag, PersonTag, Tag
from minqing.tags.panels import tag_panel
from minqing.tags.services import recount, sync_catalog


@pytest.fixture
def catalog(db):
    sync_catalog()
    return {t.code: t for t in Tag.objects.all()}


def tag(obj: Person | Household, code: str) -> None:
    link = PersonTag if isinstance(obj, Person) else HouseholdTag
    fk = "person" if isinstance(obj, Person) else "household"
    link.objects.create(
        tag=Tag.objects.get(code=code), **{fk: obj}, area_path=obj.area_path, grid_path=obj.grid_path
    )
    recount(villages=[obj.area_path[:12]])


def tag_post(client, obj, code: str, action: str = "set"):
    name = "tags:person_tags" if isinstance(obj, Person) else "tags:household_tags"
    return client.post(reverse(name, args=[obj.pk]), {"tag": code, "action": action}, HTTP_HX_REQUEST="true")


def test_set_and_unset_a_manual_person_tag(login, users, records, catalog):
    client = login(users.inside)
    response = tag_post(client, records.pv, "needs-attention")
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="tag-panel"' in body and "需重点关注" in body
    link = PersonTag.objects.get(person=records.pv, tag__code="needs-attention")
    assert link.set_by == users.inside and link.area_path == records.pv.area_path
    assert AuditEvent.objects.filter(verb="registry.tag.set").exists()
    response = tag_post(client, records.pv, "needs-attention", "unset")
    assert response.status_code == 200
    assert not PersonTag.objects.filter(person=records.pv, tag__code="needs-attention").exists()


def test_derived_or_unknown_tags_cannot_be_set_by_hand(login, users, records, catalog):
    client = login(users.inside)
    body = tag_post(client, records.pv, "elderly").content.decode()
    assert "不能手动设置" in body and not PersonTag.objects.filter(person=records.pv).exists()
    assert "未知的标签" in tag_post(client, records.pv, "no-such").content.decode()
    assert "只能用于" in tag_post(client, records.pv, "petitioner").content.decode()


def test_manual_tag_permissions(login, users, records, catalog):
    assert tag_post(login(users.county), records.pv, "needs-attention").status_code == 403
    assert tag_post(login(users.neighbour), records.pv, "needs-attention").status_code == 404
    assert tag_post(login(users.nobody), records.pv, "needs-attention").status_code == 404
    assert not PersonTag.objects.exists()
    url = reverse("tags:person_tags", args=[records.pv.pk])
    assert login(users.inside).get(url).status_code == 405


def test_manual_household_tag(login, users, records, catalog):
    client = login(users.inside)
    assert "信访户" in tag_post(client, records.hv, "petitioner").content.decode()
    assert HouseholdTag.objects.filter(household=records.hv, tag__code="petitioner").exists()
    assert tag_post(login(users.neighbour), records.hv, "petitioner", "unset").status_code == 404
    tag_post(login(users.inside), records.hv, "petitioner", "unset")
    assert not HouseholdTag.objects.exists()


def test_plain_post_redirects_to_the_record(login, users, records, catalog):
    url = reverse("tags:person_tags", args=[records.pv.pk])
    response = login(users.inside).post(url, {"tag": "needs-attention", "action": "set"})
    assert response.status_code == 302 and response["Location"] == records.pv.get_absolute_url()


def render_panel(user, obj) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return tag_panel(request, obj)


def test_tag_panel_renders_with_only_the_record_and_request(
    users, records, catalog, django_assert_max_num_queries
):
    tag(records.pv, "elderly")
    tag(records.pv, "needs-attention")
    with django_assert_max_num_queries(4):
        body = render_panel(users.inside, records.pv)
    assert "老年人" in body and "需重点关注" in body and 'name="action" value="unset"' in body
    assert "添加标签" in body and 'value="dispute-party"' in body and 'value="elderly"' not in body
    assert "csrfmiddlewaretoken" in body
    # A county leader reads the tags but gets no buttons.
    body = render_panel(users.county, records.pv)
    assert "需重点关注" in body and 'value="unset"' not in body and "添加标签" not in body
    tag(records.hv, "petitioner")
    body = render_panel(users.inside, records.hv)
    assert "信访户" in body and reverse("tags:household_tags", args=[records.hv.pk]) in body


def test_tag_panel_escapes_names(users, records, catalog):
    Tag.objects.create(code="xss", name="<b>坏</b>", category="focus", kind="manual")
    body = render_panel(users.inside, records.pv)
    assert "<b>坏</b>" not in body and "&lt;b&gt;坏&lt;/b&gt;" in body


def test_household_page_shows_the_tag_panel(login, users, records, catalog):
    tag(records.hv, "petitioner")
    body = login(users.inside).get(records.hv.get_absolute_url()).content.decode()
    assert 'data-testid="tag-panel"' in body and "信访户" in body
    body = login(users.inside).get(records.pv.get_absolute_url()).content.decode()
    assert 'data-testid="tag-panel"' in body

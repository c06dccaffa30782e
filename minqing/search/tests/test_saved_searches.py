"""Saved searches: save, open, delete, who sees shared ones, and the rules the service enforces."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from minqing.core.models import AuditEvent
from minqing.search.models import SavedSearch
from minqing.search.services import saved_search_save
from minqing.search.tests.helpers import names, persons

# ----------------------------------------------------------------------------------- saved searches


def save(client, name: str, params: str, *, shared: bool = True, target: str = "person"):
    data = {"name": name, "params": params, "target": target}
    if shared:
        data["shared"] = "on"
    return client.post(reverse("search:saved_create"), data)


def test_save_open_and_delete_a_search(login, users, village):
    client = login(users.inside)
    response = save(
        client, "一组老人", "tags_all=elderly&tags_all=disabled&page=3&bogus=1&age_min=", shared=False
    )
    search = SavedSearch.objects.get(name="一组老人")
    assert (
        search.params == "tags_all=elderly%2Cdisabled"
        and search.area_path == users.inside.scope_prefixes()[0]
    )
    assert response.status_code == 302 and response["Location"] == "/search/?tags_all=elderly%2Cdisabled"
    assert AuditEvent.objects.filter(verb="search.saved", target_id=str(search.pk)).exists()
    body = persons(client).content.decode()
    assert "一组老人" in body and reverse("search:saved", args=[search.pk]) in body
    opened = client.get(reverse("search:saved", args=[search.pk]))
    assert names(client.get(opened["Location"])) == {"甲a乙"}
    # Saving the same name again replaces the conditions.
    save(client, "一组老人", "tags_all=elderly", shared=False)
    assert SavedSearch.objects.get(name="一组老人").params == "tags_all=elderly"
    assert client.post(reverse("search:saved_delete", args=[search.pk])).status_code == 302
    assert not SavedSearch.objects.filter(pk=search.pk).exists()
    assert AuditEvent.objects.filter(verb="search.deleted").exists()


def test_saving_needs_a_name_and_a_scope(login, users, village):
    response = save(login(users.inside), "  ", "tags_all=elderly")
    assert response.status_code == 302 and not SavedSearch.objects.exists()
    assert save(login(users.nobody), "x", "tags_all=elderly").status_code == 403
    assert not SavedSearch.objects.exists()


def test_saved_search_visibility(login, users, village):
    """Own ones always; shared ones saved inside my scope (below me) or above me; never a sibling's."""
    for user, name, shared in [
        (users.inside, "V共享", True),
        (users.inside, "V私有", False),
        (users.neighbour, "W共享", True),
        (users.above, "T共享", True),
        (users.admin, "ALL共享", True),
        (users.county, "County共享", True),
    ]:
        save(login(user), name, "tags_all=elderly", shared=shared)

    def visible(user) -> set[str]:
        return set(SavedSearch.objects.visible_to(user).values_list("name", flat=True))

    assert visible(users.inside) == {"V共享", "V私有", "T共享", "ALL共享", "County共享"}
    assert visible(users.neighbour) == {"W共享", "T共享", "ALL共享", "County共享"}
    assert visible(users.above) == {"V共享", "W共享", "T共享", "ALL共享", "County共享"}
    assert visible(users.nobody) == set()
    assert "V私有" not in visible(users.admin) and "V共享" in visible(users.admin)
    assert SavedSearch.objects.get(name="ALL共享").area_path == ""

    private = SavedSearch.objects.get(name="V私有")
    shared = SavedSearch.objects.get(name="V共享")
    neighbour = login(users.neighbour)
    assert neighbour.get(reverse("search:saved", args=[private.pk])).status_code == 404
    assert neighbour.get(reverse("search:saved", args=[shared.pk])).status_code == 404
    assert "V共享" not in persons(neighbour).content.decode()
    # A shared search opened by someone else runs in their own scope, and only its owner deletes it.
    above = login(users.above)
    assert above.get(reverse("search:saved", args=[shared.pk])).status_code == 302
    assert above.post(reverse("search:saved_delete", args=[shared.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=shared.pk).exists()


def test_a_user_of_two_villages_shares_only_inside_them(users, tree, village):
    """The township covering both villages is not where the search goes: its other villages would see it."""
    from minqing.accounts.roles import Role
    from minqing.accounts.tests.factories import UserFactory, assign

    both = assign(assign(UserFactory(username="two"), Role.VILLAGE_CADRE, tree.v), Role.VILLAGE_CADRE, tree.x)
    search = saved_search_save(
        actor=both, name="两村共享", target="person", params="tags_all=elderly", shared=True
    )
    assert search.area_path == tree.v.code
    assert not SavedSearch.objects.visible_to(users.neighbour).filter(pk=search.pk).exists()


@pytest.mark.parametrize(
    ("name", "target", "params", "field"),
    [
        ("  ", "person", "", "name"),
        ("长" * 61, "person", "", "name"),
        ("x", "car", "", "target"),
        ("x", "person", "a=" + "1" * 2000, "params"),
        ("x", "person", "q=520622197311231231", "params"),
        ("x", "household", "area=5206&q=%E9%BE%99+13812345678", "params"),
        ("x", "person", "q=0856-12345678".replace("-", ""), "params"),
    ],
)
def test_saved_search_rules_hold_in_the_service(users, village, name, target, params, field):
    with pytest.raises(ValidationError) as caught:
        saved_search_save(actor=users.inside, name=name, target=target, params=params, shared=False)
    assert field in caught.value.message_dict and not SavedSearch.objects.exists()


@pytest.mark.parametrize(
    "params", ["q=%E9%BE%99", "area=520622102211&tags_all=elderly", "q=5206221022110001"]
)
def test_names_areas_tags_and_household_numbers_may_be_saved(users, village, params):
    search = saved_search_save(
        actor=users.inside, name="可保存", target="person", params=params, shared=False
    )
    assert search.params == params


def test_saving_a_search_by_id_number_on_the_page_says_why_and_saves_nothing(login, users, village):
    client = login(users.inside)
    page = client.post(
        reverse("search:saved_create"),
        {"name": "某人", "target": "person", "params": "q=520622197311231231"},
        follow=True,
    )
    assert page.status_code == 200 and not SavedSearch.objects.exists()
    assert "不能保存" in page.content.decode()

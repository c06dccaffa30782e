"""Every list page answers one way: the page for a plain request, its results fragment for htmx, and
``Vary: HX-Request`` on both, so caches and the back button never mix them up. A history restore (htmx
re-requesting a page it lost from its cache) gets the whole page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.accounts.models import User

# List route → query string that lists something (the gap list, a key group…).
LIST_PAGES = {
    "registry:household_list": "",
    "registry:recent": "",
    "registry:person_list": "",
    "registry:house_list": "",
    "registry:place_list": "",
    "search:persons": "",
    "search:households": "",
    "search:groups": "",
    "search:incomplete": "?list=no-phone",
    "exports:list": "",
    "accounts:users": "",
    "jobs:list": "",
    "core:audit": "",
    "privacy:oversight": "",
    "registry:lookup": "?q=13800001111",
    "compliance:area": "",
    "visits:list": "",
    "checkins:report": "",
    "checkins:rules": "",
    "assistance:pairings": "",
    "assistance:mine": "",
    "tickets:list": "?tab=area",
}
HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


@pytest.fixture
def admin_client(client, records):
    client.force_login(User.objects.create_superuser("lists-admin", password="Correct-Horse-42"))
    return client


def is_page(response) -> bool:
    return "base.html" in {t.name for t in response.templates}


def vary(response) -> str:
    return response.headers.get("Vary", "")


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_list_answers_page_or_fragment_with_vary(name, admin_client):
    url = reverse(name) + LIST_PAGES[name]
    page = admin_client.get(url)
    fragment = admin_client.get(url, **HTMX)
    restored = admin_client.get(url, **RESTORE)
    for response in (page, fragment, restored):
        assert response.status_code == 200, (url, response.status_code)
        assert "HX-Request" in vary(response), (url, vary(response))
    assert is_page(page) and is_page(restored), url
    assert not is_page(fragment), (url, [t.name for t in fragment.templates])
    assert "<html" in page.content.decode() and "<html" not in fragment.content.decode()


def test_group_page_answers_page_or_fragment(admin_client):
    from minqing.tags.models import Tag
    from minqing.tags.services import sync_catalog

    sync_catalog()
    url = reverse("search:group", args=[Tag.objects.filter(is_key_group=True).first().code])
    page, fragment = admin_client.get(url), admin_client.get(url, **HTMX)
    assert is_page(page) and not is_page(fragment)
    assert "HX-Request" in vary(page) and "HX-Request" in vary(fragment)


def test_every_list_route_is_listed():
    """The route battery's list pages with a results region are all checked here (APIs and forms are not lists)."""
    from minqing.core.tests.test_routes import LIST_ROUTES

    not_lists = {
        "home:index",
        "areas:browser",
        "accounts:me",
        "charts:persons",
        "checkins:index",
        "visits:new",
    }
    not_lists |= {"compliance:due", "compliance:rules"}  # a cadre's own short lists, the rule list (no pager)
    not_lists |= {"tickets:new", "tickets:stats", "desk:index"}  # a form, a table of figures, the desk
    html_lists = {n for n in LIST_ROUTES if not n.startswith("api:") and not n.endswith("_create")}
    assert html_lists - not_lists == set(LIST_PAGES)

"""Every URL and API route, walked with in-scope, sibling-area and parent-area users.

Routes are read from the URL configuration, so a new route fails ``test_every_route_is_covered``
until it is listed here with the object it shows (or as a list/unscoped page).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Routes that show one object of area V: name → function(records, tree) → URL kwargs.
OBJECT_ROUTES = {
    "areas:detail": lambda r, t: {"code": t.v.code},
    "api:area-detail": lambda r, t: {"code": t.v.code},
}
# POST-only object routes: name → (kwargs function, data).
POST_OBJECT_ROUTES = {
    "registry:reveal": (lambda r, t: {"model": "person", "pk": r.pv.pk, "field": "id_number"}, {}),
}
# Lists and pages without an object: GET as the neighbour must not show V's marker.
LIST_ROUTES = ["core:home", "areas:browser", "core:audit", "api:area-list", "accounts:me", "api:me"]
# Routes with no scoped data (login, schema, docs, health, language switch, third-party admin).
UNSCOPED = {
    "healthz",
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    "set_language",
    "schema",
    "api-docs",
    "api:api-root",
    "api:token",
}
V_MARKERS = ["鱼塘村", "5206221022110001", "龙在内"]


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            if p.namespace == "admin":
                continue
            yield from walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}"


def all_route_names():
    names = set(walk(get_resolver().url_patterns))
    # The router's format-suffix twins share names with the plain routes.
    return {n for n in names if not n.endswith("-format")}


def test_every_route_is_covered():
    covered = set(OBJECT_ROUTES) | set(POST_OBJECT_ROUTES) | set(LIST_ROUTES) | UNSCOPED
    missing = sorted(all_route_names() - covered)
    assert not missing, f"routes without a scoping test: {missing}"


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
def test_object_routes(name, client, users, records, tree):
    url = reverse(name, kwargs=OBJECT_ROUTES[name](records, tree))
    expectations = [(users.inside, 200), (users.above, 200), (users.neighbour, 404), (users.nobody, 404)]
    for user, status in expectations:
        client.force_login(user)
        assert client.get(url).status_code == status, (user.username, url)
    client.logout()
    assert client.get(url).status_code in (302, 401, 403)


@pytest.mark.parametrize("name", sorted(POST_OBJECT_ROUTES))
def test_post_object_routes(name, client, users, records, tree):
    kwargs, data = POST_OBJECT_ROUTES[name]
    url = reverse(name, kwargs=kwargs(records, tree))
    for user, status in [
        (users.neighbour, 404),
        (users.nobody, 404),
        (users.inside, 200),
        (users.above, 200),
    ]:
        client.force_login(user)
        assert client.post(url, data).status_code == status, (user.username, url)


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_list_routes_never_show_other_areas(name, client, users, records):
    url = reverse(name)
    for user in (users.neighbour, users.nobody):
        client.force_login(user)
        response = client.get(url, follow=True)
        assert response.status_code == 200
        body = response.content.decode()
        for marker in V_MARKERS:
            assert marker not in body, (user.username, url, marker)

"""Every URL and API route, walked with in-scope, sibling-area and parent-area users.

Routes are read from the URL configuration, so a new route fails ``test_every_route_is_covered``
until it is listed here with the object it shows (or as a list/unscoped page).
"""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from minqing.accounts.models import User

# Routes that show one object of area V: name → function(objects) → URL kwargs.
OBJECT_ROUTES = {
    "areas:detail": lambda o: {"code": o.tree.v.code},
    "api:area-detail": lambda o: {"code": o.tree.v.code},
    "registry:household": lambda o: {"pk": o.hv.pk},
    "registry:household_edit": lambda o: {"pk": o.hv.pk},
    "registry:member_add": lambda o: {"pk": o.hv.pk},
    "registry:household_split": lambda o: {"pk": o.hv.pk},
    "registry:economy_edit": lambda o: {"pk": o.hv.pk},
    "registry:attachment_upload": lambda o: {"pk": o.hv.pk},
    "registry:person": lambda o: {"pk": o.pv.pk},
    "registry:person_edit": lambda o: {"pk": o.pv.pk},
    "registry:person_move": lambda o: {"pk": o.pv.pk},
    "registry:house": lambda o: {"pk": o.house.pk},
    "registry:house_edit": lambda o: {"pk": o.house.pk},
    "registry:place": lambda o: {"pk": o.place.pk},
    "registry:place_edit": lambda o: {"pk": o.place.pk},
    "registry:attachment": lambda o: {"pk": o.attachment.pk},
    "registry:attachment_thumb": lambda o: {"pk": o.attachment.pk},
    "registry:household_card": lambda o: {"pk": o.hv.pk},
    "visits:household": lambda o: {"pk": o.hv.pk},
    "assistance:pairing": lambda o: {"pk": o.hv.pk},
    "assistance:plan": lambda o: {"pk": o.hv.pk},
    "assistance:plan_create": lambda o: {"pk": o.hv.pk},
    "api:household-detail": lambda o: {"pk": o.hv.pk},
    "api:person-detail": lambda o: {"pk": o.pv.pk},
    "api:house-detail": lambda o: {"pk": o.house.pk},
    "api:place-detail": lambda o: {"pk": o.place.pk},
}
# POST-only object routes: name → (kwargs function, data). In scope: anything but 404/5xx.
POST_OBJECT_ROUTES = {
    "registry:reveal": (lambda o: {"model": "person", "pk": o.pv.pk, "field": "id_number"}, {}),
    "registry:attachment_delete": (lambda o: {"pk": o.attachment.pk}, {}),
    "api:household-reveal": (lambda o: {"pk": o.hv.pk}, {"field": "phone"}),
    "api:household-economy": (lambda o: {"pk": o.hv.pk}, {"year": 2024}),
    "api:person-reveal": (lambda o: {"pk": o.pv.pk}, {"field": "id_number"}),
    "api:person-move": (lambda o: {"pk": o.pv.pk}, {}),
    "api:place-reveal": (lambda o: {"pk": o.place.pk}, {"field": "phone"}),
    "tags:person_tags": (lambda o: {"pk": o.pv.pk}, {"tag": "needs-attention", "action": "set"}),
    "tags:household_tags": (lambda o: {"pk": o.hv.pk}, {"tag": "petitioner", "action": "set"}),
}
# Lists and pages without an object: GET as the neighbour must not show V's marker.
LIST_ROUTES = [
    "home:index",
    "areas:browser",
    "core:audit",
    "api:area-list",
    "accounts:me",
    "api:me",
    "registry:household_list",
    "registry:household_create",
    "registry:recent",
    "registry:person_list",
    "registry:house_list",
    "registry:house_create",
    "registry:place_list",
    "registry:place_create",
    "api:household-list",
    "api:person-list",
    "api:house-list",
    "api:place-list",
    "search:persons",
    "search:households",
    "search:groups",
    "search:incomplete",
    "api:search-person-list",
    "api:search-person-count",
    "api:search-household-list",
    "api:search-household-count",
    "charts:persons",
    "exports:list",
    "accounts:users",
    "jobs:list",
    "privacy:oversight",
    "registry:lookup",
    "compliance:area",
    "compliance:due",
    "compliance:rules",
    "compliance:rule_create",
    "api:compliance",
    "api:compliance-due",
    "checkins:index",
    "checkins:report",
    "checkins:rules",
    "api:checkin-list",
    "assistance:pairings",
    "assistance:mine",
    "api:pairing-list",
    "api:plan-list",
    "visits:list",
    "visits:new",
    "api:visit-list",
    "tickets:list",
    "tickets:new",
    "tickets:stats",
    "api:ticket-list",
    "api:ticket-categories",
    "desk:index",
]
# Routes whose scoping has its own tests (objects that only their owner or a tag code identify).
TESTED_ELSEWHERE = {
    "search:saved": "minqing/search/tests/test_search_pages.py",
    "search:saved_create": "minqing/search/tests/test_search_pages.py",
    "search:saved_delete": "minqing/search/tests/test_search_pages.py",
    "search:group": "minqing/search/tests/test_search_pages.py",
    "accounts:user_action": "minqing/accounts/tests/test_login.py",
    # Export jobs belong to their owner: another user gets 404 (minqing/exports/tests).
    "exports:create": "minqing/exports/tests",
    "exports:detail": "minqing/exports/tests",
    "exports:status": "minqing/exports/tests",
    "exports:download": "minqing/exports/tests",
    # The caller API by phone: scoping, audit and refusals in minqing/registry/tests/test_desk_lookup.py.
    "api:caller": "minqing/registry/tests/test_desk_lookup.py",
    "api:lookup": "minqing/registry/tests/test_desk_lookup.py",
    # A cadre's page and the rules' edit/delete: role by role in minqing/compliance/tests/test_pages.py.
    "compliance:cadre": "minqing/compliance/tests/test_pages.py",
    "compliance:rule_edit": "minqing/compliance/tests/test_pages.py",
    "compliance:rule_delete": "minqing/compliance/tests/test_pages.py",
    # Check-ins (POST), the report's Excel (export right) and one area's rule (manage right), role by role.
    "checkins:check_in": "minqing/checkins/tests/test_pages.py",
    "checkins:report_export": "minqing/checkins/tests/test_report.py",
    "checkins:rule_edit": "minqing/checkins/tests/test_pages.py",
    # Plans, measures and pairings of V, role by role: minqing/assistance/tests/test_scope.py.
    "assistance:plan_edit": "minqing/assistance/tests/test_scope.py",
    "assistance:measure_create": "minqing/assistance/tests/test_scope.py",
    "assistance:measure_edit": "minqing/assistance/tests/test_scope.py",
    "assistance:cadre_phone": "minqing/assistance/tests/test_scope.py",
    "api:pairing-detail": "minqing/assistance/tests/test_scope.py",
    "api:pairing-end": "minqing/assistance/tests/test_scope.py",
    "api:plan-detail": "minqing/assistance/tests/test_scope.py",
    "api:plan-measures": "minqing/assistance/tests/test_scope.py",
    "api:plan-measure": "minqing/assistance/tests/test_scope.py",
    "api:plan-chain": "minqing/assistance/tests/test_scope.py",
    # Visit entries and their photos, role by role: minqing/visits/tests/test_pages.py and test_api.py.
    "visits:detail": "minqing/visits/tests/test_pages.py",
    "visits:revise": "minqing/visits/tests/test_pages.py",
    "visits:withdraw": "minqing/visits/tests/test_pages.py",
    "visits:photo": "minqing/visits/tests/test_pages.py",
    "visits:photo_thumb": "minqing/visits/tests/test_pages.py",
    "api:visit-detail": "minqing/visits/tests/test_api.py",
    "api:visit-withdraw": "minqing/visits/tests/test_api.py",
    "api:visit-revise": "minqing/visits/tests/test_api.py",
    "api:visit-photo": "minqing/visits/tests/test_api.py",
    # Tickets, the proposed route and every transition, role by role: minqing/tickets/tests/test_pages.py, test_api.py.
    "tickets:detail": "minqing/tickets/tests/test_pages.py",
    "tickets:route": "minqing/tickets/tests/test_pages.py",
    "tickets:accept": "minqing/tickets/tests/test_pages.py",
    "tickets:reply": "minqing/tickets/tests/test_pages.py",
    "tickets:resolve": "minqing/tickets/tests/test_pages.py",
    "tickets:escalate": "minqing/tickets/tests/test_pages.py",
    "tickets:return": "minqing/tickets/tests/test_pages.py",
    "tickets:review_return": "minqing/tickets/tests/test_pages.py",
    "tickets:dispatch": "minqing/tickets/tests/test_pages.py",
    "tickets:request_extension": "minqing/tickets/tests/test_pages.py",
    "tickets:decide_extension": "minqing/tickets/tests/test_pages.py",
    "tickets:visit_back": "minqing/tickets/tests/test_pages.py",
    "tickets:archive": "minqing/tickets/tests/test_pages.py",
    "tickets:supervise": "minqing/tickets/tests/test_pages.py",
    "api:ticket-detail": "minqing/tickets/tests/test_api.py",
    "api:ticket-route": "minqing/tickets/tests/test_api.py",
    "api:ticket-close-on-phone": "minqing/tickets/tests/test_api.py",
    "api:ticket-accept": "minqing/tickets/tests/test_api.py",
    "api:ticket-reply": "minqing/tickets/tests/test_api.py",
    "api:ticket-resolve": "minqing/tickets/tests/test_api.py",
    "api:ticket-escalate": "minqing/tickets/tests/test_api.py",
    "api:ticket-return": "minqing/tickets/tests/test_api.py",
    "api:ticket-review-return": "minqing/tickets/tests/test_api.py",
    "api:ticket-dispatch": "minqing/tickets/tests/test_api.py",
    "api:ticket-request-extension": "minqing/tickets/tests/test_api.py",
    "api:ticket-decide-extension": "minqing/tickets/tests/test_api.py",
    "api:ticket-visit-back": "minqing/tickets/tests/test_api.py",
    "api:ticket-archive": "minqing/tickets/tests/test_api.py",
    "api:ticket-supervise": "minqing/tickets/tests/test_api.py",
    # The desk's filing form and its screen-pop API, role by role: minqing/desk/tests/test_desk.py.
    "desk:file": "minqing/desk/tests/test_desk.py",
    "api:desk-caller": "minqing/desk/tests/test_desk.py",
}
# Routes with no scoped data (login, schema, docs, health, language switch, third-party admin).
UNSCOPED = {
    "healthz",
    # Probes and metrics: figures only, no records (minqing/ops/tests).
    "ops:readyz",
    "ops:metrics",
    "accounts:login",
    "accounts:logout",
    "accounts:password_change",
    # The caller's own second factor (minqing/accounts/tests/test_otp.py).
    "accounts:otp_verify",
    "accounts:otp_setup",
    "accounts:otp_recovery",
    "set_language",
    "schema",
    "api-docs",
    "api:api-root",
    "api:token",
    # The tag catalog holds tag names and rules only, no person data.
    "tags:catalog",
    "tags:create",
    "api:tag-list",
}
V_MARKERS = ["鱼塘村", "5206221022110001", "龙在内", "小卖部"]


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
    covered = (
        set(OBJECT_ROUTES) | set(POST_OBJECT_ROUTES) | set(LIST_ROUTES) | UNSCOPED | set(TESTED_ELSEWHERE)
    )
    missing = sorted(all_route_names() - covered)
    assert not missing, f"routes without a scoping test: {missing}"


@pytest.fixture
def objects(tree, records, settings, tmp_path):
    """V's records plus a house, a place and an image attachment (stored under tmp_path)."""
    from minqing.registry.models import House, Place
    from minqing.registry.services import attachment_add

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    place_args = {"area": tree.v1, "area_path": tree.v1.code, "grid": tree.vg1, "grid_path": tree.vg1.code}
    house = House.objects.create(household=records.hv, address="鱼塘村一组1号", **place_args)
    place = Place.objects.create(name="鱼塘村小卖部", place_type="shop", address="鱼塘村口", **place_args)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    admin = User.objects.create_superuser("routes-admin", password="Correct-Horse-42")
    attachment = attachment_add(
        actor=admin, household=records.hv, uploaded_file=upload, kind="photo", title="门口"
    )
    return SimpleNamespace(**vars(records), tree=tree, house=house, place=place, attachment=attachment)


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
def test_object_routes(name, client, users, objects):
    url = reverse(name, kwargs=OBJECT_ROUTES[name](objects))
    expectations = [(users.inside, 200), (users.above, 200), (users.neighbour, 404), (users.nobody, 404)]
    for user, status in expectations:
        client.force_login(user)
        assert client.get(url).status_code == status, (user.username, url)
    client.logout()
    assert client.get(url).status_code in (302, 401, 403)


@pytest.mark.parametrize("name", sorted(POST_OBJECT_ROUTES))
def test_post_object_routes(name, client, users, objects):
    kwargs, data = POST_OBJECT_ROUTES[name]
    url = reverse(name, kwargs=kwargs(objects))
    for user in (users.neighbour, users.nobody):
        client.force_login(user)
        assert client.post(url, data).status_code == 404, (user.username, url)
    client.force_login(users.inside)
    status = client.post(url, data).status_code
    assert status != 404 and status < 500, (url, status)


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_list_routes_never_show_other_areas(name, client, users, objects):
    url = reverse(name)
    for user in (users.neighbour, users.nobody):
        client.force_login(user)
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403)
        body = response.content.decode()
        for marker in V_MARKERS:
            assert marker not in body, (user.username, url, marker)

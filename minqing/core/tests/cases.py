"""Test base classes, one per kind of page and API endpoint (NetBox ``utilities/testing`` style).

A model's test class only says what is particular to it — URL names, how to make an object in a
given area, the form and API payloads, the text that identifies an object on a page — and inherits
every case, each asserting an **exact** status code and that the in-scope user really sees the data::

    class TestPlaceViews(ListViewTestCase, DetailViewTestCase, CreateViewTestCase, UpdateViewTestCase):
        list_url, detail_url, create_url, update_url = "registry:place_list", "registry:place", ...
        def make(self, tree, where): return Place.objects.create(area=getattr(tree, where + "1"), ...)

Status codes, as the code answers today (each asserted exactly):

- anonymous: pages 302 to ``LOGIN_URL?next=…``; API 401 (token authentication comes first);
- an object outside the user's scope (sibling area ``neighbour``, no assignment ``nobody``): 404 on
  every page and endpoint that names it, GET or POST — never 403, which would confirm it exists;
- a user who may view the object but lacks ``change`` (``supervisor``): create and edit pages 403;
  API update 404 (writes are looked up in the change scope); API create 403, like the create pages, for a
  user with no change right anywhere, and 400 with a field error on the area/household for one whose
  change scope lies elsewhere (the service checks the change scope of the place it is asked to write);
- lists never show rows outside the scope: 200 with the row missing.

Objects are made in area V (``where="v"``, the in-scope user ``inside``) or in its sibling W
(``where="w"``, the ``neighbour``). The standard users and area tree come from ``minqing/conftest.py``.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db.models import Model
from django.shortcuts import resolve_url
from django.urls import reverse


def login_redirect(url: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"


def form_data(form, **overrides: Any) -> dict[str, Any]:
    """What a browser would post back for an unbound form: its initial values, plus ``overrides``."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        if value is None or value is False:
            continue
        if isinstance(value, Model):
            value = value.pk
        if isinstance(value, list | tuple):
            value = [v.pk if isinstance(v, Model) else v for v in value]
        elif isinstance(value, dict):
            continue
        elif value is True:
            value = "on"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[form.add_prefix(name)] = value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class ModelTestCase:
    """What every kind shares: the model, how to make one of its objects, and the standard users."""

    model: ClassVar[type[Model]]
    url_kwarg: ClassVar[str] = "pk"
    lookup_attr: ClassVar[str] = "pk"
    # The standard users (minqing/conftest.py) playing each part.
    in_scope_user: ClassVar[str] = "inside"
    parent_user: ClassVar[str] = "above"
    out_of_scope_user: ClassVar[str] = "neighbour"
    no_scope_user: ClassVar[str] = "nobody"
    read_only_user: ClassVar[str] = "supervisor"

    def make(self, tree, where: str) -> Model:
        """An object in area V (``where="v"``) or in its sibling W (``"w"``)."""
        raise NotImplementedError

    def marker(self, obj: Model) -> str:
        """Text that shows the object on a page (its name, number …)."""
        return str(obj)

    def object_kwargs(self, obj: Model) -> dict[str, Any]:
        return {self.url_kwarg: getattr(obj, self.lookup_attr)}

    def user(self, users, part: str):
        return getattr(users, getattr(self, f"{part}_user"))

    @pytest.fixture
    def obj(self, tree, users):
        return self.make(tree, "v")

    @pytest.fixture
    def other(self, tree, users):
        return self.make(tree, "w")

    def fetch(self, obj: Model) -> Model:
        return type(obj)._default_manager.get(pk=obj.pk)


# -------------------------------------------------------------------------------------------- pages


class ListViewTestCase(ModelTestCase):
    list_url: ClassVar[str]

    def list_path(self) -> str:
        return reverse(self.list_url)

    def test_list_anonymous_is_sent_to_login(self, client, obj):
        url = self.list_path()
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url)

    def test_list_shows_in_scope_rows_only(self, client, users, obj, other):
        client.force_login(self.user(users, "in_scope"))
        response = client.get(self.list_path())
        assert response.status_code == 200
        body = response.content.decode()
        assert self.marker(obj) in body
        assert self.marker(other) not in body

    def test_list_from_the_parent_area_shows_both(self, client, users, obj, other):
        client.force_login(self.user(users, "parent"))
        body = client.get(self.list_path()).content.decode()
        assert self.marker(obj) in body and self.marker(other) in body

    def test_list_hides_rows_from_the_sibling_area(self, client, users, obj, other):
        client.force_login(self.user(users, "out_of_scope"))
        response = client.get(self.list_path())
        assert response.status_code == 200
        body = response.content.decode()
        assert self.marker(other) in body
        assert self.marker(obj) not in body

    def test_list_is_empty_without_assignment(self, client, users, obj, other):
        client.force_login(self.user(users, "no_scope"))
        response = client.get(self.list_path())
        assert response.status_code == 200
        body = response.content.decode()
        assert self.marker(obj) not in body and self.marker(other) not in body


class DetailViewTestCase(ModelTestCase):
    detail_url: ClassVar[str]

    def detail_path(self, obj: Model) -> str:
        return reverse(self.detail_url, kwargs=self.object_kwargs(obj))

    def test_detail_anonymous_is_sent_to_login(self, client, obj):
        url = self.detail_path(obj)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url)

    @pytest.mark.parametrize("part", ["in_scope", "parent", "read_only"])
    def test_detail_shows_the_object_in_scope(self, client, users, obj, part):
        client.force_login(self.user(users, part))
        response = client.get(self.detail_path(obj))
        assert response.status_code == 200
        assert self.marker(obj) in response.content.decode()


class OutOfScopeViewTestCase(ModelTestCase):
    """Every page naming an object answers 404 outside the scope, GET and POST, and changes nothing."""

    object_urls: ClassVar[tuple[str, ...]] = ()

    def snapshot(self, obj: Model) -> dict[str, Any]:
        fresh = self.fetch(obj)
        return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}

    @pytest.mark.parametrize("part", ["out_of_scope", "no_scope"])
    def test_object_pages_are_404_out_of_scope(self, client, users, obj, part):
        client.force_login(self.user(users, part))
        before = self.snapshot(obj)
        for name in self.object_urls:
            url = reverse(name, kwargs=self.object_kwargs(obj))
            assert client.get(url).status_code == 404, url
            assert client.post(url, {}).status_code == 404, url
        assert self.snapshot(obj) == before

    def test_object_pages_are_404_for_a_missing_object(self, client, users, obj):
        client.force_login(self.user(users, "in_scope"))
        missing = type(obj)._default_manager.order_by("-pk").values_list("pk", flat=True).first() + 1000
        for name in self.object_urls:
            if self.lookup_attr == "pk":
                assert client.get(reverse(name, kwargs={self.url_kwarg: missing})).status_code == 404, name


class CreateViewTestCase(ModelTestCase):
    """GET the form, POST a valid one (302 to the new object), refuse read-only users and other areas."""

    create_url: ClassVar[str]

    def create_path(self, tree, obj: Model | None = None) -> str:
        return reverse(self.create_url)

    def create_data(self, tree, where: str) -> dict[str, Any]:
        """A valid form for a new object in V (``where="v"``), or the same placed in W."""
        raise NotImplementedError

    def created(self, data: dict[str, Any]) -> Model:
        """The object the valid form created."""
        raise NotImplementedError

    def created_redirect(self, new: Model) -> str:
        """Where a successful create sends the user (the new object's page by default)."""
        return new.get_absolute_url()

    def test_create_anonymous_is_sent_to_login(self, client, tree, obj):
        url = self.create_path(tree, obj)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url)

    def test_create_form_and_valid_post(self, client, users, tree, obj):
        client.force_login(self.user(users, "in_scope"))
        url = self.create_path(tree, obj)
        assert client.get(url).status_code == 200
        before = self.model._default_manager.count()
        data = self.create_data(tree, "v")
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        new = self.created(data)
        assert response["Location"] == self.created_redirect(new)
        assert self.model._default_manager.count() == before + 1
        assert self.marker(new) in client.get(response["Location"]).content.decode()

    def test_create_is_403_without_the_change_right(self, client, users, tree, obj):
        client.force_login(self.user(users, "read_only"))
        url = self.create_path(tree, obj)
        before = self.model._default_manager.count()
        assert client.get(url).status_code == 403
        assert client.post(url, self.create_data(tree, "v")).status_code == 403
        assert self.model._default_manager.count() == before

    def test_create_in_another_area_is_refused(self, client, users, tree, obj):
        """Posted into W by the user of V: the form comes back (200) with an error, nothing is written."""
        client.force_login(self.user(users, "in_scope"))
        before = self.model._default_manager.count()
        response = client.post(self.create_path(tree, obj), self.create_data(tree, "w"))
        assert response.status_code == 200
        assert response.context["form"].errors
        assert self.model._default_manager.count() == before


class UpdateViewTestCase(ModelTestCase):
    """The edit form: 200 with the object, a valid POST saves (302), read-only 403, out of scope 404."""

    update_url: ClassVar[str]
    # field name → new value; ``changed`` reads it back from the saved object.
    update_data: ClassVar[dict[str, Any]]

    def update_path(self, obj: Model) -> str:
        return reverse(self.update_url, kwargs=self.object_kwargs(obj))

    def changed(self, obj: Model) -> dict[str, Any]:
        fresh = self.fetch(obj)
        return {name: str(getattr(fresh, name)) for name in self.update_data}

    def test_update_anonymous_is_sent_to_login(self, client, obj):
        url = self.update_path(obj)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == login_redirect(url)

    def test_update_form_and_valid_post(self, client, users, obj):
        client.force_login(self.user(users, "in_scope"))
        url = self.update_path(obj)
        response = client.get(url)
        assert response.status_code == 200
        assert self.marker(obj) in response.content.decode()
        data = form_data(response.context["form"], **self.update_data)
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == self.fetch(obj).get_absolute_url()
        assert self.changed(obj) == {k: str(v) for k, v in self.update_data.items()}
        assert self.fetch(obj).version == obj.version + 1

    def test_update_is_403_without_the_change_right(self, client, users, obj):
        client.force_login(self.user(users, "in_scope"))
        data = form_data(client.get(self.update_path(obj)).context["form"], **self.update_data)
        client.force_login(self.user(users, "read_only"))
        assert client.get(self.update_path(obj)).status_code == 403
        assert client.post(self.update_path(obj), data).status_code == 403
        assert self.fetch(obj).version == obj.version

    @pytest.mark.parametrize("part", ["out_of_scope", "no_scope"])
    def test_update_is_404_out_of_scope(self, client, users, obj, part):
        client.force_login(self.user(users, "in_scope"))
        data = form_data(client.get(self.update_path(obj)).context["form"], **self.update_data)
        client.force_login(self.user(users, part))
        assert client.get(self.update_path(obj)).status_code == 404
        assert client.post(self.update_path(obj), data).status_code == 404
        assert self.fetch(obj).version == obj.version


# ---------------------------------------------------------------------------------------------- API


class APITestCase(ModelTestCase):
    basename: ClassVar[str]
    # The output field that identifies the object, and ``marker`` compares with it.
    api_marker_field: ClassVar[str] = "id"

    @pytest.fixture
    def api(self):
        from rest_framework.test import APIClient

        return APIClient()

    def api_as(self, api, users, part: str):
        api.force_authenticate(self.user(users, part))
        return api

    def api_list_path(self) -> str:
        return reverse(f"api:{self.basename}-list")

    def api_detail_path(self, obj: Model) -> str:
        return reverse(f"api:{self.basename}-detail", kwargs=self.object_kwargs(obj))

    def api_key(self, obj: Model) -> Any:
        return getattr(obj, self.lookup_attr)

    def api_lookup(self) -> str:
        return "id" if self.lookup_attr == "pk" else self.lookup_attr


class APIListTestCase(APITestCase):
    def keys(self, response) -> set[Any]:
        assert response.status_code == 200, response.content
        return {row[self.api_lookup()] for row in response.json()["results"]}

    def test_api_list_anonymous_is_401(self, api, obj):
        assert api.get(self.api_list_path()).status_code == 401

    def test_api_list_is_scoped(self, api, users, obj, other):
        mine, theirs = self.api_key(obj), self.api_key(other)
        keys = self.keys(self.api_as(api, users, "in_scope").get(self.api_list_path()))
        assert mine in keys and theirs not in keys
        keys = self.keys(self.api_as(api, users, "out_of_scope").get(self.api_list_path()))
        assert theirs in keys and mine not in keys
        assert {mine, theirs} <= self.keys(self.api_as(api, users, "parent").get(self.api_list_path()))
        assert not {mine, theirs} & self.keys(self.api_as(api, users, "no_scope").get(self.api_list_path()))

    def test_api_list_shows_the_data(self, api, users, obj):
        rows = self.api_as(api, users, "in_scope").get(self.api_list_path()).json()["results"]
        row = next(r for r in rows if r[self.api_lookup()] == self.api_key(obj))
        assert str(row[self.api_marker_field]) == self.marker(obj)


class APIDetailTestCase(APITestCase):
    def test_api_detail_anonymous_is_401(self, api, obj):
        assert api.get(self.api_detail_path(obj)).status_code == 401

    @pytest.mark.parametrize("part", ["in_scope", "parent", "read_only"])
    def test_api_detail_in_scope(self, api, users, obj, part):
        response = self.api_as(api, users, part).get(self.api_detail_path(obj))
        assert response.status_code == 200
        body = response.json()
        assert body[self.api_lookup()] == self.api_key(obj)
        assert str(body[self.api_marker_field]) == self.marker(obj)

    @pytest.mark.parametrize("part", ["out_of_scope", "no_scope"])
    def test_api_detail_is_404_out_of_scope(self, api, users, obj, part):
        response = self.api_as(api, users, part).get(self.api_detail_path(obj))
        assert response.status_code == 404
        assert self.marker(obj) not in response.content.decode()


class APICreateTestCase(APITestCase):
    # The input field that places the new object (an area code, or a household id).
    placement_field: ClassVar[str] = "area"

    def api_create_data(self, tree, obj: Model, where: str) -> dict[str, Any]:
        raise NotImplementedError

    def test_api_create_anonymous_is_401(self, api, tree, obj):
        data = self.api_create_data(tree, obj, "v")
        before = self.model._default_manager.count()
        assert api.post(self.api_list_path(), data, format="json").status_code == 401
        assert self.model._default_manager.count() == before

    def test_api_create(self, api, users, tree, obj):
        client = self.api_as(api, users, "in_scope")
        data = self.api_create_data(tree, obj, "v")
        before = self.model._default_manager.count()
        response = client.post(self.api_list_path(), data, format="json")
        assert response.status_code == 201, response.content
        new = self.model._default_manager.get(pk=response.json()["id"])
        assert self.model._default_manager.count() == before + 1
        assert str(response.json()[self.api_marker_field]) == self.marker(new)
        assert client.get(self.api_detail_path(new)).status_code == 200

    @pytest.mark.parametrize("part", ["read_only", "no_scope"])
    def test_api_create_without_any_change_right_is_403(self, api, users, tree, obj, part):
        data = self.api_create_data(tree, obj, "v")
        before = self.model._default_manager.count()
        response = self.api_as(api, users, part).post(self.api_list_path(), data, format="json")
        assert response.status_code == 403
        assert self.model._default_manager.count() == before

    def test_api_create_outside_the_change_scope_is_400(self, api, users, tree, obj):
        data = self.api_create_data(tree, obj, "v")
        before = self.model._default_manager.count()
        client = self.api_as(api, users, "out_of_scope")
        response = client.post(self.api_list_path(), data, format="json")
        assert response.status_code == 400
        assert self.placement_field in response.json()["errors"]
        assert self.model._default_manager.count() == before

    def test_api_create_in_another_area_is_400(self, api, users, tree, obj):
        data = self.api_create_data(tree, obj, "w")
        before = self.model._default_manager.count()
        client = self.api_as(api, users, "in_scope")
        response = client.post(self.api_list_path(), data, format="json")
        assert response.status_code == 400
        assert self.placement_field in response.json()["errors"]
        assert self.model._default_manager.count() == before


class APIUpdateTestCase(APITestCase):
    # field → new value, as sent (PATCH) and as read back from the output.
    api_update_data: ClassVar[dict[str, Any]]

    def test_api_update_anonymous_is_401(self, api, obj):
        data = {**self.api_update_data, "version": obj.version}
        assert api.patch(self.api_detail_path(obj), data, format="json").status_code == 401
        assert self.fetch(obj).version == obj.version

    def test_api_update(self, api, users, obj):
        client = self.api_as(api, users, "in_scope")
        data = {**self.api_update_data, "version": obj.version}
        response = client.patch(self.api_detail_path(obj), data, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["version"] == obj.version + 1
        for field, value in self.api_update_data.items():
            assert body[field] == value

    def test_api_update_needs_the_version(self, api, users, obj):
        client = self.api_as(api, users, "in_scope")
        response = client.patch(self.api_detail_path(obj), self.api_update_data, format="json")
        assert response.status_code == 400
        assert "version" in response.json()["errors"]
        assert self.fetch(obj).version == obj.version

    def test_api_update_stale_version_is_409(self, api, users, obj):
        client = self.api_as(api, users, "in_scope")
        data = {**self.api_update_data, "version": obj.version}
        assert client.patch(self.api_detail_path(obj), data, format="json").status_code == 200
        response = client.patch(self.api_detail_path(obj), data, format="json")
        assert response.status_code == 409
        assert response.json()["current_version"] == obj.version + 1

    @pytest.mark.parametrize("part", ["read_only", "out_of_scope", "no_scope"])
    def test_api_update_is_404_outside_the_change_scope(self, api, users, obj, part):
        data = {**self.api_update_data, "version": obj.version}
        response = self.api_as(api, users, part).patch(self.api_detail_path(obj), data, format="json")
        assert response.status_code == 404
        assert self.fetch(obj).version == obj.version

"""Every dynamic response carries ``Cache-Control: no-store, private`` (minqing/core/no_store.py); static
files and the public probes keep their own caching; ``Vary: HX-Request`` on list pages stays."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.cache import get_max_age
from PIL import Image

from minqing.core.no_store import NoStoreMiddleware, has_no_store


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


def consume(response) -> None:
    # Reading streaming_content closes the file; response.close() would fire request_finished outside the
    # test client's guard and close the test transaction's database connection (PostgreSQL).
    b"".join(response.streaming_content)


def assert_not_stored(response) -> None:
    assert {"no-store", "private"} <= directives(response), response.get("Cache-Control")
    assert "public" not in directives(response)


@pytest.fixture
def attachment(settings, tmp_path, users, records):
    from minqing.registry.services import attachment_add

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    upload = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    return attachment_add(actor=users.inside, household=records.hv, uploaded_file=upload, kind="photo")


def test_signed_in_pages_fragments_and_api_are_not_stored(client, users, records):
    client.force_login(users.inside)
    assert_not_stored(client.get(reverse("home:index")))
    page = client.get(reverse("registry:household", kwargs={"pk": records.hv.pk}))
    assert page.status_code == 200
    assert_not_stored(page)
    fragment = client.get(reverse("registry:household_list"), HTTP_HX_REQUEST="true")
    assert_not_stored(fragment)
    assert "HX-Request" in fragment["Vary"]  # the list pages' Vary stays
    api = client.get(reverse("api:area-list"))
    assert api["Content-Type"].startswith("application/json")
    assert_not_stored(api)


def test_downloads_and_thumbnails_are_not_stored(client, users, attachment):
    client.force_login(users.inside)
    for name in ("registry:attachment", "registry:attachment_thumb"):
        response = client.get(reverse(name, kwargs={"pk": attachment.pk}))
        assert response.status_code == 200, name
        assert_not_stored(response)
        consume(response)


def test_anonymous_answers_and_errors_are_not_stored(client, db):
    assert_not_stored(client.get(reverse("accounts:login")))  # carries a CSRF token
    assert_not_stored(client.get(reverse("home:index")))  # the redirect to the login page
    assert_not_stored(client.get(reverse("api:area-list")))  # 401


def test_static_files_and_probes_keep_their_own_caching(client, db):
    static = client.get("/static/minqing/minqing.css")
    assert static.status_code == 200
    assert not has_no_store(static)
    consume(static)
    assert (
        client.get(reverse("healthz"))["Cache-Control"]
        == "max-age=0, no-cache, no-store, must-revalidate, private"
    )


def test_middleware_overrides_caching_but_keeps_an_existing_no_store(settings):
    request = RequestFactory().get("/households/")

    def cached(_request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    response = NoStoreMiddleware(cached)(request)
    assert_not_stored(response)
    assert get_max_age(response) == 0

    def own(_request):
        response = HttpResponse("x")
        response["Cache-Control"] = "private, no-store"
        return response

    assert NoStoreMiddleware(own)(request)["Cache-Control"] == "private, no-store"
    settings.NO_STORE_EXEMPT_PATHS = ["/households/"]
    assert NoStoreMiddleware(cached)(request)["Cache-Control"] == "public, max-age=3600"

"""The visit API role by role: list, retrieve, create (201, or 200 for a repeated client_id), withdraw, photos."""

import pytest
from django.urls import reverse

from minqing.visits import services
from minqing.visits.models import Visit

from .helpers import data, new_id, photo, stationed


@pytest.fixture
def visit(users, records):
    entry, _ = services.log_visit(
        actor=users.inside, household=records.hv, data=data(), photos=[photo()], client_id=new_id()
    )
    return entry


def role(users, tree, name):
    return stationed(tree) if name == "stationed" else getattr(users, name)


READERS = ["inside", "above", "grid", "stationed", "county", "supervisor", "data_admin", "admin"]
OUTSIDERS = ["neighbour", "desk", "health", "nobody"]


@pytest.mark.parametrize("who", READERS + OUTSIDERS)
def test_list_and_retrieve(login, users, tree, visit, who):
    client = login(role(users, tree, who))
    listed = client.get(reverse("api:visit-list"))
    assert listed.status_code == 200
    ids = [row["id"] for row in listed.json()["results"]]
    assert ids == ([visit.pk] if who in READERS else [])
    detail = client.get(reverse("api:visit-detail", args=[visit.pk]))
    photo_file = client.get(reverse("api:visit-photo", args=[visit.pk, 1]))
    if who in READERS:
        body = detail.json()
        assert detail.status_code == 200 and body["kind"] == "home" and body["status"] == "current"
        assert body["photos"][0]["exif_latitude"] == "27.238167"
        assert body["photos"][0]["url"].endswith(f"/api/v1/visits/{visit.pk}/photos/1/")
        assert photo_file.status_code == 200 and photo_file["Content-Type"] == "image/jpeg"
    else:
        assert detail.status_code == 404 and photo_file.status_code == 404


def test_list_filters(login, users, records, visit):
    client = login(users.inside)
    url = reverse("api:visit-list")
    assert len(client.get(url, {"household": records.hv.pk}).json()["results"]) == 1
    assert len(client.get(url, {"household": records.hw.pk}).json()["results"]) == 0
    assert len(client.get(url, {"kind": "policy"}).json()["results"]) == 0
    assert len(client.get(url, {"mine": "true"}).json()["results"]) == 1
    assert len(login(users.above).get(url, {"mine": "true"}).json()["results"]) == 0


CREATE = [
    ("inside", 201),
    ("above", 201),
    ("grid", 201),
    ("stationed", 201),
    ("admin", 201),
    ("county", 403),
    ("supervisor", 403),
    ("data_admin", 403),
    ("neighbour", 404),
    ("desk", 404),
    ("health", 404),
    ("nobody", 404),
]


@pytest.mark.parametrize("who, status", CREATE)
def test_create_json(login, users, tree, records, who, status):
    client = login(role(users, tree, who))
    body = {**data(), "household": records.hv.pk, "client_id": new_id(), "created_at": "2099-01-01T00:00:00Z"}
    response = client.post(reverse("api:visit-list"), body, content_type="application/json")
    assert response.status_code == status, response.content
    assert Visit.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["created_at"] < "2099"


def test_create_multipart_with_photos_is_idempotent(login, users, records):
    client = login(users.inside)
    key = new_id()
    body = {
        **data(),
        "household": records.hv.pk,
        "client_id": key,
        "latitude": "27.24",
        "longitude": "108.91",
    }
    first = client.post(reverse("api:visit-list"), {**body, "photos": [photo("a.jpg"), photo("b.jpg")]})
    again = client.post(reverse("api:visit-list"), {**body, "photos": [photo("a.jpg"), photo("b.jpg")]})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and len(again.json()["photos"]) == 2
    assert Visit.objects.count() == 1


def test_create_errors(login, users, records):
    client = login(users.inside)
    url = reverse("api:visit-list")
    missing = client.post(url, {**data(), "household": records.hv.pk}, content_type="application/json")
    assert missing.status_code == 400 and "client_id" in missing.json()["errors"]
    grid = login(users.grid)
    outside = grid.post(
        url, {**data(), "household": records.hw.pk, "client_id": new_id()}, content_type="application/json"
    )
    assert outside.status_code == 404
    text = client.post(
        url,
        {**data(found="电话13800001111"), "household": records.hv.pk, "client_id": new_id()},
        content_type="application/json",
    )
    assert text.status_code == 400 and "found" in text.json()["errors"]
    bad = client.post(
        url, {**data(), "household": records.hv.pk, "client_id": new_id(), "photos": [photo(fmt="GIF")]}
    )
    assert bad.status_code == 400 and "photos" in bad.json()["errors"]
    assert Visit.objects.count() == 0


def test_withdraw(login, users, tree, visit):
    url = reverse("api:visit-withdraw", args=[visit.pk])
    assert login(users.above).post(url, {"client_id": new_id()}).status_code == 403
    assert login(users.neighbour).post(url, {"client_id": new_id()}).status_code == 404
    key = new_id()
    response = login(users.inside).post(url, {"client_id": key, "reason": "重复"})
    assert response.status_code == 201 and response.json()["entry_type"] == "withdrawal"
    assert login(users.inside).post(url, {"client_id": key}).status_code == 200
    assert Visit.objects.count() == 2


def test_no_update_or_delete(login, users, visit):
    client = login(users.inside)
    url = reverse("api:visit-detail", args=[visit.pk])
    assert client.patch(url, {"found": "x"}, content_type="application/json").status_code == 405
    assert client.delete(url).status_code == 405


def test_list_queries_are_bounded(login, users, records, django_assert_max_num_queries):
    for i in range(15):
        services.log_visit(
            actor=users.inside,
            household=records.hv,
            data=data(),
            photos=[photo(size=(40, 30))] if i < 3 else None,
            client_id=new_id(),
        )
    client = login(users.inside)
    # session, user, assignments, entries, their photos, their successors; + the session write (3, once a minute)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("api:visit-list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("api:visit-list"), {"kind": "home"}).status_code == 200


def test_revise_within_grace_then_correct_after_it(login, users, visit, settings):
    url = reverse("api:visit-revise", args=[visit.pk])
    body = {"kind": "home", "found": "屋顶漏雨", "done": "已联系维修队"}
    assert login(users.above).post(url, {**body, "client_id": new_id()}).status_code == 403
    assert login(users.neighbour).post(url, {**body, "client_id": new_id()}).status_code == 404
    client = login(users.inside)
    key = new_id()
    revised = client.post(url, {**body, "client_id": key}, content_type="application/json")
    assert revised.status_code == 201
    assert revised.json()["entry_type"] == "revision" and revised.json()["corrects"] == visit.pk
    assert len(revised.json()["photos"]) == 1  # no new photos: the earlier entry's are kept
    # The phone sends it again: the stored entry, not a refusal because the original was superseded.
    again = client.post(url, {**body, "client_id": key}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == revised.json()["id"]
    assert client.post(url, {**body, "client_id": new_id()}).status_code == 400  # superseded

    settings.VISIT_GRACE_MINUTES = 0  # the grace period is over (moving the clock would end the session)
    later_url = reverse("api:visit-revise", args=[revised.json()["id"]])
    no_reason = client.post(later_url, {**body, "client_id": new_id()}, content_type="application/json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    fixed = client.post(
        later_url, {**body, "reason": "情况写错", "client_id": new_id()}, content_type="application/json"
    )
    assert fixed.status_code == 201 and fixed.json()["entry_type"] == "correction"
    assert fixed.json()["reason"] == "情况写错" and fixed.json()["origin"] == visit.pk
    assert Visit.objects.count() == 3

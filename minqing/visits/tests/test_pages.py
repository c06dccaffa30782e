"""The visit pages role by role, with exact status codes, and their query counts."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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


READERS_OF_V = ["inside", "above", "grid", "stationed", "county", "supervisor", "data_admin", "admin"]
NOT_IN_V = ["neighbour", "desk", "health", "nobody"]


@pytest.mark.parametrize(
    "who, status",
    [(w, 200) for w in READERS_OF_V] + [("neighbour", 200), ("desk", 403), ("health", 403), ("nobody", 403)],
)
def test_list(login, users, tree, visit, who, status):
    response = login(role(users, tree, who)).get(reverse("visits:list"))
    assert response.status_code == status
    if status == 200:
        assert ("龙在内" in response.content.decode()) is (who != "neighbour")


@pytest.mark.parametrize("who, status", [(w, 200) for w in READERS_OF_V] + [(w, 404) for w in NOT_IN_V])
def test_detail_photo_and_timeline(login, users, tree, visit, who, status):
    client = login(role(users, tree, who))
    urls = [
        reverse("visits:detail", args=[visit.pk]),
        reverse("visits:photo", args=[visit.pk, 1]),
        reverse("visits:photo_thumb", args=[visit.pk, 1]),
        reverse("visits:household", args=[visit.household_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == status, url
    if status == 200:
        photo_response = client.get(urls[1])
        assert photo_response["Content-Type"] == "image/jpeg"
        assert photo_response["Cache-Control"] == "private, no-store"
        assert b"".join(photo_response.streaming_content)[:2] == b"\xff\xd8"


def test_missing_photo_is_404(login, users, visit):
    assert login(users.inside).get(reverse("visits:photo", args=[visit.pk, 2])).status_code == 404


NEW_STATUS = [
    ("inside", 200),
    ("above", 200),
    ("grid", 200),
    ("stationed", 200),
    ("admin", 200),
    ("county", 403),
    ("supervisor", 403),
    ("data_admin", 403),
    ("desk", 403),
    ("health", 403),
    ("nobody", 403),
    ("neighbour", 404),
]


@pytest.mark.parametrize("who, status", NEW_STATUS)
def test_new_form(login, users, tree, records, who, status):
    url = reverse("visits:new") + f"?household={records.hv.pk}"
    assert login(role(users, tree, who)).get(url).status_code == status


def test_grid_worker_outside_the_grid_and_bad_household(login, users, records):
    client = login(users.grid)
    assert client.get(reverse("visits:new") + f"?household={records.hw.pk}").status_code == 404
    assert client.get(reverse("visits:new") + "?household=abc").status_code == 404
    assert client.get(reverse("visits:new") + "?household=999999").status_code == 404


def test_picker_lists_only_households_the_user_may_visit(login, users, records):
    body = login(users.inside).get(reverse("visits:new")).content.decode()
    assert "龙在内" in body and "杨在邻" not in body and "吴在远" not in body
    body = login(users.inside).get(reverse("visits:new") + "?q=龙").content.decode()
    assert "龙在内" in body


@pytest.mark.parametrize("who", ["inside", "grid", "stationed", "above"])
def test_post_logs_once_even_when_sent_twice(login, users, tree, records, who):
    actor = role(users, tree, who)
    client = login(actor)
    key = new_id()
    url = reverse("visits:new") + f"?household={records.hv.pk}"
    body = {**data(), "client_id": key, "household": records.hv.pk, "latitude": "27.2", "longitude": "108.9"}
    first = client.post(url, {**body, "photos": [photo("a.jpg"), photo("b.jpg")]})
    again = client.post(url, {**body, "photos": [photo("a.jpg"), photo("b.jpg")]})
    visit = Visit.objects.get()
    assert (
        first.status_code == again.status_code == 302 and first.url == again.url == visit.get_absolute_url()
    )
    assert visit.photos.count() == 2 and visit.author == actor


def test_post_errors_are_shown_and_nothing_is_saved(login, users, records):
    url = reverse("visits:new") + f"?household={records.hv.pk}"
    response = login(users.inside).post(
        url, {"kind": "home", "found": "", "done": "", "client_id": new_id(), "photos": [photo()]}
    )
    assert response.status_code == 400 and "至少一项" in response.content.decode()
    junk = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>")
    response = login(users.inside).post(url, {**data(), "client_id": new_id(), "photos": [photo(), junk]})
    assert response.status_code == 400 and "第 2 张照片" in response.content.decode()
    assert Visit.objects.count() == 0


@pytest.mark.parametrize("who", ["county", "supervisor", "neighbour", "nobody"])
def test_post_refused(login, users, tree, records, who):
    url = reverse("visits:new") + f"?household={records.hv.pk}"
    response = login(role(users, tree, who)).post(url, {**data(), "client_id": new_id()})
    assert response.status_code in (403, 404) and response.status_code == (404 if who == "neighbour" else 403)
    assert Visit.objects.count() == 0


# ------------------------------------------------------------------------------------------ revise, withdraw


@pytest.mark.parametrize(
    "who, status", [("inside", 200), ("above", 403), ("county", 403), ("neighbour", 404)]
)
def test_revise_form_only_for_the_author(login, users, tree, visit, who, status):
    assert login(role(users, tree, who)).get(reverse("visits:revise", args=[visit.pk])).status_code == status


def test_revise_and_withdraw_through_the_pages(login, users, visit):
    client = login(users.inside)
    response = client.post(
        reverse("visits:revise", args=[visit.pk]),
        {**data(done="改好了"), "client_id": new_id(), "keep_photos": "1"},
    )
    revised = Visit.objects.get(corrects=visit)
    assert response.status_code == 302 and response.url == revised.get_absolute_url()
    assert revised.photos.count() == 1
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "已修改" in page and "查看最新记录" in page
    response = client.post(
        reverse("visits:withdraw", args=[revised.pk]), {"client_id": new_id(), "reason": "重复"}
    )
    assert response.status_code == 302 and revised.status == "withdrawn"


@pytest.mark.parametrize(
    "who, status", [("above", 403), ("county", 403), ("neighbour", 404), ("nobody", 404)]
)
def test_withdraw_refused_to_others(login, users, tree, visit, who, status):
    url = reverse("visits:withdraw", args=[visit.pk])
    assert login(role(users, tree, who)).post(url, {"client_id": new_id()}).status_code == status
    assert Visit.objects.count() == 1


def test_after_grace_the_page_offers_a_correction(login, users, visit, monkeypatch):
    import datetime

    from django.utils import timezone

    moved = timezone.now() + datetime.timedelta(minutes=45)
    monkeypatch.setattr(timezone, "now", lambda: moved)
    client = login(users.inside)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "更正" in page and reverse("visits:withdraw", args=[visit.pk]) not in page
    response = client.post(reverse("visits:withdraw", args=[visit.pk]), {"client_id": new_id()}, follow=True)
    assert "超过 30 分钟" in response.content.decode() and Visit.objects.count() == 1
    response = client.post(reverse("visits:revise", args=[visit.pk]), {**data(), "client_id": new_id()})
    assert response.status_code == 400 and "请说明更正原因" in response.content.decode()
    response = client.post(
        reverse("visits:revise", args=[visit.pk]), {**data(), "client_id": new_id(), "reason": "写错"}
    )
    assert response.status_code == 302 and Visit.objects.get(corrects=visit).entry_type == "correction"


# ------------------------------------------------------------------------------------------ household page


def test_household_page_panel(login, users, tree, visit, records):
    body = login(users.inside).get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert 'data-testid="visit-panel"' in body and 'data-testid="log-visit"' in body
    body = login(users.county).get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert 'data-testid="visit-panel"' in body and 'data-testid="log-visit"' not in body
    timeline = login(users.county).get(reverse("visits:household", args=[records.hv.pk])).content.decode()
    assert "家中老人" in timeline and reverse("visits:photo_thumb", args=[visit.pk, 1]) in timeline


# ------------------------------------------------------------------------------------------ queries


def many(users, records, n=12):
    for i in range(n):
        services.log_visit(
            actor=users.inside,
            household=records.hv,
            data=data(found=f"情况{i}"),
            photos=[photo(size=(60, 40))] if i % 3 == 0 else None,
            client_id=str(uuid.uuid4()),
        )


def test_pages_run_a_bounded_number_of_queries(login, users, records, django_assert_max_num_queries):
    many(users, records, 3)
    client = login(users.inside)
    first = Visit.objects.order_by("pk").first()
    pages = [
        reverse("visits:list"),
        reverse("visits:detail", args=[first.pk]),
        reverse("visits:household", args=[records.hv.pk]),
        reverse("visits:new") + f"?household={records.hv.pk}",
        reverse("visits:new"),
    ]
    counts = {}
    for url in pages:
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    many(users, records, 12)
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200

"""The visit-log services: scope, idempotency, server time, location, photos, grace period, free text."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from minqing.core.models import AuditEvent
from minqing.registry.tests.factories import HouseholdFactory
from minqing.visits import services
from minqing.visits.models import EntryType, Visit, VisitPhoto

from .helpers import data, jpeg_bytes, new_id, photo, stationed


def log(actor, household, client_id=None, photos=None, **extra):
    return services.log_visit(
        actor=actor, household=household, data=data(**extra), photos=photos, client_id=client_id or new_id()
    )


def test_log_visit_stores_server_time_author_and_scope_copies(db, users, records):
    before = timezone.now()
    visit, created = log(users.inside, records.hv, created_at="2030-01-01T00:00:00Z")
    assert created
    assert before <= visit.created_at <= timezone.now()  # the client's time is ignored
    assert (visit.area_path, visit.grid_path) == (records.hv.area_path, records.hv.grid_path)
    assert visit.author == users.inside and visit.entry_type == EntryType.VISIT
    assert visit.row_hash.startswith("sha256:")


def test_same_client_id_twice_is_one_entry(db, users, records):
    key = new_id()
    first, created = log(users.inside, records.hv, client_id=key, photos=[photo()])
    again, created_again = log(users.inside, records.hv, client_id=key, photos=[photo(), photo()])
    assert created and not created_again and first.pk == again.pk
    assert Visit.objects.count() == 1 and VisitPhoto.objects.count() == 1


def test_client_id_of_another_user_or_household_is_refused(db, users, records, tree):
    key = new_id()
    log(users.inside, records.hv, client_id=key)
    with pytest.raises(ValidationError, match="已被另一条记录使用"):
        log(users.grid, records.hv, client_id=key)
    other = HouseholdFactory(number="5206221022110099", area=tree.v2)
    with pytest.raises(ValidationError, match="已被另一条记录使用"):
        log(users.inside, other, client_id=key)
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("value", ["", "not-a-uuid", None])
def test_client_id_is_required(db, users, records, value):
    with pytest.raises(ValidationError, match="client_id"):
        services.log_visit(actor=users.inside, household=records.hv, data=data(), client_id=value)


def test_scope_by_role(db, users, records, tree):
    cadre = stationed(tree)
    for actor in (users.inside, users.above, users.grid, cadre, users.admin):
        assert log(actor, records.hv)[1]
    with pytest.raises(Http404):
        log(users.grid, records.hw)  # outside the grid
    with pytest.raises(Http404):
        log(users.neighbour, records.hv)
    with pytest.raises(Http404):
        log(cadre, records.hx)
    for reader in (users.county, users.supervisor, users.data_admin):
        with pytest.raises(PermissionDenied):
            log(reader, records.hv)  # may read the household, not log visits
    for outsider in (users.desk, users.health, users.nobody):
        with pytest.raises(Http404):
            log(outsider, records.hv)
    assert Visit.objects.count() == 5


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"kind": "party"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"found": "", "done": ""}, "found"),
        ({"found": "户主电话13800001111"}, "found"),
        ({"done": "身份证522225199001011234"}, "done"),
        ({"found": "很长" * 1001}, "found"),
        ({"latitude": "91", "longitude": "108"}, "latitude"),
        ({"latitude": "27", "longitude": "181"}, "longitude"),
        ({"latitude": "27.2", "longitude": ""}, "longitude"),
        ({"latitude": "abc", "longitude": "108"}, "latitude"),
        ({"latitude": "NaN", "longitude": "108"}, "latitude"),
        ({"latitude": "27", "longitude": "108", "accuracy_m": "-5"}, "accuracy_m"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(db, users, records, extra, field):
    with pytest.raises(ValidationError) as caught:
        log(users.inside, records.hv, photos=[photo()], **extra)
    assert field in caught.value.message_dict
    assert Visit.objects.count() == 0 and VisitPhoto.objects.count() == 0


def test_location_is_stored_with_its_accuracy(db, users, records):
    visit, _ = log(users.inside, records.hv, latitude="27.238167", longitude="108.907", accuracy_m="12.34")
    visit.refresh_from_db()
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (
        Decimal("27.238167"),
        Decimal("108.907000"),
        Decimal("12.3"),
    )


# ------------------------------------------------------------------------------------------ photos


def test_photos_are_compressed_stripped_and_their_exif_kept(db, users, records):
    visit, _ = log(users.inside, records.hv, photos=[photo(), photo(gps=False, taken=None, size=(800, 600))])
    first, second = visit.photos.order_by("position")
    assert visit.photo_hashes == [first.sha256, second.sha256]
    assert (first.exif_latitude, first.exif_longitude) == (Decimal("27.238167"), Decimal("108.907000"))
    assert first.exif_taken_at == datetime.datetime(2026, 11, 30, 1, 15, tzinfo=datetime.UTC)
    assert second.exif_latitude is None and second.exif_taken_at is None
    with first.file.open("rb") as handle:
        stored = handle.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (1600, 889) and (first.width, first.height) == image.size
    assert not image.getexif() and "comment" not in image.info and b"TestCam" not in stored
    assert b"Exif" not in stored[:200]
    assert (second.width, second.height) == (800, 600)  # never enlarged
    with first.thumbnail.open("rb") as handle:
        thumbnail = handle.read()
    assert Image.open(io.BytesIO(thumbnail)).size[0] <= 320
    assert b"secret comment" not in thumbnail and b"TestCam" not in thumbnail


def test_orientation_is_applied(db, users, records):
    visit, _ = log(users.inside, records.hv, photos=[photo(size=(1000, 500), orientation=6)])
    stored = visit.photos.get()
    assert (stored.width, stored.height) == (500, 1000)


def test_png_and_webp_are_accepted_as_jpeg(db, users, records):
    files = [
        SimpleUploadedFile("a.png", jpeg_bytes(size=(300, 200), fmt="PNG")),
        SimpleUploadedFile("b.webp", jpeg_bytes(size=(300, 200), fmt="WEBP")),
    ]
    visit, _ = log(users.inside, records.hv, photos=files)
    assert visit.photos.count() == 2


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image" * 20), "第 2 张照片"),
        (SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n"), "不是照片"),
        (SimpleUploadedFile("x.jpg", b""), "文件是空的"),
        (SimpleUploadedFile("x.jpg", jpeg_bytes()[:3000]), "第 2 张照片"),
    ],
)
def test_bad_photos_are_refused_and_nothing_is_saved(db, users, records, upload, message):
    with pytest.raises(ValidationError, match=message) as caught:
        log(users.inside, records.hv, photos=[photo(), upload])
    assert "photos" in caught.value.message_dict
    assert Visit.objects.count() == 0 and VisitPhoto.objects.count() == 0


def test_too_large_and_too_many_photos(db, users, records, settings):
    settings.ATTACHMENT_MAX_BYTES = 10_000
    with pytest.raises(ValidationError, match="照片过大"):
        log(users.inside, records.hv, photos=[photo()])
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError, match="最多 9 张照片，您选择了 10 张"):
        log(users.inside, records.hv, photos=[photo(size=(20, 20)) for _ in range(10)])
    assert Visit.objects.count() == 0


def test_files_are_removed_when_the_entry_is_not_stored(db, users, records, monkeypatch):
    from django.core.files.storage import default_storage

    def boom(*args, **kwargs):
        raise RuntimeError("database down")

    folder = f"visits/{records.hv.area_path[:9]}"
    before = set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()
    monkeypatch.setattr(VisitPhoto.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        log(users.inside, records.hv, photos=[photo()])
    assert Visit.objects.count() == 0
    assert set(default_storage.listdir(folder)[1]) == before


# ------------------------------------------------------------------------------------------ grace period


def later(monkeypatch, minutes):
    moved = timezone.now() + datetime.timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_revise_within_grace_replaces_and_keeps_photos(db, users, records):
    visit, _ = log(users.inside, records.hv, photos=[photo()])
    revised, created = services.visit_revise(
        actor=users.inside, visit=visit, data=data(done="已联系维修队"), client_id=new_id()
    )
    assert created and revised.entry_type == EntryType.REVISION
    assert (revised.corrects, revised.origin) == (visit, visit)
    assert revised.photo_hashes == visit.photo_hashes and revised.photos.count() == 1
    assert revised.photos.get().file.name == visit.photos.get().file.name
    assert visit.status == "revised" and revised.status == "current"
    assert list(Visit.objects.current()) == [revised]
    assert list(Visit.objects.counted()) == [visit]
    assert AuditEvent.objects.filter(verb="visits.revised").count() == 1
    with pytest.raises(ValidationError, match="已被修改"):
        services.visit_revise(actor=users.inside, visit=visit, data=data(), client_id=new_id())


def test_withdraw_within_grace(db, users, records):
    visit, _ = log(users.inside, records.hv)
    withdrawal, _ = services.visit_withdraw(
        actor=users.inside, visit=visit, reason="记错了户", client_id=new_id()
    )
    assert withdrawal.entry_type == EntryType.WITHDRAWAL and withdrawal.corrects == visit
    assert visit.status == "withdrawn"
    assert not Visit.objects.counted().exists() and not Visit.objects.current().exists()
    assert Visit.objects.count() == 2  # nothing was deleted


def test_after_grace_only_a_correction(db, users, records, monkeypatch):
    visit, _ = log(users.inside, records.hv)
    later(monkeypatch, 31)
    with pytest.raises(ValidationError, match="超过 30 分钟"):
        services.visit_revise(actor=users.inside, visit=visit, data=data(), client_id=new_id())
    with pytest.raises(ValidationError, match="超过 30 分钟"):
        services.visit_withdraw(actor=users.inside, visit=visit, reason="x", client_id=new_id())
    with pytest.raises(ValidationError, match="请说明更正原因"):
        services.visit_revise(
            actor=users.inside, visit=visit, data=data(), client_id=new_id(), correction=True
        )
    fixed, _ = services.visit_revise(
        actor=users.inside,
        visit=visit,
        data=data(found="房屋漏雨已修好", reason="情况写错"),
        client_id=new_id(),
        correction=True,
    )
    assert fixed.entry_type == EntryType.CORRECTION and fixed.reason == "情况写错"
    assert visit.status == "corrected"
    assert list(Visit.objects.counted()) == [visit]
    assert AuditEvent.objects.filter(verb="visits.corrected").count() == 1


@override_settings(VISIT_GRACE_MINUTES=5)
def test_grace_period_is_a_setting(db, users, records, monkeypatch):
    visit, _ = log(users.inside, records.hv)
    later(monkeypatch, 6)
    with pytest.raises(ValidationError, match="超过 5 分钟"):
        services.visit_withdraw(actor=users.inside, visit=visit, reason="", client_id=new_id())


def test_only_the_author_changes_an_entry(db, users, records):
    visit, _ = log(users.inside, records.hv)
    with pytest.raises(PermissionDenied):
        services.visit_withdraw(actor=users.above, visit=visit, reason="", client_id=new_id())
    with pytest.raises(Http404):
        services.visit_withdraw(actor=users.neighbour, visit=visit, reason="", client_id=new_id())


def test_orm_refuses_changes(db, users, records):
    from minqing.core.hashchain import AppendOnlyError

    visit, _ = log(users.inside, records.hv)
    with pytest.raises(AppendOnlyError):
        Visit.objects.filter(pk=visit.pk).update(found="x")
    with pytest.raises(AppendOnlyError):
        visit.delete()
    with pytest.raises(AppendOnlyError):
        visit.save()


def test_chains_are_per_author(db, users, records):
    a1, _ = log(users.inside, records.hv)
    b1, _ = log(users.above, records.hv)
    a2, _ = log(users.inside, records.hv)
    assert a1.prev_hash == "" and b1.prev_hash == "" and a2.prev_hash == a1.row_hash
    report = services.visits_verify()
    assert report.ok and report.chains == 2 and report.checked == 3

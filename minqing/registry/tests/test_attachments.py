"""Attachments: type detection from content, limits, thumbnails, scoped download and delete."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from PIL import Image

from minqing.core import audit, uploads
from minqing.core.models import AuditEvent
from minqing.registry import services
from minqing.registry.models import Attachment
from minqing.registry.tests.attachment_helpers import (
    PDF,
    TYPE_ERROR,
    add,
    assert_nothing_written,
    image_bytes,
    stored_files,
    upload,
)

# --- service: happy paths ------------------------------------------------------------------------


def test_png_upload_creates_row_thumbnail_and_audit(storage_root, users, records):
    data = image_bytes()
    attachment = add(users.inside, records.hv, upload("门牌.png", data, "image/png"), person=records.pv)

    attachment.refresh_from_db()
    assert attachment.content_type == "image/png"
    assert attachment.size == attachment.file.size  # the stored (re-encoded) file's size
    assert attachment.original_name == "门牌.png"
    assert (attachment.area_path, attachment.grid_path) == (records.hv.area_path, records.hv.grid_path)
    assert attachment.person == records.pv
    assert attachment.uploaded_by == users.inside
    with Image.open(attachment.file) as stored, Image.open(io.BytesIO(data)) as sent:
        assert stored.format == "PNG"
        assert stored.tobytes() == sent.tobytes()  # PNG is lossless: the same pixels
    assert "门牌" not in attachment.file.name  # stored under a random name
    with Image.open(attachment.thumbnail) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) <= uploads.THUMBNAIL_PX
    assert len(stored_files(storage_root)) == 2
    event = AuditEvent.objects.get(verb="registry.attachment.added")
    assert event.household_id == records.hv.pk
    assert event.target_id == str(attachment.pk)
    assert event.area_path == records.hv.area_path


def test_pdf_detected_by_magic_without_thumbnail(storage_root, users, records):
    attachment = add(users.inside, records.hv, upload("scan", PDF, "text/plain"), kind="certificate")
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "scan.pdf"
    assert not attachment.thumbnail
    assert len(stored_files(storage_root)) == 1


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_jpeg_and_webp_accepted(storage_root, users, records, fmt, content_type):
    attachment = add(users.inside, records.hv, upload("x.bin", image_bytes(fmt)))
    assert attachment.content_type == content_type
    assert attachment.thumbnail


def test_thumbnail_honours_exif_orientation(storage_root, users, records):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, displayed rotated 90° (portrait)
    data = image_bytes("JPEG", (800, 400), exif=exif.tobytes())
    attachment = add(users.inside, records.hv, upload("手机照片.jpg", data, "image/jpeg"))
    with Image.open(attachment.thumbnail) as thumb:
        assert thumb.size == (160, 320)


def test_exif_gps_and_camera_stripped_from_stored_jpeg(storage_root, users, records):
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # Make
    exif[0x0112] = 6  # Orientation: applied to the pixels, then dropped
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 10.0), 3: "E", 4: (120.0, 9.0, 30.0)}  # GPSInfo
    data = image_bytes("JPEG", (800, 400), exif=exif.tobytes(), comment=b"shot at home")
    with Image.open(io.BytesIO(data)) as sent:  # the fixture really carries it
        assert sent.getexif()[0x010F] == "HUAWEI" and sent.getexif().get_ifd(0x8825)
    attachment = add(users.inside, records.hv, upload("手机照片.jpg", data, "image/jpeg"))

    stored_bytes = attachment.file.read()
    assert b"HUAWEI" not in stored_bytes and b"shot at home" not in stored_bytes
    with Image.open(io.BytesIO(stored_bytes)) as stored:
        assert stored.format == "JPEG"
        assert "exif" not in stored.info and "xmp" not in stored.info and "comment" not in stored.info
        assert not stored.getexif()
        assert stored.size == (400, 800)  # upright, though the orientation tag is gone
    assert attachment.size == len(stored_bytes)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_exif_stripped_from_stored_png_and_webp(storage_root, users, records, fmt):
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 10.0)}
    data = image_bytes(fmt, (64, 48), exif=exif.tobytes())
    with Image.open(io.BytesIO(data)) as sent:
        assert sent.getexif()[0x010F] == "HUAWEI"
    attachment = add(users.inside, records.hv, upload(f"x.{fmt.lower()}", data))
    stored_bytes = attachment.file.read()
    assert b"HUAWEI" not in stored_bytes
    with Image.open(io.BytesIO(stored_bytes)) as stored:
        assert stored.format == fmt
        assert not stored.getexif()
        assert stored.size == (64, 48)


def test_pdf_stored_byte_for_byte(storage_root, users, records):
    attachment = add(users.inside, records.hv, upload("scan.pdf", PDF), kind="certificate")
    assert attachment.file.read() == PDF
    assert attachment.size == len(PDF)


def test_transparent_png_thumbnail_is_flattened(storage_root, users, records):
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    attachment = add(users.inside, records.hv, upload("a.png", out.getvalue()))
    with Image.open(attachment.thumbnail) as thumb:
        assert thumb.mode == "RGB"
        assert thumb.getpixel((10, 10)) == (255, 255, 255)


# --- service: rejections write nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        (
            "photo.jpg",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(500) + b"This program cannot be run",
            "image/jpeg",
        ),
        ("x.png", b"<!doctype html><html><script>alert(document.cookie)</script></html>", "image/png"),
        ("x.png", b"\x89PNG\r\n\x1a\n" + b"<svg onload=alert(1)>" * 20, "image/png"),
        ("anim.webp", image_bytes("GIF"), "image/webp"),  # a real image, but not an allowed type
        (
            "drawing.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/png",
        ),
        ("half.png", image_bytes(noise=True, size=(64, 64))[:3000], "image/png"),  # truncated
        ("doc.pdf", b" %PDF-1.4 not at the start", "application/pdf"),
    ],
)
def test_disguised_or_broken_files_rejected(storage_root, users, records, name, data, content_type):
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload(name, data, content_type))
    assert error.value.message_dict == {"file": [TYPE_ERROR]}
    assert_nothing_written(storage_root)


def test_oversize_rejected_with_sizes_in_message(storage_root, settings, users, records):
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    data = b"%PDF-1.4\n" + bytes(int(12.3 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("big.pdf", data))
    assert error.value.messages == ["文件过大（12.3 MB），单个附件不能超过 10 MB，请压缩后再上传。"]
    assert_nothing_written(storage_root)


def test_oversize_small_limit(storage_root, settings, users, records):
    settings.ATTACHMENT_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("noise.png", image_bytes(noise=True, size=(64, 64))))
    assert "单个附件不能超过 2 KB" in error.value.messages[0]
    assert_nothing_written(storage_root)


def test_empty_file_rejected(storage_root, users, records):
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("empty.pdf", b""))
    assert error.value.messages == ["文件是空的，请重新选择。"]
    assert_nothing_written(storage_root)


def test_decompression_bomb_rejected_by_own_limit(storage_root, monkeypatch, users, records):
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("bomb.png", image_bytes(size=(100, 100))))
    assert "图片尺寸过大" in error.value.messages[0]
    assert_nothing_written(storage_root)


def test_decompression_bomb_rejected_by_pillow_guard(storage_root, monkeypatch, users, records):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # Pillow raises above twice this
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("bomb.png", image_bytes(size=(100, 100))))
    assert "图片尺寸过大" in error.value.messages[0]
    assert_nothing_written(storage_root)


def test_files_removed_when_the_insert_fails(storage_root, monkeypatch, users, records):
    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "record", boom)
    with pytest.raises(RuntimeError):
        add(users.inside, records.hv, upload("a.png", image_bytes()))
    assert_nothing_written(storage_root)


def test_person_must_belong_to_household(storage_root, users, records):
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("a.pdf", PDF), person=records.pw)
    assert "person" in error.value.message_dict
    assert_nothing_written(storage_root)


def test_invalid_kind_and_long_title_rejected(storage_root, users, records):
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("a.pdf", PDF), kind="virus")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        add(users.inside, records.hv, upload("a.pdf", PDF), title="长" * 101)
    assert "title" in error.value.message_dict
    assert_nothing_written(storage_root)


def test_scope_outside_is_404_view_only_is_403(storage_root, users, records):
    with pytest.raises(Http404):
        add(users.neighbour, records.hv, upload("a.pdf", PDF))
    with pytest.raises(PermissionDenied):
        add(users.county, records.hv, upload("a.pdf", PDF))
    assert_nothing_written(storage_root)


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("C:\\Users\\龙\\Desktop\\户口本.JPG", "image/jpeg", "户口本.JPG"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("photo\u202egnp.exe", "image/png", "photognp.png"),
        ("a\x00b\r\nc.jpeg", "image/jpeg", "abc.jpeg"),
        ("x.png", "image/jpeg", "x.jpg"),
        ("  .. ", "image/png", "附件.png"),
        ("长" * 300 + ".pdf", "application/pdf", "长" * 96 + ".pdf"),
    ],
)
def test_clean_original_name(name, content_type, expected):
    assert uploads.clean_original_name(name, content_type=content_type) == expected


@pytest.mark.parametrize(
    ("size", "text"), [(12, "12 B"), (2048, "2 KB"), (10 * 1024 * 1024, "10 MB"), (12_897_485, "12.3 MB")]
)
def test_human_size(size, text):
    assert uploads.human_size(size) == text


# --- service: delete -----------------------------------------------------------------------------


def test_delete_removes_row_and_files_after_commit(
    png_attachment, storage_root, users, django_capture_on_commit_callbacks
):
    assert len(stored_files(storage_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=users.inside, attachment=png_attachment)
    assert not Attachment.objects.exists()
    assert stored_files(storage_root) == []
    event = AuditEvent.objects.get(verb="registry.attachment.deleted")
    assert event.household_id == png_attachment.household_id


def test_delete_scope(png_attachment, storage_root, users):
    with pytest.raises(Http404):
        services.attachment_delete(actor=users.neighbour, attachment=png_attachment)
    with pytest.raises(PermissionDenied):
        services.attachment_delete(actor=users.county, attachment=png_attachment)
    assert Attachment.objects.count() == 1
    assert len(stored_files(storage_root)) == 2


def test_files_stored_before_stripping_are_stripped_by_the_command(storage_root, users, records):
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 10.0)}
    old_bytes = image_bytes("JPEG", (300, 200), exif=exif.tobytes(), comment=b"shot at home")
    attachment = add(users.inside, records.hv, upload("旧照片.jpg", image_bytes("JPEG"), "image/jpeg"))
    clean = add(users.inside, records.hv, upload("新照片.png", image_bytes("PNG"), "image/png"))
    storage = attachment.file.storage
    storage.delete(attachment.file.name)  # as an upload of an older version stored it: metadata kept
    storage.save(attachment.file.name, ContentFile(old_bytes))
    out = io.StringIO()
    call_command("strip_attachment_metadata", "--dry-run", stdout=out)
    assert "2 image attachment(s) checked, would strip 1" in out.getvalue()
    old_name = attachment.file.name
    call_command("strip_attachment_metadata", stdout=out)
    attachment.refresh_from_db()
    stored = attachment.file.read()
    assert b"HUAWEI" not in stored and b"shot at home" not in stored
    assert attachment.size == len(stored) and not storage.exists(old_name)
    assert AuditEvent.objects.filter(verb="attachments.metadata_stripped").count() == 1
    clean_name = Attachment.objects.get(pk=clean.pk).file.name
    call_command("strip_attachment_metadata", stdout=out)  # nothing left to do: nothing rewritten
    assert Attachment.objects.get(pk=clean.pk).file.name == clean_name
    assert AuditEvent.objects.filter(verb="attachments.metadata_stripped").count() == 1

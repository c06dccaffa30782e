"""Attachments: type detection from content, limits, thumbnails, scoped download and delete."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from minqing.core import audit, uploads
from minqing.core.models import AuditEvent
from minqing.registry import selectors, services
from minqing.registry.models import Attachment

TYPE_ERROR = "只能上传 JPG、PNG、WEBP 图片或 PDF 文件。"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def storage_root(settings, tmp_path: Path) -> Path:
    """Private storage in a temporary directory (STORAGES is a dict: replace it whole)."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (800, 400), *, noise: bool = False, **save
) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 60, 40))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def add(actor, household, file, *, kind: str = "photo", title: str = "", person=None) -> Attachment:
    return services.attachment_add(
        actor=actor, household=household, person=person, uploaded_file=file, kind=kind, title=title
    )


def body(response) -> bytes:
    # Consuming streaming_content closes the response; closing it again would fire request_finished
    # outside the test client's guard and close the database connection of the test transaction.
    return b"".join(response.streaming_content)


@pytest.fixture
def png_attachment(storage_root, users, records) -> Attachment:
    return add(users.inside, records.hv, upload("门牌.png", image_bytes()), title="门牌照片")


@pytest.fixture
def pdf_attachment(storage_root, users, records) -> Attachment:
    return add(users.inside, records.hv, upload("低保证明.pdf", PDF), kind="certificate")


# --- service: happy paths ------------------------------------------------------------------------


def test_png_upload_creates_row_thumbnail_and_audit(storage_root, users, records):
    data = image_bytes()
    attachment = add(users.inside, records.hv, upload("门牌.png", data, "image/png"), person=records.pv)

    attachment.refresh_from_db()
    assert attachment.content_type == "image/png"
    assert attachment.size == len(data)
    assert attachment.original_name == "门牌.png"
    assert (attachment.area_path, attachment.grid_path) == (records.hv.area_path, records.hv.grid_path)
    assert attachment.person == records.pv
    assert attachment.uploaded_by == users.inside
    assert attachment.file.read() == data
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


def test_transparent_png_thumbnail_is_flattened(storage_root, users, records):
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    attachment = add(users.inside, records.hv, upload("a.png", out.getvalue()))
    with Image.open(attachment.thumbnail) as thumb:
        assert thumb.mode == "RGB"
        assert thumb.getpixel((10, 10)) == (255, 255, 255)


# --- service: rejections write nothing -----------------------------------------------------------


def assert_nothing_written(root: Path) -> None:
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(verb="registry.attachment.added").exists()
    assert stored_files(root) == []


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


# --- views ---------------------------------------------------------------------------------------


def upload_url(records) -> str:
    return reverse("registry:attachment_upload", args=[records.hv.pk])


def test_upload_view_plain_form_redirects_to_household(storage_root, client, users, records):
    client.force_login(users.inside)
    assert client.get(upload_url(records)).status_code == 200
    response = client.post(
        upload_url(records),
        {
            "file": upload("门牌.png", image_bytes()),
            "kind": "photo",
            "person": records.pv.pk,
            "title": "门牌",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == records.hv.get_absolute_url()
    assert Attachment.objects.get().person == records.pv


def test_upload_view_htmx_returns_partial(storage_root, client, users, records):
    client.force_login(users.inside)
    response = client.post(
        upload_url(records),
        {"file": upload("a.png", image_bytes()), "kind": "photo", "title": "<script>alert(1)</script>"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="attachments-{records.hv.pk}"' in html
    assert "<html" not in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    attachment = Attachment.objects.get()
    assert reverse("registry:attachment_thumb", args=[attachment.pk]) in html


def test_upload_view_rejects_disguised_file_in_chinese(storage_root, client, users, records):
    client.force_login(users.inside)
    exe = upload("photo.jpg", b"MZ\x90\x00" + bytes(300), "image/jpeg")
    response = client.post(upload_url(records), {"file": exe, "kind": "photo", "title": "保留的说明"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert TYPE_ERROR in html
    assert 'value="保留的说明"' in html
    assert_nothing_written(storage_root)
    html_file = upload("x.png", b"<html><body>hi</body></html>", "image/png")
    response = client.post(upload_url(records), {"file": html_file, "kind": "photo"})
    assert response.status_code == 400
    assert TYPE_ERROR in response.content.decode()
    assert_nothing_written(storage_root)


def test_upload_view_oversize_message(storage_root, settings, client, users, records):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(users.inside)
    response = client.post(
        upload_url(records), {"file": upload("a.pdf", PDF + bytes(2048)), "kind": "other"}, **HTMX
    )
    assert "单个附件不能超过 1 KB，请压缩后再上传。" in response.content.decode()
    assert_nothing_written(storage_root)


def test_upload_view_missing_fields(storage_root, client, users, records):
    client.force_login(users.inside)
    response = client.post(upload_url(records), {"kind": ""}, **HTMX)
    html = response.content.decode()
    assert "请选择要上传的文件。" in html
    assert "请选择附件类型。" in html
    response = client.post(
        upload_url(records), {"file": upload("a.pdf", PDF), "kind": "other", "person": records.pw.pk}, **HTMX
    )
    assert "该人员不属于这一户。" in response.content.decode()
    assert_nothing_written(storage_root)


def test_upload_view_scope(storage_root, client, users, records):
    client.force_login(users.neighbour)
    assert client.get(upload_url(records)).status_code == 404
    assert (
        client.post(upload_url(records), {"file": upload("a.pdf", PDF), "kind": "other"}).status_code == 404
    )
    client.force_login(users.county)
    assert client.get(upload_url(records)).status_code == 403
    assert (
        client.post(upload_url(records), {"file": upload("a.pdf", PDF), "kind": "other"}).status_code == 403
    )
    assert_nothing_written(storage_root)


def test_download_image_inline(png_attachment, client, users):
    client.force_login(users.inside)
    response = client.get(reverse("registry:attachment", args=[png_attachment.pk]))
    assert response.status_code == 200
    assert body(response) == png_attachment.file.open("rb").read()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''%E9%97%A8%E7%89%8C.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]


def test_download_pdf_as_attachment(pdf_attachment, client, users):
    client.force_login(users.inside)
    response = client.get(reverse("registry:attachment", args=[pdf_attachment.pk]))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"


def test_download_scope(png_attachment, client, users):
    url = reverse("registry:attachment", args=[png_attachment.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user, status in [
        (users.neighbour, 404),
        (users.nobody, 404),
        (users.county, 200),
        (users.above, 200),
    ]:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user.username
        if status == 200:
            body(response)
    assert client.post(url).status_code == 405


def test_thumbnail_endpoint(png_attachment, pdf_attachment, client, users):
    client.force_login(users.inside)
    response = client.get(reverse("registry:attachment_thumb", args=[png_attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    with Image.open(io.BytesIO(body(response))) as thumb:
        assert thumb.size == (320, 160)
    assert client.get(reverse("registry:attachment_thumb", args=[pdf_attachment.pk])).status_code == 404
    client.force_login(users.neighbour)
    assert client.get(reverse("registry:attachment_thumb", args=[png_attachment.pk])).status_code == 404


def test_delete_view(
    png_attachment, storage_root, client, users, records, django_capture_on_commit_callbacks
):
    url = reverse("registry:attachment_delete", args=[png_attachment.pk])
    client.force_login(users.neighbour)
    assert client.post(url).status_code == 404
    client.force_login(users.county)
    assert client.post(url).status_code == 403
    client.force_login(users.inside)
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert "还没有附件。" in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(storage_root) == []


def test_delete_view_plain_form_redirects(pdf_attachment, client, users, records):
    client.force_login(users.inside)
    response = client.post(reverse("registry:attachment_delete", args=[pdf_attachment.pk]))
    assert response.status_code == 302
    assert response["Location"] == records.hv.get_absolute_url()


# --- the partial ---------------------------------------------------------------------------------


def render_panel(user, household, **extra) -> str:
    request = RequestFactory().get("/")
    request.user = user
    context = {**selectors.attachments_panel(actor=user, household=household), **extra}
    return render_to_string("registry/_attachments.html", context, request=request)


def test_partial_offers_every_kind_and_the_members(storage_root, users, records):
    html = render_panel(users.inside, records.hv)
    for value in Attachment.Kind.values:
        assert f'<option value="{value}"' in html, value
    assert f'<option value="{records.pv.pk}"' in html
    assert f'<option value="{records.pw.pk}"' not in html
    assert "capture=" not in html  # phones offer camera, gallery and files together
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in html
    assert 'hx-encoding="multipart/form-data"' in html
    assert "单个文件不超过 10 MB。" in html


def test_partial_cards_and_read_only_view(png_attachment, pdf_attachment, users, records):
    html = render_panel(users.county, records.hv)
    assert html.count('data-testid="attachment-card"') == 2
    assert 'loading="lazy"' in html
    assert "bi-file-earmark-pdf" in html
    assert "门牌照片" in html
    assert 'data-testid="attachment-upload"' not in html
    assert reverse("registry:attachment_delete", args=[png_attachment.pk]) not in html
    html = render_panel(users.inside, records.hv)
    assert 'data-testid="attachment-upload"' in html
    assert reverse("registry:attachment_delete", args=[png_attachment.pk]) in html


def test_partial_only_needs_the_documented_context(png_attachment, users, records):
    """The household page includes the partial with household, attachments and can_change only."""
    request = RequestFactory().get("/")
    request.user = users.inside
    html = render_to_string(
        "registry/_attachments.html",
        {"household": records.hv, "attachments": list(records.hv.attachments.all()), "can_change": True},
        request=request,
    )
    assert 'data-testid="attachment-card"' in html
    assert 'name="file"' in html


def test_large_upload_through_temporary_file(storage_root, client, users, records):
    """Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE arrive as temporary files; detection works the same."""
    data = image_bytes("JPEG", (2000, 1500), noise=True, quality=100)
    data += bytes(6 * 1024 * 1024 - len(data)) if len(data) < 6 * 1024 * 1024 else b""
    client.force_login(users.inside)
    response = client.post(upload_url(records), {"file": upload("大图.jpg", data), "kind": "photo"}, **HTMX)
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.size) == ("image/jpeg", len(data))
    assert attachment.thumbnail

"""Attachment pages: upload, download, thumbnail and delete views, and the household panel partial."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image

from minqing.registry import selectors
from minqing.registry.models import Attachment
from minqing.registry.tests.attachment_helpers import (
    HTMX,
    PDF,
    TYPE_ERROR,
    assert_nothing_written,
    body,
    image_bytes,
    stored_files,
    upload,
)

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
    # Stored re-encoded without metadata (and without the padding): the size is the stored file's.
    assert (attachment.content_type, attachment.size) == ("image/jpeg", attachment.file.size)
    assert attachment.thumbnail


def test_identity_documents_show_no_thumbnail_on_the_page(storage_root, client, users, records):
    """Loading a household page must not reveal an ID copy (nor write a reveal audit row per thumbnail)."""
    client.force_login(users.inside)
    client.post(upload_url(records), {"file": upload("id.png", image_bytes()), "kind": "id_copy"}, **HTMX)
    attachment = Attachment.objects.get()
    html = client.get(reverse("registry:household", args=[records.hv.pk])).content.decode()
    assert reverse("registry:attachment_thumb", args=[attachment.pk]) not in html
    assert reverse("registry:attachment", args=[attachment.pk]) in html
    assert "证件，查看将留痕" in html

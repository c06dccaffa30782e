"""Helpers for the attachment tests: images, uploads, and attachments added through the service."""

from __future__ import annotations

import io
import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from minqing.core.models import AuditEvent
from minqing.registry import services
from minqing.registry.models import Attachment

TYPE_ERROR = "只能上传 JPG、PNG、WEBP 图片或 PDF 文件。"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


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


def assert_nothing_written(root: Path) -> None:
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(verb="registry.attachment.added").exists()
    assert stored_files(root) == []

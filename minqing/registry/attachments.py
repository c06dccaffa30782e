"""Attachments on a household file: upload, inspect, thumbnail, delete.

Uploaded files are hostile until proven otherwise. The type is decided from the content alone
(Pillow for images, the ``%PDF-`` magic for PDFs), never from the file name or the browser's
content type; the stored name is random (see ``attachment_path``), and the original name is kept,
cleaned, only for the download's ``Content-Disposition``. Files live in private storage and are
served only through scoped views.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from minqing.core import audit

from .models import Attachment, Household, Person

# Decoders Pillow may try. Keeping the list short keeps exotic, risky decoders (EPS via Ghostscript,
# PSD, TGA, …) away from untrusted bytes; MPO is how Pillow names many phone-camera JPEGs.
IMAGE_FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PILLOW_FORMATS = ["JPEG", "PNG", "WEBP"]
# Decompression-bomb guard: a 50-megapixel phone photo passes; a tiny PNG claiming 20000×20000
# pixels does not. Checked on the header, before anything is decoded. Pillow's own process-wide
# ``Image.MAX_IMAGE_PIXELS`` is left alone (other code shares it); its DecompressionBombError is
# still caught below as a second line of defence.
MAX_IMAGE_PIXELS = 50_000_000
THUMBNAIL_PX = 320
THUMBNAIL_QUALITY = 80
MAX_ORIGINAL_NAME = 100
PDF_MAGIC = b"%PDF-"


def type_error() -> ValidationError:
    return ValidationError({"file": _("只能上传 JPG、PNG、WEBP 图片或 PDF 文件。")}, code="file_type")


def human_size(size: int) -> str:
    """Bytes as cadres read them: "12.3 MB", "10 MB", "800 KB", "12 B"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            text = f"{size / factor:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class Inspected:
    """What the content of an upload turned out to be."""

    content_type: str
    thumbnail: bytes | None = None


def inspect_upload(uploaded_file: IO[bytes]) -> Inspected:
    """Decide the type of ``uploaded_file`` from its bytes; for images also build the thumbnail.

    Raises ``ValidationError`` for anything that is not a PDF or a well-formed JPEG/PNG/WEBP image
    of sane pixel dimensions (an executable renamed ``.jpg``, HTML named ``.png``, a truncated
    image, a decompression bomb).
    """
    allowed = settings.ATTACHMENT_TYPES
    uploaded_file.seek(0)
    head = uploaded_file.read(len(PDF_MAGIC))
    uploaded_file.seek(0)
    if head == PDF_MAGIC:
        if "application/pdf" not in allowed:
            raise type_error()
        return Inspected("application/pdf")
    try:
        with Image.open(uploaded_file, formats=PILLOW_FORMATS) as image:
            _check_pixels(image)
            image.verify()  # structure and checksums, without decoding the pixels
        uploaded_file.seek(0)
        with Image.open(uploaded_file, formats=PILLOW_FORMATS) as image:
            content_type = IMAGE_FORMATS.get(image.format or "")
            if content_type not in allowed:
                raise type_error()
            thumbnail = make_thumbnail(image)  # decodes the pixels: a truncated image fails here
    except Image.DecompressionBombError as error:
        raise _bomb_error() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError) as error:
        # Pillow reports malformed input through any of these.
        raise type_error() from error
    finally:
        uploaded_file.seek(0)
    return Inspected(content_type, thumbnail)


def _bomb_error() -> ValidationError:
    return ValidationError({"file": _("图片尺寸过大，无法处理，请缩小后再上传。")}, code="image_pixels")


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
        raise _bomb_error()


def make_thumbnail(image: Image.Image) -> bytes:
    """A JPEG at most ``THUMBNAIL_PX`` on each side, turned upright per EXIF, without metadata."""
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))  # uses JPEG draft mode: large photos decode cheaply
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def clean_original_name(name: str, *, content_type: str) -> str:
    """The uploaded name, safe to show and to offer on download.

    Path components, control and formatting characters (including bidi overrides such as U+202E,
    which make ``exe.jpg`` read as ``gpj.exe``) are removed, whitespace is collapsed, the length is
    capped, and the extension is made to match the detected type.
    """
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    extension = settings.ATTACHMENT_TYPES[content_type]
    accepted = {extension, ".jpeg"} if extension == ".jpg" else {extension}
    if f".{suffix.lower()}" in accepted:
        extension = f".{suffix}"
    stem = stem.strip(" .")[: MAX_ORIGINAL_NAME - len(extension)].rstrip(" .") or _("附件")
    return f"{stem}{extension}"


def _changeable(actor, model, pk: int, *, lock: bool = False):
    """Re-read a row through the actor's scope: 404 if not even viewable, 403 if only viewable."""
    if not model.objects.visible_to(actor, "view").filter(pk=pk).exists():
        raise Http404
    rows = model.objects.visible_to(actor, "change")
    row = (rows.select_for_update() if lock else rows).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(_("您的角色不能修改这条记录。"))
    return row


def _delete_files(storage: Storage, names: list[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def _check_size(size: int) -> None:
    if size <= 0:
        raise ValidationError({"file": _("文件是空的，请重新选择。")}, code="empty")
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {
                "file": _("文件过大（%(size)s），单个附件不能超过 %(limit)s，请压缩后再上传。")
                % {"size": human_size(size), "limit": human_size(limit)}
            },
            code="too_large",
        )


def attachment_add(
    *,
    actor,
    household: Household,
    person: Person | None = None,
    uploaded_file,
    kind: str,
    title: str = "",
) -> Attachment:
    """Attach ``uploaded_file`` to ``household`` (and optionally one of its members); audited.

    Everything is checked before a byte is written: scope (404 outside the view scope, 403 when
    only viewable), person, kind and title, size, and the type from the content. Decoding and file
    writes happen before the transaction opens, because SQLite takes its write lock at BEGIN
    (``transaction_mode`` IMMEDIATE) and must not hold it while a photo is decoded; the scope is
    checked again inside the transaction that inserts the row and the audit event. Files written
    before a failure are removed again. (Should an *enclosing* transaction roll back later, the
    files would remain as unreferenced orphans in private storage.)
    """
    household = _changeable(actor, Household, household.pk)
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("该人员不属于这一户。")})
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": _("请选择附件类型。")})
    _check_size(uploaded_file.size or 0)
    inspected = inspect_upload(uploaded_file)
    attachment = Attachment(
        household=household,
        person=person,
        area_path=household.area_path,
        grid_path=household.grid_path,
        kind=kind,
        title=" ".join((title or "").split()),
        original_name=clean_original_name(uploaded_file.name, content_type=inspected.content_type),
        content_type=inspected.content_type,
        size=uploaded_file.size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    attachment.full_clean(exclude=["file", "thumbnail"])
    written: list[str] = []
    try:
        attachment.file.save("upload", uploaded_file, save=False)
        written.append(attachment.file.name)
        if inspected.thumbnail:
            attachment.thumbnail.save("thumb", ContentFile(inspected.thumbnail), save=False)
            written.append(attachment.thumbnail.name)
        with transaction.atomic():
            _changeable(actor, Household, household.pk, lock=True)
            attachment.save()
            audit.record(
                actor=actor,
                verb="registry.attachment.added",
                target=attachment,
                household_id=household.pk,
                changes={
                    "kind": attachment.kind,
                    "original_name": attachment.original_name,
                    "content_type": attachment.content_type,
                    "size": attachment.size,
                    "person_id": person.pk if person else None,
                },
            )
    except BaseException:
        _delete_files(attachment.file.storage, written)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment: Attachment) -> None:
    """Delete ``attachment`` (change scope); its files leave storage once the transaction commits."""
    row = _changeable(actor, Attachment, attachment.pk, lock=True)
    names = [row.file.name, row.thumbnail.name]
    storage = row.file.storage
    audit.record(
        actor=actor,
        verb="registry.attachment.deleted",
        target=row,
        household_id=row.household_id,
        changes={"kind": row.kind, "original_name": row.original_name, "size": row.size},
    )
    row.delete()
    transaction.on_commit(lambda: _delete_files(storage, names))


def household_attachments(*, actor, household: Household) -> QuerySet[Attachment]:
    """The attachments of ``household`` that ``actor`` may see, ready for the panel."""
    return (
        Attachment.objects.visible_to(actor, "view")
        .filter(household=household)
        .select_related("uploaded_by", "person")
    )


def can_change_household(*, actor, household: Household) -> bool:
    return Household.objects.visible_to(actor, "change").filter(pk=household.pk).exists()


def attachments_panel(*, actor, household: Household) -> dict:
    """Context for ``registry/_attachments.html`` (the household page may merge it into its own)."""
    return {
        "household": household,
        "attachments": household_attachments(actor=actor, household=household),
        "can_change": can_change_household(actor=actor, household=household),
        "max_size": human_size(settings.ATTACHMENT_MAX_BYTES),
    }


def identity_copy_viewed(*, actor, attachment: Attachment) -> None:
    """Opening an ID copy is a look at sensitive data: reveal right required, and audited."""
    if not Attachment.objects.visible_to(actor, "reveal").filter(pk=attachment.pk).exists():
        raise PermissionDenied(_("查看证件复印件需要查看敏感信息的权限。"))
    audit.record(
        actor=actor,
        verb="sensitive.revealed",
        target=attachment,
        household_id=attachment.household_id,
        changes={"field": attachment.get_kind_display()},
    )

"""Uploaded files are hostile until proven otherwise: type from content, size, pixels, thumbnails, names.

The type is decided from the content alone (Pillow for images, the ``%PDF-`` magic for PDFs), never
from the file name or the browser's content type. Every app that takes uploads (attachments, visit
photos, imports) inspects them here before a byte is stored.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

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
STORED_JPEG_QUALITY = 90  # JPEG and WEBP uploads are re-encoded once, without their metadata
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
    """What the content of an upload turned out to be.

    For an image, ``stored`` is what to keep instead of the uploaded bytes: the same picture, turned
    upright, re-encoded without metadata (``strip_metadata``). ``None`` (a PDF): keep the upload as it is.
    """

    content_type: str
    thumbnail: bytes | None = None
    stored: bytes | None = None


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
            stored = strip_metadata(image)  # decodes the pixels: a truncated image fails here
        uploaded_file.seek(0)
        with Image.open(uploaded_file, formats=PILLOW_FORMATS) as image:
            thumbnail = make_thumbnail(image)
    except Image.DecompressionBombError as error:
        raise _bomb_error() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError) as error:
        # Pillow reports malformed input through any of these.
        raise type_error() from error
    finally:
        uploaded_file.seek(0)
    return Inspected(content_type, thumbnail, stored)


def _bomb_error() -> ValidationError:
    return ValidationError({"file": _("图片尺寸过大，无法处理，请缩小后再上传。")}, code="image_pixels")


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
        raise _bomb_error()


def strip_metadata(image: Image.Image) -> bytes:
    """``image`` re-encoded in its own format with no EXIF (GPS position, camera, time), XMP, IPTC, comments
    or text chunks, and without extra frames (MPO's second picture carries its own EXIF).

    The EXIF orientation is applied to the pixels first, so the picture still shows upright without it.
    The ICC colour profile is kept (colours, no personal data); PNG transparency is kept.
    """
    fmt = "JPEG" if image.format in ("JPEG", "MPO") else (image.format or "PNG")
    icc_profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    image.load()
    ImageOps.exif_transpose(image, in_place=True)  # in place: no second copy of a large photo's pixels
    image.info = {}  # Pillow writes only what ``save`` is given; cleared all the same
    options: dict[str, object] = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if fmt == "JPEG":
        if image.mode not in ("L", "RGB", "CMYK"):
            image = image.convert("RGB")
        options.update(quality=STORED_JPEG_QUALITY, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=STORED_JPEG_QUALITY)
    elif transparency is not None:
        options["transparency"] = transparency
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


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
    image.info = {}  # Pillow writes a JPEG comment found in ``info`` back into the thumbnail
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


def check_size(size: int) -> None:
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

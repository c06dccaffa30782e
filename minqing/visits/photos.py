"""Visit photos: inspected by ``core.uploads``, then compressed on the server without any metadata.

The EXIF GPS position and the EXIF time are read from the upload first and kept in fields of the photo row
as evidence (where the camera says the picture was taken); the stored JPEG carries no EXIF, XMP or comment.
Everything here runs before the service's transaction opens: decoding a photo must not hold a write lock.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from minqing.core.uploads import PILLOW_FORMATS, human_size, inspect_upload

STORED_QUALITY = 85
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME, DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x0132, 0x9003, 0x9011
SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Processed:
    """A photo ready to store: the compressed JPEG, its thumbnail, and what its EXIF said."""

    content: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    exif_latitude: Decimal | None
    exif_longitude: Decimal | None
    exif_taken_at: datetime.datetime | None


def photo_error(position: int, message: str) -> ValidationError:
    return ValidationError(
        {"photos": _("第 %(n)s 张照片：%(message)s") % {"n": position, "message": message}}, code="photo"
    )


def process_photos(files: list[Any]) -> list[Processed]:
    """Check and compress every photo; the first bad one raises ``ValidationError`` naming it (by position)."""
    limit = settings.VISIT_MAX_PHOTOS
    if len(files) > limit:
        raise ValidationError(
            {
                "photos": _("每条记录最多 %(limit)s 张照片，您选择了 %(count)s 张，请删去一些。")
                % {"limit": limit, "count": len(files)}
            },
            code="too_many",
        )
    return [process_photo(upload, position) for position, upload in enumerate(files, start=1)]


def process_photo(upload: Any, position: int) -> Processed:
    size = upload.size or 0
    if size <= 0:
        raise photo_error(position, _("文件是空的，请重新选择。"))
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise photo_error(
            position,
            _("照片过大（%(size)s），每张不能超过 %(limit)s。")
            % {"size": human_size(size), "limit": human_size(settings.ATTACHMENT_MAX_BYTES)},
        )
    try:
        inspected = inspect_upload(upload)
    except ValidationError as error:
        raise photo_error(position, " ".join(error.messages)) from error
    if not inspected.content_type.startswith("image/") or inspected.thumbnail is None:
        raise photo_error(position, _("不是照片，只能上传 JPG、PNG 或 WEBP 图片。"))
    try:
        return _compress(upload, inspected.thumbnail)
    except (OSError, ValueError, SyntaxError, EOFError, IndexError) as error:  # Pillow's ways to fail
        raise photo_error(position, _("照片无法读取，请重新拍摄或选择。")) from error
    finally:
        upload.seek(0)


def _compress(upload: IO[bytes], thumbnail: bytes) -> Processed:
    upload.seek(0)
    longest = settings.VISIT_PHOTO_MAX_PX
    with Image.open(upload, formats=PILLOW_FORMATS) as image:
        latitude, longitude, taken_at = read_exif(image)
        image.draft("RGB", (longest, longest))  # JPEG: decode at a reduced scale, still ≥ the target size
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        if picture.mode in ("RGBA", "LA", "P", "PA") or "transparency" in picture.info:
            rgba = picture.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            picture = flat
        elif picture.mode != "RGB":
            picture = picture.convert("RGB")
        # Pillow writes some of ``info`` back (a JPEG comment, for one): clear it, and give ``save`` no exif=,
        # icc_profile= nor comment=, so the stored file carries no metadata at all.
        picture.info = {}
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=STORED_QUALITY, optimize=True, progressive=True)
    content = out.getvalue()
    return Processed(
        content=content,
        thumbnail=thumbnail,
        width=picture.width,
        height=picture.height,
        sha256=hashlib.sha256(content).hexdigest(),
        exif_latitude=latitude,
        exif_longitude=longitude,
        exif_taken_at=taken_at,
    )


# ------------------------------------------------------------------------------------------ EXIF


def _degrees(value: Any, ref: Any, negative: str) -> Decimal | None:
    """EXIF (degrees, minutes, seconds) rationals and an N/S or E/W reference as signed decimal degrees."""
    try:
        d, m, s = (Decimal(str(float(part))) for part in value)
    except (TypeError, ValueError, ZeroDivisionError, InvalidOperation):
        return None
    result = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip().upper() == negative:
        result = -result
    return result.quantize(SIX_PLACES)


def read_exif(image: Image.Image) -> tuple[Decimal | None, Decimal | None, datetime.datetime | None]:
    """(latitude, longitude, time taken) from the photo's EXIF; ``None`` for what is missing or malformed."""
    try:
        exif = image.getexif()
        gps = exif.get_ifd(GPS_IFD)
        details = exif.get_ifd(EXIF_IFD)
    except Exception:  # hostile EXIF must never stop the upload: the evidence is then simply absent
        return None, None, None
    latitude = _degrees(gps.get(2), gps.get(1), "S") if gps.get(2) is not None else None
    longitude = _degrees(gps.get(4), gps.get(3), "W") if gps.get(4) is not None else None
    if (
        latitude is None
        or longitude is None
        or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
        or (latitude == 0 and longitude == 0)  # cameras without a fix often write 0/0
    ):
        latitude = longitude = None
    taken = details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    return latitude, longitude, _exif_time(taken, details.get(OFFSET_TIME_ORIGINAL))


def _exif_time(value: Any, offset: Any) -> datetime.datetime | None:
    """ "YYYY:MM:DD HH:MM:SS" in the camera's offset when given, else the server's time zone."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.strptime(value.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if isinstance(offset, str):
        try:
            return datetime.datetime.strptime(f"{value[:19]}{offset.strip()}", "%Y:%m:%d %H:%M:%S%z")
        except ValueError:
            pass
    return timezone.make_aware(moment, timezone.get_default_timezone())

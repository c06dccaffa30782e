"""Test helpers: real JPEGs made with Pillow (with a real EXIF GPS block), and the visit-log users."""

from __future__ import annotations

import io
import uuid
from fractions import Fraction

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
# 玉屏: 27°14'17.4"N 108°54'25.2"E
LAT, LON = (27, 14, Fraction(174, 10)), (108, 54, Fraction(252, 10))


def jpeg_bytes(
    size: tuple[int, int] = (1800, 1000),
    *,
    gps: bool = True,
    taken: str | None = "2026:11:30 09:15:00",
    orientation: int | None = None,
    colour: tuple[int, int, int] = (40, 120, 200),
    fmt: str = "JPEG",
) -> bytes:
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 50):  # some detail, so the JPEG is not trivially small
        image.putpixel((x, x % size[1]), (255, 255, 255))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make: must not survive
    exif[0x0110] = "Model X"
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif[0x0132] = taken
        exif.get_ifd(EXIF_IFD)[0x9003] = taken
    if gps:
        ifd = exif.get_ifd(GPS_IFD)
        ifd[1], ifd[2] = "N", LAT
        ifd[3], ifd[4] = "E", LON
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", exif=exif, quality=92, comment=b"secret comment")
    else:
        image.save(out, fmt, exif=exif)
    return out.getvalue()


def photo(name: str = "p.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def new_id() -> str:
    return str(uuid.uuid4())


def data(**extra) -> dict:
    return {"kind": "home", "found": "家中老人身体尚好，房屋漏雨", "done": "联系村里安排维修", **extra}


def stationed(tree):
    return assign(UserFactory(username="stationer"), Role.STATIONED_CADRE, tree.v)

"""Positions sent by a browser or an API client (navigator.geolocation): checked once for every app.

Both coordinates or neither, each in range, finite; the accuracy in metres when given. Coordinates are kept
to six decimals (about 0.1 m), the accuracy to a tenth of a metre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: The widest accuracy a browser reports (a fix from the IP address alone): anything beyond is not a fix. A
#: fix too coarse for its purpose is judged by the caller (a check-in refuses one wider than its radius, with
#: its own message), not refused here: a visit keeps it as weak evidence.
MAX_ACCURACY_M = 1_000_000
COORDINATE = Decimal("0.000001")
METRES = Decimal("0.1")


@dataclass(frozen=True)
class Position:
    """A checked position (all None when none was sent)."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy_m: Decimal | None = None


def _number(value: Any, field: str, message: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None
    if not math.isfinite(number):
        raise ValidationError({field: message})
    return Decimal(repr(number))


def parse_position(
    latitude: Any = None, longitude: Any = None, accuracy: Any = None, *, accuracy_field: str = "accuracy"
) -> Position:
    """The position as sent, checked; a ``ValidationError`` naming the field to fix otherwise."""
    bad_latitude = _("纬度应为 -90 到 90 之间的数字，如 27.531。")
    bad_longitude = _("经度应为 -180 到 180 之间的数字，如 108.912。")
    bad_accuracy = _("定位精度应为 0 到 1000000 之间的米数。")
    lat = _number(latitude, "latitude", bad_latitude)
    lon = _number(longitude, "longitude", bad_longitude)
    acc = _number(accuracy, accuracy_field, bad_accuracy)
    errors: dict[str, str] = {}
    if lat is not None and not -90 <= lat <= 90:
        errors["latitude"] = bad_latitude
    if lon is not None and not -180 <= lon <= 180:
        errors["longitude"] = bad_longitude
    if acc is not None and not 0 <= acc <= MAX_ACCURACY_M:
        errors[accuracy_field] = bad_accuracy
    if (lat is None) != (lon is None) and not errors:
        errors["latitude" if lat is None else "longitude"] = _("定位需要同时提供纬度和经度，请重新获取定位。")
    if errors:
        raise ValidationError(errors)
    if lat is None or lon is None:
        return Position()
    return Position(
        lat.quantize(COORDINATE), lon.quantize(COORDINATE), None if acc is None else acc.quantize(METRES)
    )

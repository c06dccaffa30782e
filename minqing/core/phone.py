"""Phone numbers of residents, households and places: what is accepted, and the one stored form.

Accepted (spaces, dashes, dots and brackets between groups are ignored, full-width digits folded):

- a mainland mobile: ``1`` + ``3``–``9`` + 9 digits, optionally after ``+86``, ``86`` or ``0086``;
  stored as the 11 digits (``13812345678``);
- a landline with its area code: ``0`` + area code + local number. Area codes starting 1 or 2 (010
  Beijing, 020–029) have two digits after the 0 and 8-digit local numbers; all others (0851 Guiyang,
  0856 Tongren …) three digits and 7–8-digit local numbers. ``+86`` before an area code without its 0
  is accepted. An extension (``-123``, ``转123``, ``#123``, 1–6 digits) may follow. Stored as
  ``0851-22222222`` or ``0851-22222222-123``.

Refused, with a message listing the accepted forms: local numbers without an area code (the same
eight digits exist in every city, so a desk operator cannot call or find them), and service numbers
(12345, 95xxx, 10086, 400/800 hotlines): a contact phone in a household's file has to reach that
person, household or place, and a hotline reaches a call centre. Foreign numbers are out of scope.

:func:`normalize_phone` gives the stored form; :func:`validate_phone` is the validator on the model
fields, so ``full_clean`` (every service, through ``core.editing.validate``), model forms and
model serializers refuse the same values. ``core.editing.validate`` stores the normalised form.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.()（）]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# 0 + (1x|2x area + 8 digits | other 3-digit area + 7–8 digits), then an optional extension.
_LANDLINE = re.compile(r"(0[12]\d)(\d{8})|(0[3-9]\d{2})(\d{7,8})")
_EXTENSION = re.compile(r"(?:转|#|-|ext\.?|x)(\d{1,6})$", re.IGNORECASE)


def _message() -> str:
    return _("请填写正确的电话号码：11位手机号（如 13812345678）或带区号的固定电话（如 0856-1234567）。")


def _fold(raw: object) -> str:
    """Full-width characters folded (typed with Chinese input methods), all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", str(raw)).split())


def normalize_phone(raw: object) -> str | None:
    """Return the stored form of ``raw`` (see the module docstring), ``""`` for empty, ``None`` if invalid."""
    if raw is None:
        return ""
    text = _fold(raw)
    if not text:
        return ""
    # The extension is separated before the other dashes disappear: "0851-2222222-123".
    extension = ""
    found = _EXTENSION.search(text)
    if found and not text.startswith(("1", "+861", "861", "00861")):
        head = _SEPARATORS.sub("", text[: found.start()])
        if _landline_parts(head) is not None:
            text, extension = text[: found.start()], found.group(1)
    compact = _SEPARATORS.sub("", text)
    if not compact.lstrip("+").isdigit() or not compact.isascii():
        return None
    for prefix in ("+86", "0086", "86"):
        if compact.startswith(prefix) and len(compact) > len(prefix) + 9:
            rest = compact[len(prefix) :]
            compact = rest if rest.startswith(("1", "0")) else "0" + rest
            break
    if not extension and _MOBILE.fullmatch(compact):
        return compact
    parts = _landline_parts(compact)
    if parts is None:
        return None
    area, local = parts
    return f"{area}-{local}-{extension}" if extension else f"{area}-{local}"


def _landline_parts(compact: str) -> tuple[str, str] | None:
    """``(area code, local number)`` of an all-digit landline with its area code, else ``None``."""
    for prefix in ("+86", "0086", "86"):
        if compact.startswith(prefix) and not compact.startswith("0"):
            compact = "0" + compact[len(prefix) :]
            break
    match = _LANDLINE.fullmatch(compact)
    if match is None:
        return None
    if match.group(1):
        return match.group(1), match.group(2)
    return match.group(3), match.group(4)


def is_valid_phone(raw: object) -> bool:
    """Whether ``raw`` is empty or an accepted phone number."""
    return normalize_phone(raw) is not None


def validate_phone(value: object) -> None:
    """Django field validator: refuse what is not an accepted phone number, saying what to write."""
    if value in (None, ""):
        return
    if normalize_phone(value) is None:
        raise ValidationError(_message(), code="phone")


def phone_fields(model: type) -> list[str]:
    """The attribute names of ``model``'s fields that carry :func:`validate_phone`."""
    return [
        f.attname
        for f in model._meta.concrete_fields  # type: ignore[attr-defined]
        if validate_phone in getattr(f, "validators", ())
    ]


def normalize_phone_fields(obj: object) -> None:
    """Replace every valid phone value on ``obj`` by its stored form; invalid values are left for the validator."""
    for name in phone_fields(type(obj)):
        value = getattr(obj, name)
        normal = normalize_phone(value) if value else None
        if normal:
            setattr(obj, name, normal)

"""Citizen identity numbers (公民身份号码, GB 11643-1999) and masking of personal identifiers.

Layout of the 18 characters: 1–6 address code (the county at first registration, possibly
abolished since), 7–14 birth date ``YYYYMMDD``, 15–17 sequence (17th digit odd = male, even =
female), 18 check character (ISO 7064 MOD 11-2, ``0``–``9`` or ``X``). Legacy 15-digit numbers
have a two-digit year and no check character.

Validation builds on :mod:`stdnum.cn.ric` for cleaning and the check character, and checks the
address code against every code GB/T 2260 has had (``stdnum/cn/loc.dat``, historical codes
included): people keep numbers issued under county codes that were abolished or renumbered later
(玉屏 was 522223 until 2011, 520622 since), so a code is accepted whenever it existed, whatever the
birth date. ``ric.get_birth_place`` is not used: it ties the code to the birth year, which is wrong
for everyone registered after a renumbering.

Phone numbers live in :mod:`minqing.core.phone`; ``validate_phone`` is re-exported here because
migrations name it by this path.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from importlib import resources

from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError

from minqing.core.codes import Sex
from minqing.core.phone import normalize_phone, validate_phone

__all__ = [
    "IdNumberError",
    "address_codes",
    "birth_date_of",
    "check_consistency",
    "contains_id_or_phone",
    "is_known_address_code",
    "is_valid_id_number",
    "make_id_number",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "sex_of",
    "validate_id_number",
    "validate_phone",
]

#: Earliest accepted birth year. GB 11643's own examples include an 1880 birth date.
EARLIEST_BIRTH_YEAR = 1850

#: First two digits of the address code: the provincial-level divisions of GB/T 2260, plus 83,
#: which the residence permits of Taiwan residents use (81/82 cover Hong Kong and Macao).
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

#: Address codes that are not administrative divisions in GB/T 2260 but appear on valid numbers: the
#: residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use 810000/820000/830000.
PERMIT_ADDRESS_CODES: frozenset[str] = frozenset({"810000", "820000", "830000"})


@functools.cache
def address_codes() -> frozenset[str]:
    """Every 6-digit address code GB/T 2260 has had, abolished ones included (read once from stdnum).

    ``loc.dat`` lists a province as ``52 province="贵州省"`` followed by indented lines whose first
    field is the other four digits (``  2223 county="[-1982]玉屏县,[1983-2011]玉屏侗族自治县"``).
    """
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    found: set[str] = set(PERMIT_ADDRESS_CODES)
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key = line.split(maxsplit=1)[0]
        if not line[0].isspace():
            province = key if len(key) == 2 else ""
            if len(key) == 6:
                found.add(key)
        elif province and len(key) == 4:
            found.add(province + key)
    return frozenset(code for code in found if len(code) == 6 and code.isdigit())


def is_known_address_code(code: str) -> bool:
    """Whether ``code`` is (or was) a GB/T 2260 code, or a residence-permit code."""
    return code in address_codes()


#: Check character by ``(1 - weighted sum) mod 11``; equals ``"10X98765432"[sum mod 11]``.
_CHECK_CHARS = "0123456789X"
_DIGITS = frozenset("0123456789")


class IdNumberError(ValueError):
    """An identity number that cannot be accepted, with a user-facing message saying what to fix.

    ``code`` is a short machine-readable reason (``"length"``, ``"checksum"``…) and ``field`` the
    form field the message belongs to (``"id_number"``, ``"birth_date"`` or ``"sex"``), so forms
    and serializers can attach it where the user will look.
    """

    def __init__(self, message: str, *, code: str = "invalid", field: str = "id_number") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def _today() -> datetime.date:
    """Today's date in the project's time zone (China), falling back to the system date."""
    from django.conf import settings

    if settings.configured and settings.USE_TZ:
        from django.utils import timezone

        return timezone.localdate()
    return datetime.date.today()


def _check_char(body17: str) -> str:
    """Return the MOD 11-2 check character of 17 ASCII digits.

    ``int(body, 13)`` works because 13 ≡ 2 (mod 11): the base-13 value reduces to the sum of
    digits weighted by powers of two, which is what the standard's weight table encodes.
    """
    return _CHECK_CHARS[(1 - 2 * int(body17, 13)) % 11]


def _clean(raw: object) -> str:
    """Fold full-width characters (typed with Chinese input methods), drop spaces, uppercase."""
    text = unicodedata.normalize("NFKC", str(raw))
    try:
        text = ric.compact(text)
    except StdnumValidationError:  # pragma: no cover - compact only fails on non-iterables
        pass
    return "".join(text.split()).upper()


def _is_ascii_digits(text: str) -> bool:
    return bool(text) and all(ch in _DIGITS for ch in text)


def _parse_birth_date(number: str) -> datetime.date:
    """Return the birth date in characters 7–14 or raise :class:`IdNumberError`."""
    try:
        return ric.get_birth_date(number)
    except (StdnumValidationError, ValueError):
        raise IdNumberError(
            _("出生日期“%(date)s”不是有效日期，请核对第7至14位。") % {"date": number[6:14]},
            code="birth_date_invalid",
        ) from None


def normalize_id_number(raw: object, *, today: datetime.date | None = None) -> str:
    """Return the canonical 18-character form of ``raw`` or raise :class:`IdNumberError`.

    Spaces are removed, full-width characters folded and ``x`` uppercased; a legacy 15-digit
    number is upgraded (``19`` inserted before the year, check character computed). Checks:
    length and characters, an address code that is or was in GB/T 2260, a real birth date between
    :data:`EARLIEST_BIRTH_YEAR` and ``today``, and the check character.
    """
    number = "" if raw is None else _clean(raw)
    if not number:
        raise IdNumberError(_("请填写公民身份号码。"), code="required")

    if len(number) == 15:
        if not _is_ascii_digits(number):
            raise IdNumberError(_("15位旧身份证号码只能由数字组成，请核对。"), code="characters")
        body = number[:6] + "19" + number[6:]
        number = body + _check_char(body)
    elif len(number) != 18:
        raise IdNumberError(
            _("公民身份号码应为18位（旧证为15位），当前为%(length)d位，请核对是否多输或漏输。")
            % {"length": len(number)},
            code="length",
        )
    elif not _is_ascii_digits(number[:17]) or number[17] not in _CHECK_CHARS:
        raise IdNumberError(
            _("公民身份号码前17位只能是数字，最后一位只能是数字或X，请核对。"), code="characters"
        )

    if number[:2] not in PROVINCE_CODES:
        raise IdNumberError(
            _("前两位“%(code)s”不是有效的省级行政区划代码，请核对地址码（第1至6位）。")
            % {"code": number[:2]},
            code="address",
        )
    if not is_known_address_code(number[:6]):
        raise IdNumberError(
            _(
                "地址码（第1至6位）“%(code)s”不是有效的行政区划代码，历年撤销或更名的代码中也没有，"
                "请核对前6位。"
            )
            % {"code": number[:6]},
            code="address",
        )

    birth = _parse_birth_date(number)
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise IdNumberError(
            _("出生日期%(date)s早于%(year)d年，请核对第7至14位。")
            % {"date": birth.isoformat(), "year": EARLIEST_BIRTH_YEAR},
            code="birth_date_too_early",
        )
    if birth > (today or _today()):
        raise IdNumberError(
            _("出生日期%(date)s晚于今天，请核对第7至14位。") % {"date": birth.isoformat()},
            code="birth_date_future",
        )

    if number[17] != ric.calc_check_digit(number):
        raise IdNumberError(_("校验位不正确，请核对最后一位。"), code="checksum")
    return number


def is_valid_id_number(raw: object) -> bool:
    """Return whether ``raw`` is an acceptable identity number (see :func:`normalize_id_number`)."""
    try:
        normalize_id_number(raw)
    except IdNumberError:
        return False
    return True


def validate_id_number(value: object) -> None:
    """Django field validator: raise ``django.core.exceptions.ValidationError`` for a bad number."""
    from django.core.exceptions import ValidationError

    try:
        normalize_id_number(value)
    except IdNumberError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def _as_id18(id18: str) -> str:
    """Accept an already normalized number cheaply; normalize anything else."""
    if len(id18) == 18 and _is_ascii_digits(id18[:17]):
        return id18
    return normalize_id_number(id18)


def birth_date_of(id18: str) -> datetime.date:
    """Return the birth date encoded in an identity number (18-digit, or anything normalizable)."""
    return _parse_birth_date(_as_id18(id18))


def sex_of(id18: str) -> str:
    """Return the :class:`~minqing.core.codes.Sex` code: ``"1"`` if the 17th digit is odd, else ``"2"``."""
    number = _as_id18(id18)
    return Sex.MALE.value if int(number[16]) % 2 else Sex.FEMALE.value


def check_consistency(
    id18: str,
    *,
    birth_date: datetime.date | None = None,
    sex: str | None = None,
) -> None:
    """Raise :class:`IdNumberError` if an entered birth date or sex contradicts the number.

    ``None`` means "not entered" and is not checked; so are the sex codes 0 (未知) and 9 (未说明),
    which do not claim anything. The error's ``field`` names the entered field, not the number.
    """
    number = _as_id18(id18)
    if birth_date is not None:
        if isinstance(birth_date, datetime.datetime):
            birth_date = birth_date.date()
        expected = birth_date_of(number)
        if birth_date != expected:
            raise IdNumberError(
                _("出生日期与公民身份号码不一致：号码中的出生日期是%(expected)s，请核对。")
                % {"expected": expected.isoformat()},
                code="birth_date_mismatch",
                field="birth_date",
            )
    if sex is not None and str(sex) in (Sex.MALE, Sex.FEMALE):
        expected_sex = sex_of(number)
        if str(sex) != expected_sex:
            raise IdNumberError(
                _("性别与公民身份号码不一致：号码第17位表示%(expected)s，请核对。")
                % {"expected": Sex(expected_sex).label},
                code="sex_mismatch",
                field="sex",
            )


def make_id_number(address6: str, birth: datetime.date, seq: int) -> str:
    """Build a valid 18-character identity number (for demo data and tests).

    ``seq`` (0–999) becomes characters 15–17, so its parity decides the sex (odd = male).
    Pure arithmetic, no stdnum call: demo-data generators call this millions of times.
    """
    if not 0 <= seq <= 999:
        raise ValueError(f"seq must be 0-999, got {seq!r}")
    if len(address6) != 6 or not _is_ascii_digits(address6):
        raise ValueError(f"address6 must be 6 digits, got {address6!r}")
    body = f"{address6}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
    return body + _CHECK_CHARS[(1 - 2 * int(body, 13)) % 11]


def _mask_tail(text: str, keep: int = 2) -> str:
    """Mask all but the last ``keep`` characters (everything if the value is that short)."""
    if len(text) <= keep:
        return "*" * len(text)
    return "*" * (len(text) - keep) + text[-keep:]


def mask_id_number(value: object) -> str:
    """Mask an identity number for display: ``520622********123X`` (first 6, last 4 kept).

    Short or odd values keep only their last two characters; ``None``/empty give ``""``.
    """
    if value is None:
        return ""
    text = "".join(str(value).split())
    if len(text) >= 11:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    return _mask_tail(text)


def mask_phone(value: object) -> str:
    """Mask a phone number for display: ``138****5678`` for mobiles, ``0851-****2222`` for landlines.

    A landline keeps its area code (a place, not a person) and last four digits; its extension is
    dropped. Anything else (short numbers, old free text) keeps only its last two characters;
    ``None``/empty give ``""``.
    """
    if value is None:
        return ""
    text = str(value).strip()
    compact = "".join(text.replace("-", " ").split())
    if compact.startswith("+86"):
        compact = compact[3:]
    if len(compact) == 11 and _is_ascii_digits(compact) and compact.startswith("1"):
        return compact[:3] + "****" + compact[-4:]
    normal = normalize_phone(text)
    if normal and normal.startswith("0"):
        area, local = normal.split("-")[:2]
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    return _mask_tail(text)


# An ID number or a phone number inside free text (search terms, saved conditions): 15/18-digit IDs,
# mobiles (also spaced 139 1234 5678), landlines with their area code (also 0856-5512345). 16-digit 户编号 and
# 12-digit area codes do not match.
_EMBEDDED_NUMBER = re.compile(
    r"(?<![\dXx])(?:\d{17}[\dXx]|\d{15}|1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{9,11}|0\d{2,3}-\d{7,8})(?![\dXx])"
)


def contains_id_or_phone(text: str) -> bool:
    """Whether ``text`` holds something that reads as an ID number or a phone number."""
    return _EMBEDDED_NUMBER.search(unicodedata.normalize("NFKC", text)) is not None

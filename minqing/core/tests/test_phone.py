"""Phone numbers: accepted forms, the stored form, refusals and their message (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from minqing.core import idnumber
from minqing.core.phone import is_valid_phone, normalize_phone, validate_phone


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),  # typed with a Chinese input method
        ("19912345678", "19912345678"),
        ("0851-22222222", "0851-22222222"),
        ("085122222222", "0851-22222222"),
        ("0851 22222222", "0851-22222222"),
        ("(0851)22222222", "0851-22222222"),
        ("（0851）22222222", "0851-22222222"),
        ("0856-1234567", "0856-1234567"),  # 7-digit local number
        ("0851-22222222-123", "0851-22222222-123"),
        ("0851-22222222转123", "0851-22222222-123"),
        ("0851 2222222 转 12", "0851-2222222-12"),
        ("0851-22222222#9", "0851-22222222-9"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021 1234 5678", "021-12345678"),
        ("+86 851 22222222", "0851-22222222"),
        ("0851-2222-2222", "0851-22222222"),
        ("", ""),
        (None, ""),
    ],
)
def test_accepted_forms_and_stored_form(raw: object, stored: str) -> None:
    assert normalize_phone(raw) == stored
    assert is_valid_phone(raw)
    validate_phone(raw)  # does not raise
    assert normalize_phone(stored) == stored  # the stored form is a fixed point


@pytest.mark.parametrize(
    "raw",
    [
        "12345",  # the government hotline, not a person's number
        "打电话abc",
        "abc",
        "138123456789",  # 12 digits
        "1381234567",  # 10 digits
        "12345678901",  # 12x is not a mobile prefix
        "10086",
        "95588",
        "4008123123",
        "800-820-8820",
        "2222222",  # local number without its area code
        "22222222",
        "0851-222",
        "0851-222222222",  # 9-digit local number
        "010-1234567",  # Beijing local numbers have 8 digits
        "00851 22222222",
        "+1 650 253 0000",
        "13812345678-12",  # a mobile has no extension
        "0851-22222222-1234567",
        "0851-22222222 打我",
        "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits are not ASCII after folding
    ],
)
def test_refused(raw: str) -> None:
    assert normalize_phone(raw) is None
    assert not is_valid_phone(raw)
    with pytest.raises(ValidationError) as info:
        validate_phone(raw)
    message = info.value.messages[0]
    assert info.value.code == "phone"
    assert "11位手机号" in message and "带区号的固定电话" in message and "0856-1234567" in message


def test_idnumber_reexports_the_same_validator() -> None:
    # Migrations name minqing.core.idnumber.validate_phone; model fields and phone_fields() must agree.
    assert idnumber.validate_phone is validate_phone

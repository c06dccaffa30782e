"""Tests for GB 11643 identity number handling and masking (no database)."""

from __future__ import annotations

import datetime
import random
import time

import pytest

from minqing.core.codes import Sex
from minqing.core.idnumber import (
    EARLIEST_BIRTH_YEAR,
    IdNumberError,
    address_codes,
    birth_date_of,
    check_consistency,
    is_known_address_code,
    is_valid_id_number,
    make_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    sex_of,
)

STANDARD_EXAMPLES = ["11010519491231002X", "440524188001010014", "360426199101010071"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def reference_check_char(body17: str) -> str:
    """The check character computed literally as the standard describes it."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


def error_code(raw: str, *, today: datetime.date | None = None) -> str:
    with pytest.raises(IdNumberError) as info:
        normalize_id_number(raw, today=today)
    assert str(info.value)  # always carries a user-facing message
    return info.value.code


@pytest.mark.parametrize("number", STANDARD_EXAMPLES)
def test_standard_examples_are_valid(number: str) -> None:
    assert normalize_id_number(number) == number
    assert is_valid_id_number(number)


def test_birth_date_and_sex_of_examples() -> None:
    assert birth_date_of("11010519491231002X") == datetime.date(1949, 12, 31)
    assert sex_of("11010519491231002X") == Sex.FEMALE == "2"
    assert birth_date_of("440524188001010014") == datetime.date(1880, 1, 1)
    assert sex_of("440524188001010014") == Sex.MALE == "1"
    assert sex_of("360426199101010071") == "1"


def test_cleaning_spaces_lowercase_and_full_width() -> None:
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_wrong_check_digit() -> None:
    with pytest.raises(IdNumberError) as info:
        normalize_id_number("110105194912310021")
    assert info.value.code == "checksum"
    assert "校验位" in str(info.value)
    assert info.value.field == "id_number"
    assert not is_valid_id_number("110105194912310021")


def test_single_digit_typo_is_caught() -> None:
    # MOD 11-2 detects every single-digit substitution.
    number = "360426199101010071"
    for pos in range(17):
        for digit in "0123456789":
            if digit == number[pos]:
                continue
            typo = number[:pos] + digit + number[pos + 1 :]
            assert not is_valid_id_number(typo), typo


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("11010519491231002", "length"),
        ("11010519491231002X1", "length"),
        ("1101051949123100AX", "characters"),
        ("11010519491231002Y", "characters"),
        ("X10105194912310020", "characters"),
        ("11010549123100X", "characters"),
        ("99010519491231002X", "address"),
        ("00010519491231002X", "address"),
    ],
)
def test_format_errors(raw: str, code: str) -> None:
    assert error_code(raw) == code


def test_none_is_required_error() -> None:
    with pytest.raises(IdNumberError) as info:
        normalize_id_number(None)
    assert info.value.code == "required"


@pytest.mark.parametrize(
    ("address", "born"),
    [
        ("522223", datetime.date(1975, 3, 8)),  # 玉屏侗族自治县 until 2011 (铜仁地区), now 520622
        ("522223", datetime.date(2015, 3, 8)),  # the code is accepted whatever the birth date
        ("520622", datetime.date(1960, 1, 1)),  # 玉屏 since 2011: a number re-issued after moving
        ("522201", datetime.date(1990, 6, 1)),  # 铜仁市 (county-level) 1987–2011
        ("110103", datetime.date(1955, 2, 2)),  # 北京崇文区, abolished 2010
        ("440524", datetime.date(1880, 1, 1)),  # 潮阳县 1983–1993 (the standard's own example)
        ("520000", datetime.date(1950, 1, 1)),  # a province-level code, as early numbers carry
        ("830000", datetime.date(1988, 8, 8)),  # residence permit of a Taiwan resident
        ("810000", datetime.date(1988, 8, 8)),  # residence permit of a Hong Kong resident
    ],
)
def test_historical_address_codes_are_accepted(address: str, born: datetime.date) -> None:
    number = make_id_number(address, born, 123)
    assert normalize_id_number(number, today=datetime.date(2026, 1, 1)) == number


@pytest.mark.parametrize("address", ["529999", "520699", "110199", "138000", "710101"])
def test_unknown_address_code_is_refused(address: str) -> None:
    number = make_id_number(address, datetime.date(1970, 5, 6), 123)  # right check character
    with pytest.raises(IdNumberError) as info:
        normalize_id_number(number)
    assert info.value.code == "address" and info.value.field == "id_number"
    assert f"“{address}”" in str(info.value) and "不是有效的行政区划代码" in str(info.value)
    assert not is_valid_id_number(number)


def test_unknown_address_code_is_refused_in_a_fifteen_digit_number() -> None:
    with pytest.raises(IdNumberError) as info:
        normalize_id_number("529999700506123")
    assert info.value.code == "address"


def test_address_table_is_loaded_once_and_complete() -> None:
    assert address_codes() is address_codes()  # cached
    codes = address_codes()
    assert len(codes) > 6000
    assert {"522223", "520622", "522200", "110105", "650000"} <= codes
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert is_known_address_code("522223") and not is_known_address_code("529999")


def test_address_check_is_fast() -> None:
    numbers = [make_id_number("522223", datetime.date(1970, 1, 1), n) for n in range(1000)]
    started = time.perf_counter()
    for number in numbers:
        normalize_id_number(number)
    assert time.perf_counter() - started < 1.0


def test_checksum_rule_unchanged_with_known_address() -> None:
    good = make_id_number("522223", datetime.date(1975, 3, 8), 124)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(IdNumberError) as info:
        normalize_id_number(bad)
    assert info.value.code == "checksum"
    assert good[17] == reference_check_char(good[:17])


def test_fifteen_digit_upgrade() -> None:
    upgraded = normalize_id_number("110105491231002")
    assert upgraded == "11010519491231002X"
    assert normalize_id_number(upgraded) == upgraded
    assert birth_date_of(upgraded) == datetime.date(1949, 12, 31)
    assert birth_date_of("110105491231002") == datetime.date(1949, 12, 31)
    assert sex_of("110105491231002") == Sex.FEMALE


def test_fifteen_digit_upgrade_of_generated_numbers() -> None:
    rng = random.Random(15)
    for _ in range(200):
        birth = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(36500))
        seq = rng.randrange(1000)
        full = make_id_number("440524", birth, seq)
        legacy = full[:6] + full[8:17]
        assert len(legacy) == 15
        assert normalize_id_number(legacy) == full


def test_impossible_birth_dates() -> None:
    feb30 = "110105" + "19900230" + "123"
    assert error_code(feb30 + reference_check_char(feb30)) == "birth_date_invalid"
    month13 = "110105" + "19901301" + "123"
    assert error_code(month13 + reference_check_char(month13)) == "birth_date_invalid"
    assert error_code("110105900230123") == "birth_date_invalid"  # 15-digit Feb 30
    leap = make_id_number("110105", datetime.date(2000, 2, 29), 12)
    assert normalize_id_number(leap) == leap


def test_birth_date_in_future() -> None:
    today = datetime.date(2024, 6, 1)
    tomorrow = make_id_number("110105", datetime.date(2024, 6, 2), 11)
    assert error_code(tomorrow, today=today) == "birth_date_future"
    born_today = make_id_number("110105", today, 11)
    assert normalize_id_number(born_today, today=today) == born_today
    far_future = make_id_number("110105", datetime.date(2999, 1, 1), 11)
    assert error_code(far_future) == "birth_date_future"


def test_birth_date_too_early() -> None:
    early = make_id_number("110105", datetime.date(EARLIEST_BIRTH_YEAR - 1, 12, 31), 11)
    assert error_code(early) == "birth_date_too_early"
    ok = make_id_number("110105", datetime.date(EARLIEST_BIRTH_YEAR, 1, 1), 11)
    assert normalize_id_number(ok) == ok


def test_check_consistency_accepts_matching_values() -> None:
    number = "11010519491231002X"
    check_consistency(number)
    check_consistency(number, birth_date=datetime.date(1949, 12, 31), sex="2")
    check_consistency(number, birth_date=datetime.datetime(1949, 12, 31, 8, 0), sex=Sex.FEMALE)
    # Unknown / unspecified sex claims nothing.
    check_consistency(number, sex=Sex.UNKNOWN)
    check_consistency(number, sex="9")


def test_check_consistency_birth_date_mismatch() -> None:
    with pytest.raises(IdNumberError) as info:
        check_consistency("11010519491231002X", birth_date=datetime.date(1949, 12, 30))
    assert info.value.code == "birth_date_mismatch"
    assert info.value.field == "birth_date"
    assert "1949-12-31" in str(info.value)


def test_check_consistency_sex_mismatch() -> None:
    with pytest.raises(IdNumberError) as info:
        check_consistency("11010519491231002X", sex=Sex.MALE)
    assert info.value.code == "sex_mismatch"
    assert info.value.field == "sex"
    with pytest.raises(IdNumberError):
        check_consistency("360426199101010071", sex="2")


def test_check_consistency_rejects_invalid_number() -> None:
    with pytest.raises(IdNumberError):
        check_consistency("1234", sex="1")


def test_make_id_number_round_trip() -> None:
    rng = random.Random(20240601)
    start = datetime.date(EARLIEST_BIRTH_YEAR, 1, 1)
    span = (datetime.date(2024, 12, 31) - start).days
    addresses = sorted(address_codes())
    for _ in range(5000):
        address = rng.choice(addresses)
        birth = start + datetime.timedelta(days=rng.randrange(span + 1))
        seq = rng.randrange(1000)
        number = make_id_number(address, birth, seq)
        assert len(number) == 18
        assert number[17] == reference_check_char(number[:17])
        assert normalize_id_number(number) == number
        assert number[:6] == address
        assert number[14:17] == f"{seq:03d}"
        assert birth_date_of(number) == birth
        assert sex_of(number) == (Sex.MALE if seq % 2 else Sex.FEMALE)


def test_make_id_number_reproduces_standard_examples() -> None:
    for number in STANDARD_EXAMPLES:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert make_id_number(number[:6], birth, int(number[14:17])) == number


@pytest.mark.parametrize(
    ("address", "seq"),
    [("11010", 1), ("1101051", 1), ("11010a", 1), ("110105", -1), ("110105", 1000)],
)
def test_make_id_number_rejects_bad_input(address: str, seq: int) -> None:
    with pytest.raises(ValueError):
        make_id_number(address, datetime.date(1990, 1, 1), seq)


def test_mask_id_number() -> None:
    assert mask_id_number("52062219900101123X") == "520622********123X"
    assert mask_id_number("110105491231002") == "110105*****1002"
    assert mask_id_number("12345") == "***45"
    assert mask_id_number("1") == "*"
    assert mask_id_number(None) == ""
    assert mask_id_number("") == ""


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(" 138 1234 5678 ") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone(13812345678) == "138****5678"
    assert mask_phone("0851-1234567") == "0851-***4567"
    assert mask_phone("085122222222") == "0851-****2222"
    assert mask_phone("0851-22222222-123") == "0851-****2222"  # the extension is dropped
    assert mask_phone("010-12345678") == "010-****5678"
    assert mask_phone("12345") == "***45"
    assert mask_phone("12") == "**"
    assert mask_phone(None) == ""
    assert mask_phone("") == ""

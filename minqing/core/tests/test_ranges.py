"""Numbers are checked against what their column can really hold, on SQLite as on PostgreSQL.

SQLite stores any number in any column and Django's own validators use the connected backend's ranges
(64-bit integers on SQLite), so without ``core.ranges`` a value PostgreSQL refuses (DataError, a 500) or
that SQLite stores and then cannot read back as a Decimal would pass validation.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from minqing.core.editing import validate
from minqing.core.ranges import check_ranges, range_error, range_errors
from minqing.registry.models import EconomyYear, House

PRICE = models.DecimalField("价格", max_digits=5, decimal_places=2)


def message(field, value) -> str | None:
    error = range_error(field, value)
    return None if error is None else error.messages[0]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        (PRICE, Decimal("999.99"), None),
        (PRICE, Decimal("-999.99"), None),
        (PRICE, Decimal("1000"), "“价格”不能超过 999.99。"),
        (PRICE, Decimal("1000.00"), "“价格”不能超过 999.99。"),
        (PRICE, Decimal("-1000"), "“价格”不能小于 -999.99。"),
        (PRICE, Decimal("1.005"), "“价格”最多保留 2 位小数。"),
        (PRICE, Decimal("NaN"), "“价格”不是有效的数字。"),
        (PRICE, Decimal("Infinity"), "“价格”不是有效的数字。"),
        (PRICE, "12.5", None),
        (PRICE, 12, None),
        (PRICE, "abc", "“价格”不是有效的数字。"),
        (PRICE, None, None),
        (models.PositiveSmallIntegerField("人口"), 32767, None),
        (models.PositiveSmallIntegerField("人口"), 32768, "“人口”不能超过 32767。"),
        (models.PositiveSmallIntegerField("人口"), -1, "“人口”不能小于 0。"),
        (models.SmallIntegerField("温度"), -32769, "“温度”不能小于 -32768。"),
        (models.IntegerField("数量"), 2**31 - 1, None),
        (models.IntegerField("数量"), 2**31, "“数量”不能超过 2147483647。"),
        (models.IntegerField("数量"), -(2**31) - 1, "“数量”不能小于 -2147483648。"),
        (models.PositiveIntegerField("版本"), 2**31, "“版本”不能超过 2147483647。"),
        (models.BigIntegerField("编号"), 2**63, "“编号”不能超过 9223372036854775807。"),
        (models.BigIntegerField("编号"), -(2**63), None),
        (models.CharField("名称", max_length=5), "x" * 9, None),  # not a number: not its business
    ],
)
def test_range_error_names_the_field_and_its_real_range(field, value, expected):
    assert message(field, value) == expected


def test_integer_ranges_are_the_portable_ones_not_the_connected_backends():
    """SQLite's backend reports 64-bit ranges for every integer field; PostgreSQL's smallint is 16-bit."""
    field = EconomyYear._meta.get_field("population")
    assert message(field, 40000) == "“家庭人口”不能超过 32767。"


def test_range_errors_checks_every_numeric_column_including_computed_ones():
    row = EconomyYear(year=2024, population=40000, net_per_capita=Decimal("12345678901.00"))
    errors = range_errors(row)
    assert set(errors) == {"population", "net_per_capita"}
    assert errors["net_per_capita"][0].messages == ["“年人均纯收入”不能超过 9999999999.99。"]
    assert set(range_errors(row, ["population", "year"])) == {"population"}


def test_check_ranges_raises_one_error_keyed_by_field():
    house = House(address="x", floor_area=Decimal("1000000.00"), build_year=70000)
    with pytest.raises(ValidationError) as caught:
        check_ranges(house)
    assert caught.value.message_dict == {
        "floor_area": ["“建筑面积(㎡)”不能超过 999999.99。"],
        "build_year": ["“建成年份”不能超过 32767。"],
    }
    check_ranges(House(address="x", floor_area=Decimal("999999.99"), build_year=2020))


def test_validate_merges_model_errors_with_range_errors(tree):
    """Model validation and the column ranges in one error; excluded fields are still range-checked."""
    house = House(area=tree.v1, area_path=tree.v1.code, address="", floor_area=Decimal("1000000"))
    with pytest.raises(ValidationError) as caught:
        validate(house, exclude=["floor_area"])
    assert caught.value.message_dict == {
        "address": ["此字段不能为空。"],
        "floor_area": ["“建筑面积(㎡)”不能超过 999999.99。"],
    }

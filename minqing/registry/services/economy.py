"""Yearly income and expense (年度收支); 年人均纯收入 is computed, never typed."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import audit
from minqing.core.editing import changeable, check_version, validate
from minqing.core.history import diff, snapshot
from minqing.core.ranges import check_ranges, range_error

from ..models import EconomyYear, Household

if TYPE_CHECKING:
    from minqing.accounts.models import User


ECONOMY_FIELDS = [*EconomyYear.INCOME_FIELDS, *EconomyYear.TRANSFER_FIELDS, "business_expense", "population"]
MONEY_FIELDS = [name for name in ECONOMY_FIELDS if name != "population"]


@transaction.atomic
def economy_save(
    *, actor: User, household: Household, year: int, data: dict[str, Any], version: int | None
) -> EconomyYear:
    """Create or replace one year's income and expense; 年人均纯收入 is computed, never typed.

    ``version`` is the version of the year's row the editor loaded, None when the year had no row yet:
    when someone saved the year since (or first), ``ConcurrentEditError`` tells what they changed.
    Every number, the computed ones included, is held to its column's range before anything is written.
    """
    household = changeable(actor, Household, household)
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("年度应在2000年到今年之间。")})
    row = EconomyYear.objects.select_for_update().filter(household=household, year=year).first()
    created = row is None
    if row is None:
        if version is not None:
            raise ValidationError({"version": _("该年度还没有收支记录：新录入时不要提交版本号（version）。")})
        row = EconomyYear(
            household=household,
            year=year,
            area_path=household.area_path,
            population=max(household.member_count, 1),
        )
    else:
        check_version(row, version or 0)  # None: the editor saw no row, but someone has saved one since
    before = snapshot(row, ECONOMY_FIELDS)
    for name in ECONOMY_FIELDS:
        if name in data and data[name] is not None:
            setattr(row, name, data[name])
    # The typed values first (a population of 0 cannot be divided by), then what is computed from them.
    validate(row, exclude=["household", "net_per_capita"], validate_unique=False)
    _as_stored(row)
    total = range_error(EconomyYear._meta.get_field("net_per_capita"), row.total_income, label=_("收入合计"))
    if total is not None:
        raise ValidationError({NON_FIELD_ERRORS: [total]})
    row.compute()
    check_ranges(row)
    changes = diff(row, before) if not created else {_("年度"): ["", str(year)]}
    if not changes:
        return row
    if not created:
        row.version += 1
    row.save()
    audit.record(
        actor=actor,
        verb="registry.economy.saved",
        target=row,
        household_id=household.pk,
        changes=changes,
        label=f"{household} {year}",
    )
    return row


def _as_stored(row: EconomyYear) -> None:
    """Amounts as the column keeps them (2 places), so "100" and "100.00" are no change in the history."""
    for name in MONEY_FIELDS:
        field = row._meta.get_field(name)
        assert isinstance(field, models.DecimalField)
        places = Decimal(1).scaleb(-(field.decimal_places or 0))
        setattr(row, name, Decimal(getattr(row, name)).quantize(places))

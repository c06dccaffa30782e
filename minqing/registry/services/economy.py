"""Yearly income and expense (年度收支); 年人均纯收入 is computed, never typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.core import audit
from minqing.core.editing import changeable
from minqing.core.history import diff, snapshot

from ..models import EconomyYear, Household

if TYPE_CHECKING:
    from minqing.accounts.models import User


ECONOMY_FIELDS = [*EconomyYear.INCOME_FIELDS, *EconomyYear.TRANSFER_FIELDS, "business_expense", "population"]


@transaction.atomic
def economy_save(*, actor: User, household: Household, year: int, data: dict[str, Any]) -> EconomyYear:
    """Create or replace one year's income and expense; 年人均纯收入 is computed, never typed."""
    household = changeable(actor, Household, household)
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("年度应在2000年到今年之间。")})
    row = EconomyYear.objects.select_for_update().filter(household=household, year=year).first()
    created = row is None
    if created:
        row = EconomyYear(
            household=household,
            year=year,
            area_path=household.area_path,
            population=max(household.member_count, 1),
        )
    before = snapshot(row, ECONOMY_FIELDS)
    for name in ECONOMY_FIELDS:
        if name in data and data[name] is not None:
            setattr(row, name, data[name])
    row.compute()
    row.full_clean(exclude=["household", "net_per_capita"], validate_unique=False)
    row.save()
    changes = diff(row, before) if not created else {_("年度"): ["", str(year)]}
    audit.record(
        actor=actor,
        verb="registry.economy.saved",
        target=household,
        household_id=household.pk,
        changes=changes,
        label=f"{household} {year}",
    )
    return row

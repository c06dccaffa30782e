"""Checks every registry service shares: the target area is in the actor's change scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minqing.areas.models import Area
from minqing.core import codes

from ..models import Household
from ..signals import households_changed as _households_changed

if TYPE_CHECKING:
    from minqing.accounts.models import User

HEAD = codes.Relation.HEAD


def check_area(actor: User, area: Area | None, *, field: str = "area") -> None:
    if area is None or not Area.objects.visible_to(actor, "change").filter(pk=area.pk).exists():
        raise ValidationError({field: _("该区域不在您的管辖范围内。")})


def check_grid(actor: User, grid: Area | None) -> None:
    if grid is not None and not Area.objects.visible_to(actor, "view").filter(pk=grid.pk).exists():
        raise ValidationError({"grid": _("该网格不在您的管辖范围内。")})


def check_move(actor: User, row: Any, data: dict[str, Any]) -> None:
    """A record moving to another area or grid needs the actor's scope at the destination too."""
    if "area" in data and data["area"] != row.area:
        check_area(actor, data["area"])
    if "grid" in data and data["grid"] != row.grid:
        check_grid(actor, data["grid"])


def households_changed(household_ids: list[int]) -> None:
    """Tell the apps above the registry (tags, …) which households changed, inside the transaction."""
    _households_changed.send(sender=Household, household_ids=household_ids)

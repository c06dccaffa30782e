"""ID numbers: GB 11643 rules, and one ID number is one person in the whole database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from minqing.areas.models import Area
from minqing.core.idnumber import IdNumberError, normalize_id_number

from ..models import Person

if TYPE_CHECKING:
    from minqing.accounts.models import User


def id_number_check_unique(*, actor: User, id_number: str, exclude_pk: int | None = None) -> None:
    """One ID number is one person in the whole database.

    The error links the existing person when the actor may see them; otherwise it names only the township.
    """
    existing = (
        Person.objects.filter(id_number=id_number).exclude(pk=exclude_pk).select_related("household").first()
    )
    if existing is None:
        return
    if Person.objects.visible_to(actor, "view").filter(pk=existing.pk).exists():
        raise ValidationError(
            {
                "id_number": _(
                    "该身份证号已登记为 %(name)s（户编号 %(number)s），请勿重复登记；如需迁入请使用“迁移人员”。"
                )
                % {"name": existing.name, "number": existing.household.number}
            },
            code="duplicate_visible",
            params={"person_id": existing.pk},
        )
    township = Area.objects.filter(code=existing.area_path[:9]).first()
    raise ValidationError(
        {
            "id_number": _(
                "该身份证号已在%(township)s登记，不能重复登记。如该人员已迁入本地，请联系原所在地办理迁出。"
            )
            % {"township": township.name if township else _("其他地区")}
        },
        code="duplicate_elsewhere",
    )


def normalized_id(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        return normalize_id_number(raw)
    except IdNumberError as error:
        raise ValidationError({error.field: error.message}, code=error.code) from None

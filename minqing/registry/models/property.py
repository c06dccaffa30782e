"""房屋 and 场所: houses (with safety grades) and places (with hidden dangers)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import AreaPlaced
from minqing.core import codes, sensitive
from minqing.core.fields import EncryptedCharField
from minqing.core.idnumber import (
    mask_phone,
    validate_phone,
)
from minqing.core.models import Versioned
from minqing.core.scoping import GridScopedQuerySet

from .households import Household
from .paired import PairedScopeMixin


class HouseQuerySet(PairedScopeMixin, GridScopedQuerySet):
    """Houses; those of a stationed cadre's paired households are changeable by them (``paired``)."""


class House(AreaPlaced, Versioned):
    """房屋: a building where people live or work (GB/T 31000 实有房屋)."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("所属户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="houses",
    )
    address = models.CharField(_("房屋地址"), max_length=200)
    structure = models.CharField(_("结构"), max_length=1, choices=codes.HouseStructure.choices, blank=True)
    floor_area = models.DecimalField(
        _("建筑面积(㎡)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"), message=_("建筑面积必须大于0。"))],
    )
    build_year = models.PositiveSmallIntegerField(
        _("建成年份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800, message=_("建成年份不能早于1800年。"))],
    )
    safety_grade = models.CharField(
        _("安全等级"), max_length=1, choices=codes.HouseSafetyGrade.choices, default=codes.HouseSafetyGrade.A
    )
    use = models.CharField(
        _("建筑用途"), max_length=2, choices=codes.BuildingUse.choices, default=codes.BuildingUse.RESIDENTIAL
    )
    rented_out = models.BooleanField(_("出租"), default=False)
    tenant = models.CharField(_("承租人"), max_length=100, blank=True)

    objects = HouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["area_path", "address"]
        indexes = [models.Index(fields=["area_path", "safety_grade"], name="house_area_grade_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0), name="house_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("registry:house", args=[self.pk])

    def clean(self) -> None:
        self.clean_placement()
        if self.build_year and self.build_year > timezone.localdate().year:
            raise ValidationError({"build_year": _("建成年份不能晚于今年。")})
        if self.rented_out and not self.tenant:
            raise ValidationError({"tenant": _("出租的房屋请填写承租人。")})

    @property
    def is_dangerous(self) -> bool:
        return self.safety_grade in (codes.HouseSafetyGrade.C, codes.HouseSafetyGrade.D)


class Place(AreaPlaced, Versioned):
    """场所: shops, schools, clinics, enterprises, religious sites … with hidden dangers (GB/T 31000 5.19)."""

    name = models.CharField(_("场所名称"), max_length=100)
    place_type = models.CharField(_("场所类型"), max_length=12, choices=codes.PlaceType.choices)
    address = models.CharField(_("地址"), max_length=200)
    responsible_person = models.CharField(_("负责人"), max_length=50, blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    hazard_type = models.CharField(
        _("隐患类型"), max_length=2, choices=codes.HazardType.choices, default=codes.HazardType.NONE
    )
    hazard_note = models.CharField(_("隐患说明"), max_length=200, blank=True)

    objects = GridScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering = ["area_path", "name"]
        indexes = [models.Index(fields=["area_path", "place_type"], name="place_area_type_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:place", args=[self.pk])

    def clean(self) -> None:
        self.clean_placement()

    @property
    def has_hazard(self) -> bool:
        return self.hazard_type != codes.HazardType.NONE

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


sensitive.register(Place, phone=mask_phone)  # a contact's phone is personal data like a resident's

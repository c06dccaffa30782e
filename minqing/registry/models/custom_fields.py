"""Custom fields a deployment defines for households, and the one rule that checks their values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomField(models.Model):
    """A household field defined per deployment (e.g. 是否安装光伏); values live in ``Household.custom``."""

    class Kind(models.TextChoices):
        TEXT = "text", _("文本")
        NUMBER = "number", _("数字")
        BOOLEAN = "bool", _("是/否")
        CHOICE = "choice", _("选项")

    key = models.SlugField(_("字段代码"), max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=6, choices=Kind.choices, default=Kind.TEXT)
    options = models.JSONField(_("选项"), default=list, blank=True, help_text=_("类型为“选项”时的可选值"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    TEXT_MAX_LENGTH = 200
    NUMBER_LIMIT = 10**12
    TRUE_WORDS = ("是", "true")
    FALSE_WORDS = ("否", "false")

    class Meta:
        verbose_name = _("自定义字段")
        verbose_name_plural = _("自定义字段")
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if not isinstance(self.options, list) or not all(
            isinstance(o, str) and o.strip() for o in self.options
        ):
            raise ValidationError({"options": _('选项应是文字的列表，例如 ["水稻", "玉米"]。')})
        if len(set(self.options)) != len(self.options):
            raise ValidationError({"options": _("选项不能重复。")})
        if self.kind == self.Kind.CHOICE and not self.options:
            raise ValidationError({"options": _("类型为“选项”时请至少填写一个可选值。")})

    def clean_value(self, value: Any) -> Any:
        """The value as stored in ``Household.custom``, or a ValidationError saying what to fix.

        The one rule for the household form, the API and imports. Blank is allowed for every kind
        ("" for text and choices, None for numbers and yes/no). The error carries ``params["key"]``
        so a form can show it beside the field.
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            return None if self.kind in (self.Kind.NUMBER, self.Kind.BOOLEAN) else ""
        if self.kind == self.Kind.NUMBER:
            return self._clean_number(value)
        if self.kind == self.Kind.BOOLEAN:
            return self._clean_boolean(value)
        if self.kind == self.Kind.CHOICE:
            if isinstance(value, str) and value.strip() in self.options:
                return value.strip()
            raise self.value_error(
                _("「%(label)s」只能从这些选项中选择：%(options)s。"),
                "custom_choice",
                options="、".join(self.options),
            )
        return self._clean_text(value)

    def value_error(self, message: str, code: str, **params: Any) -> ValidationError:
        return ValidationError(message, code=code, params={"label": self.label, "key": self.key, **params})

    def _clean_number(self, value: Any) -> int | float:
        number = None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            number = Decimal(str(value))
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip().replace(",", ""))
            except ArithmeticError:
                number = None
        if number is None or not number.is_finite():
            raise self.value_error(_("「%(label)s」只能填数字，例如 12 或 3.5。"), "custom_number")
        if abs(number) >= self.NUMBER_LIMIT:
            raise self.value_error(
                _("「%(label)s」的数值太大，请检查是否多填了位数。"), "custom_number_range"
            )
        # JSON keeps whole numbers as integers (3, not 3.0) and the rest as decimals.
        return int(number) if number == number.to_integral_value() else float(number)

    def _clean_boolean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        word = value.strip().lower() if isinstance(value, str) else None
        if word in self.TRUE_WORDS:
            return True
        if word in self.FALSE_WORDS:
            return False
        raise self.value_error(_("「%(label)s」只能填“是”或“否”。"), "custom_boolean")

    def _clean_text(self, value: Any) -> str:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.value_error(_("「%(label)s」应填写文字。"), "custom_text")
        value = value.strip()
        if len(value) > self.TEXT_MAX_LENGTH:
            raise self.value_error(
                _("「%(label)s」最多填写%(max)d个字，现在有%(length)d个字。"),
                "custom_text_length",
                max=self.TEXT_MAX_LENGTH,
                length=len(value),
            )
        return value


def clean_custom_values(values: Any, *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check a household's custom values (``Household.custom``) against the defined fields; return them cleaned.

    The one rule for the household form, the API, the services and imports:

    - every key must name a defined ``CustomField`` (unknown keys are refused);
    - a value that differs from ``previous`` (what is stored now) must suit its field's kind;
    - a field that has been switched off (``is_active=False``) keeps its stored value but takes no new
      one, except blank (clearing it);
    - a value equal to ``previous`` is kept as it is, even if the field's options have changed since it
      was saved, so an old value never blocks editing the rest of the household.

    Raises ``ValidationError({"custom": [...]})`` whose messages name the field (「是否光伏户」…); each
    error carries ``params["key"]`` for forms that show it beside the field.
    """
    if not isinstance(values, dict):
        raise ValidationError({"custom": _('自定义字段应是“字段代码: 值”的对照表，例如 {"pv": true}。')})
    previous = previous or {}
    fields = {f.key: f for f in CustomField.objects.filter(key__in=list(values))}
    cleaned: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for key, value in values.items():
        field = fields.get(key)
        if key in previous and type(value) is type(previous[key]) and value == previous[key]:
            cleaned[key] = value
        elif field is None:
            errors.append(
                ValidationError(
                    _("没有名为“%(key)s”的自定义字段，请检查字段代码。"),
                    code="custom_unknown",
                    params={"key": key},
                )
            )
        else:
            try:
                cleaned[key] = field.clean_value(value)
            except ValidationError as error:
                errors.append(error)
                continue
            blank = cleaned[key] in (None, "")
            if not field.is_active and not blank and cleaned[key] != previous.get(key):
                errors.append(
                    field.value_error(_("「%(label)s」已停用，不能再填写，只能清空。"), "custom_inactive")
                )
    if errors:
        raise ValidationError({"custom": errors})
    return cleaned

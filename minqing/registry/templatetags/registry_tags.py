from django import template
from django.utils import timezone

from minqing.core import codes

register = template.Library()


@register.filter
def age(birth_date) -> int | str:
    """Full years on today's date (Asia/Shanghai)."""
    if not birth_date:
        return ""
    today = timezone.localdate()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


@register.filter
def poverty_causes(values) -> str:
    return "、".join(codes.label(codes.PovertyCause, v) for v in values or [])


@register.filter
def custom_value(household, field) -> str:
    value = (household.custom or {}).get(field.key)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)

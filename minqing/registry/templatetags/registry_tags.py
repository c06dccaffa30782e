from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from minqing.core import codes, restricted
from minqing.registry import minors

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
        return str(_("是")) if value else str(_("否"))  # translated like every label
    return str(value)


#: The badges of a household, in the order lists and the household page show them: (test, colour, label).
HOUSEHOLD_FLAGS = (
    (lambda h: h.poverty_alleviated, "success", _("脱贫户")),
    (lambda h: h.monitoring_status == codes.MonitoringStatus.MONITORING, "danger", _("监测户")),
    (lambda h: h.monitoring_status == codes.MonitoringStatus.RISK_CLEARED, "secondary", _("风险消除")),
    (lambda h: h.dibao, "warning", _("低保")),
    (lambda h: h.tekun, "warning", _("特困")),
    (lambda h: not h.housing_secure, "danger", _("住房不安全")),
    (lambda h: not h.water_safe, "info", _("饮水困难")),
    (lambda h: h.status == codes.HouseholdStatus.MOVED_OUT, "dark", _("迁出")),
    (lambda h: h.status == codes.HouseholdStatus.CANCELLED, "dark", _("注销")),
)


@register.simple_tag
def household_flags(household) -> str:
    """The badges of a household (a model or a list row): one tag per row, not a template include of nine ifs."""
    return format_html_join(
        " ",
        '<span class="badge text-bg-{} flag">{}</span>',
        ((colour, label) for test, colour, label in HOUSEHOLD_FLAGS if test(household)),
    )


def _reader(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def may_see(context, privacy_class: str, obj) -> bool:
    """``{% may_see "health" person as show_health %}``: whether the page's reader may see the record's fields
    of that privacy class (``core.restricted.may_see``; no query)."""
    return restricted.may_see(_reader(context), privacy_class, obj)


@register.simple_tag(takes_context=True)
def may_see_field(context, obj, field: str) -> bool:
    """``{% may_see_field person "id_number" as shown %}``: False when the field belongs to a privacy class
    (``core.restricted``) the reader may not see on this record; True for every other field."""
    privacy_class = restricted.class_of(obj, field) if obj is not None else None
    return privacy_class is None or restricted.may_see(_reader(context), privacy_class, obj)


@register.simple_tag(takes_context=True)
def visible_attachments(context, attachments) -> list:
    """``{% visible_attachments attachments as attachments %}``: without the ``minors`` right, a minor's
    files (ID copies, photos) are left out of a list (``registry.minors``)."""
    return minors.visible_attachments(_reader(context), attachments or [])


@register.simple_tag(takes_context=True)
def readable_history(context, history, record=None, targets=()) -> list:
    """``{% readable_history history person as history %}``: the history events marked with what the reader
    may see, before ``core/_history.html`` shows them (restricted values stay hidden otherwise). A household
    page passes its members as ``targets``: each member's events are judged on that member."""
    return restricted.readable(history or [], _reader(context), record=record, targets=targets or ())

"""Form widgets rendered in Python where Django renders a template per option and per attribute.

A search page draws a dozen selects with ~150 options: through templates that is ~300 template renders
and most of the page's time. The HTML is the same as Django's templates give (tested); other widgets
(and any project override of these templates) go through the templates as usual.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
INPUTS = {
    f"django/forms/widgets/{kind}.html" for kind in ("input", "text", "number", "hidden", "date", "email")
}
OPTION = "django/forms/widgets/select_option.html"


def attrs_html(attrs: dict[str, Any]) -> str:
    """`` name="value"`` pairs like ``attrs.html``: True gives a bare name, False leaves the attribute out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def select_html(widget: dict[str, Any]) -> SafeString:
    out = [format_html('<select name="{}"', widget["name"]), attrs_html(widget["attrs"]), ">"]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            if option["template_name"] != OPTION:
                raise LookupError(option["template_name"])  # a custom option template: let Django render it
            out.append(format_html('\n  <option value="{}"', str(option["value"])))
            out.append(attrs_html(option["attrs"]))
            out.append(format_html(">{}</option>\n", option["label"]))  # the option template's newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 — every part above is escaped


def input_html(widget: dict[str, Any]) -> SafeString:
    value = "" if widget["value"] is None else format_html(' value="{}"', str(widget["value"]))
    html = format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
    return mark_safe(f"{html}{value}{attrs_html(widget['attrs'])}>")  # noqa: S308 — escaped above


class FastRenderer(DjangoTemplates):
    """Django's default form renderer, with selects and plain inputs built in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if widget is not None:
            try:
                if template_name == SELECT:
                    return select_html(widget)
                if template_name in INPUTS and "type" in widget:
                    return input_html(widget)
            except LookupError:
                pass
        return super().render(template_name, context, request)

"""Form helpers: Bootstrap classes on widgets, and service errors placed beside their fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import restricted, sensitive
from .scoping import can

if TYPE_CHECKING:  # the mixin is only ever used on forms: let mypy see their fields and add_error
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class BootstrapMixin(_FormBase):
    """Give every widget the Bootstrap class a phone-friendly form needs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    def add_service_error(self, error: ValidationError) -> None:
        """Attach a service's ValidationError to the matching fields (or the form as a whole)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


class SensitiveInputsMixin(_FormBase):
    """Edit forms never print a stored sensitive value: its input starts empty, showing the masked value.

    Left empty, the stored value stays; typed, it replaces it; the "清空" box beside it clears it. Seeing the
    value itself is the audited reveal on the record's page. Fields are the model's ``core.sensitive`` ones.
    """

    CLEAR_SUFFIX = "__clear"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        self.kept_sensitive: dict[str, object] = {}
        if instance is None or instance.pk is None:
            return
        fields = dict(self.fields)
        self.fields.clear()
        for name, field in fields.items():
            self.fields[name] = field
            stored = getattr(instance, name, None) if sensitive.is_sensitive(instance, name) else None
            if not stored:
                continue
            self.kept_sensitive[name] = stored
            self.initial[name] = ""
            field.widget.attrs["placeholder"] = _("%(masked)s（不修改请留空）") % {
                "masked": sensitive.masked(instance, name)
            }
            self.fields[name + self.CLEAR_SUFFIX] = forms.BooleanField(
                label=_("清空%(label)s") % {"label": field.label},
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def lock_sensitive(self, user: Any) -> None:
        """Stored values ``user`` may not replace (no right to see them: ``core.editing.check_sensitive_changes``)
        are shown read-only, with why; the service refuses the change too."""
        instance = getattr(self, "instance", None)
        if not self.kept_sensitive or instance is None or user is None:
            return
        may_reveal = can(user, instance, "reveal")
        for name in self.kept_sensitive:
            privacy_class = restricted.class_of(instance, name)
            if may_reveal and not (privacy_class and not restricted.may_see(user, privacy_class, instance)):
                continue
            self.fields[name].disabled = True
            self.fields[name].help_text = _("修改已登记的号码需要查看该信息的权限。")
            self.fields.pop(name + self.CLEAR_SUFFIX, None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for name, stored in self.kept_sensitive.items():
            clear = data.pop(name + self.CLEAR_SUFFIX, False)
            if data.get(name) in (None, "") and name not in self.errors:
                data[name] = getattr(self.fields[name], "empty_value", "") if clear else stored
        return data


def mark_invalid(form: forms.BaseForm) -> forms.BaseForm:
    """Bootstrap shows an ``invalid-feedback`` only beside a widget marked ``is-invalid``."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", "").split():
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    return form


class VersionField(forms.IntegerField):
    """Hidden field carrying the version the user loaded (optimistic locking)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", True)
        super().__init__(min_value=1, **kwargs)

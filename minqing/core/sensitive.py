"""Which model fields hold sensitive personal data (PIPL), and how each is masked.

Sensitivity is a property of the field, not of a page: every output (API, history, audit, admin) asks this
registry instead of keeping its own list. Each app registers its own fields next to its models
(core sits below them and never imports them); ``sensitive_reveal`` only reveals registered fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from . import restricted

Mask = Callable[[object], str]

_REGISTRY: dict[type[models.Model], dict[str, Mask]] = {}


def register(model: type[models.Model], **fields: Mask) -> None:
    """Declare ``fields`` of ``model`` sensitive, each with the function that masks its value for display."""
    for name in fields:
        model._meta.get_field(name)  # a typo fails at import time, not as a silent leak
    _REGISTRY.setdefault(model, {}).update(fields)


def fields_of(model: type[models.Model] | models.Model) -> Mapping[str, Mask]:
    """The sensitive fields of a model (or of an instance's model), with their masks; empty if none."""
    cls = model if isinstance(model, type) else type(model)
    found: dict[str, Mask] = {}
    for klass in reversed(cls.__mro__):  # a proxy or subclass shares its parent's fields
        found.update(_REGISTRY.get(klass, {}))
    return found


def is_sensitive(model: type[models.Model] | models.Model, field: str) -> bool:
    return field in fields_of(model)


def mask_value(model: type[models.Model] | models.Model, field: str, value: object) -> object:
    """``value`` masked if ``field`` is sensitive, else unchanged."""
    mask = fields_of(model).get(field)
    return value if mask is None else mask(value)


def masked(obj: models.Model, field: str) -> str:
    """The masked display of a sensitive field of ``obj`` (KeyError if the field is not registered)."""
    return fields_of(obj)[field](getattr(obj, field))


def label(model: type[models.Model], name: str) -> str:
    """The Chinese label of a field, as users and change details name it."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _by_label(model: type[models.Model]) -> dict[str, Mask]:
    """Masks keyed by the field's name and by its Chinese label, as change details key them."""
    masks: dict[str, Mask] = {}
    for name, mask in fields_of(model).items():
        masks[name] = mask
        masks[label(model, name)] = mask
    return masks


def _mask_once(mask: Mask, value: object) -> object:
    # Already-masked values (stored masked) stay as they are: masking twice would hide even more.
    if value in (None, "") or (isinstance(value, str) and "*" in value):
        return value
    return mask(value)


def mask_changes(model: type[models.Model] | None, changes: Any) -> Any:
    """Change details with the values of sensitive fields masked; for storing and for rendering.

    ``changes`` maps a field (its name or its label) to a value or a ``[before, after]`` pair.
    """
    if model is None or not isinstance(changes, dict):
        return changes
    masks = _by_label(model)
    if not masks:
        return changes
    result: dict[str, Any] = {}
    for key, value in changes.items():
        mask = masks.get(key)
        if mask is None:
            result[key] = value
        elif isinstance(value, list | tuple):
            result[key] = [_mask_once(mask, v) for v in value]
        else:
            result[key] = _mask_once(mask, value)
    return result


def model_for_label(label_lower: str) -> type[models.Model] | None:
    """The registered model whose ``app_label.model_name`` is ``label_lower`` (audit rows name targets so)."""
    for model in _REGISTRY:
        if model._meta.label_lower == label_lower:
            return model
    return None


class SensitiveAdminMixin(admin.ModelAdmin):
    """Admin pages show registered fields masked only; the clear value comes through the audited reveal.

    Sensitive fields are dropped from the form and from ``list_display``/``readonly_fields`` and shown
    instead as ``<field>`` read-only masked columns. Restricted fields (``core.restricted``: health) show
    only to superusers and data admins holding the right (``restricted.may_see_in_admin``); to other staff
    they read "—（无权查看）" and cannot be searched or filtered by.
    """

    def _sensitive(self) -> Mapping[str, Mask]:
        return fields_of(self.model)

    def _hidden(self, request: HttpRequest) -> frozenset[str]:
        fields = restricted.fields_of(self.model)
        shown = {cls: restricted.may_see_in_admin(request.user, cls) for cls in set(fields.values())}
        return frozenset(name for name, cls in fields.items() if not shown[cls])

    def _masked_column(self, name: str) -> Callable[[models.Model], str]:
        verbose = label(self.model, name)

        def column(obj: models.Model) -> str:
            return masked(obj, name)

        column.short_description = verbose  # type: ignore[attr-defined]
        column.__name__ = f"{name}_masked"
        return column

    def _hidden_column(self, name: str) -> Callable[[models.Model], str]:
        verbose = label(self.model, name)

        def column(obj: models.Model) -> str:
            return str(restricted.HIDDEN)

        column.short_description = verbose  # type: ignore[attr-defined]
        column.__name__ = f"{name}_hidden"
        return column

    def _column(self, name: str, hidden: frozenset[str]) -> Callable[[models.Model], str]:
        return self._hidden_column(name) if name in hidden else self._masked_column(name)

    def get_list_display(self, request: HttpRequest) -> Any:
        covered = {*self._sensitive(), *(hidden := self._hidden(request))}
        return [
            self._column(f, hidden) if isinstance(f, str) and f in covered else f
            for f in super().get_list_display(request)
        ]

    def get_list_filter(self, request: HttpRequest) -> Any:
        hidden = self._hidden(request)
        return [f for f in super().get_list_filter(request) if not (isinstance(f, str) and f in hidden)]

    def get_exclude(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        return [*(super().get_exclude(request, obj) or ()), *self._sensitive(), *self._hidden(request)]

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        hidden = self._hidden(request)
        covered = {*self._sensitive(), *hidden}
        kept = [f for f in super().get_readonly_fields(request, obj) if f not in covered]
        return [*kept, *(self._column(name, hidden) for name in dict.fromkeys([*self._sensitive(), *hidden]))]

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        covered = {*self._sensitive(), *self._hidden(request)}
        return [f for f in super().get_fields(request, obj) if f not in covered]

    def get_search_fields(self, request: HttpRequest) -> Any:
        # Searching by a sensitive value would confirm it: not through the admin.
        covered = {*self._sensitive(), *self._hidden(request)}
        return [
            f for f in super().get_search_fields(request) if f.lstrip("^=@").split("__")[0] not in covered
        ]

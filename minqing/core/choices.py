"""Choice labels from a cache: ``get_<field>_display()`` without translating every choice on each call.

Django's ``Model._get_FIELD_display`` builds ``dict(make_hashable(field.flatchoices))`` on every call; our
choices are lazy translations (56 ethnicities, dozens of relations…), so each call translated every label of
the field (0.2–0.4 ms). Here the mapping is built once per field and active language, with the labels
already turned into text, and a call is a dictionary lookup.

The output is exactly Django's: the label of the value in the active language, or the value itself
(``force_str(value, strings_only=True)``) when it is not a choice. ``install`` puts :func:`display` in
place of Django's default on the project's models (``CoreConfig`` calls it for each one); an explicit
``get_<field>_display`` or ``_get_FIELD_display`` written on a model is left alone.

The cache is emptied when the translations can change under a running process: a test changing
``LANGUAGES``, ``LANGUAGE_CODE``, ``LOCALE_PATHS`` or ``USE_I18N``, or the development server's reloader
seeing a changed ``.mo`` file (the same events on which Django drops its own translation catalogues).
"""

from __future__ import annotations

from functools import partialmethod
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

PROJECT_PACKAGE = "minqing."
I18N_SETTINGS = frozenset({"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N"})

DJANGO_DISPLAY = "_get_FIELD_display"  # the method Django's get_<field>_display partials call
_MISSING = object()

# (id(field), language) -> (field, field.choices when built, {hashable value: label text}).
# The entry holds the field itself, so its id cannot be reused by another object while the entry lives.
_field_labels: dict[tuple[int, str | None], tuple[models.Field[Any, Any], Any, dict[Any, Any]]] = {}


def field_labels(field: models.Field[Any, Any]) -> dict[Any, Any]:
    """``{value: label}`` of ``field``'s choices in the active language, as Django's display builds it."""
    key = (id(field), get_language())
    choices = field.choices
    entry = _field_labels.get(key)
    if entry is None or entry[1] is not choices:  # new, or the field's choices were replaced since
        mapping = {
            value: force_str(text, strings_only=True)
            for value, text in dict(make_hashable(field.flatchoices)).items()
        }
        entry = (field, choices, mapping)
        _field_labels[key] = entry
    return entry[2]


def field_label(field: models.Field[Any, Any], value: Any) -> Any:
    """The label of ``value`` among ``field``'s choices, or ``value`` itself (as text) when it is not one."""
    labels = field_labels(field)
    try:
        text = labels.get(value, _MISSING)
    except TypeError:  # an unhashable value (a list, a dict): hashed the way Django hashes it
        text = labels.get(make_hashable(value), _MISSING)
    if text is _MISSING:
        return force_str(value, strings_only=True)
    return text


def display(instance: models.Model, field: models.Field[Any, Any]) -> Any:
    """Drop-in for ``Model._get_FIELD_display``: the same result, from the cache."""
    return field_label(field, getattr(instance, field.attname))


def install(sender: type[models.Model], **kwargs: Any) -> None:
    """Give a project model the cached display (a ``class_prepared`` receiver; safe to call again)."""
    if not sender.__module__.startswith(PROJECT_PACKAGE):
        return
    default = getattr(models.Model, DJANGO_DISPLAY)
    if getattr(sender, DJANGO_DISPLAY) is default:
        setattr(sender, DJANGO_DISPLAY, display)
    for name, attr in list(vars(sender).items()):
        if isinstance(attr, partialmethod) and attr.func is default:  # Django's get_<field>_display
            setattr(sender, name, partialmethod(display, **attr.keywords))


def clear() -> None:
    _field_labels.clear()


def clear_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting in I18N_SETTINGS:
        clear()


def clear_on_file_change(*, file_path: Path, **kwargs: Any) -> None:
    if Path(file_path).suffix == ".mo":
        clear()

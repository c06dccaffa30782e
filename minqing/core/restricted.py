"""Privacy classes of fields: values shown only to users who hold the class's right where the record lies.

Health data (健康状况, 慢性病, 残疾…) is sensitive personal information under PIPL. Unlike ``core.sensitive``
(values masked for everyone, revealed one at a time), a restricted field is shown in clear to users who
hold the action named like its class (``health``) in the record's area, and hidden from everyone else.
Like sensitivity, the class is a property of the field: each app registers its fields next to its models,
and pages, API, history, the audit log, exports and the admin ask this module. ``may_see`` is the one rule.

A class may apply to some records only (``register(..., applies=...)``): the fields of minors (class
``minors``) are restricted on persons under 14 and plain on adults. Where a record cannot be judged (an
audit event standing for a person, a household showing its members' history) the condition is taken to
hold: fail closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import ALL, GRID_SUFFIX_DIGITS, is_grid_path, path_allowed

if TYPE_CHECKING:  # core sits below accounts: the user model is imported for type hints only
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User

#: What pages show instead of a value the reader may not see.
HIDDEN = _("—（无权查看）")
#: What export files and change details hold instead.
HIDDEN_VALUE = _("（无权查看）")

_REGISTRY: dict[type[models.Model], dict[str, str]] = {}
#: Per-record conditions: the class restricts a row of the model only when its condition holds for it.
_CONDITIONS: dict[tuple[type[models.Model], str], Callable[[Any], bool]] = {}

Event = TypeVar("Event")


def register(
    model: type[models.Model],
    privacy_class: str,
    *,
    fields: Iterable[str],
    applies: Callable[[Any], bool] | None = None,
) -> None:
    """Declare ``fields`` of ``model`` readable only with the action ``privacy_class`` (e.g. "health").

    ``applies(obj)``, when given, limits the class to the rows for which it is true (e.g. minors); on the
    others the fields are shown as if unregistered. A field belongs to one class.
    """
    names = list(fields)
    for name in names:
        model._meta.get_field(name)  # a typo fails at import time, not as a silent leak
    _REGISTRY.setdefault(model, {}).update(dict.fromkeys(names, privacy_class))
    if applies is not None:
        _CONDITIONS[(model, privacy_class)] = applies


def _condition(model: type[models.Model], privacy_class: str) -> Callable[[Any], bool] | None:
    for klass in model.__mro__:  # a proxy or subclass shares its parent's condition
        condition = _CONDITIONS.get((klass, privacy_class))
        if condition is not None:
            return condition
    return None


def applies(model: type[models.Model], privacy_class: str, obj: Any) -> bool:
    """Whether ``privacy_class`` restricts ``obj`` (a row of ``model``): always for a class without a
    condition; otherwise when the condition holds for ``obj``, or when ``obj`` is not a ``model`` row
    and so cannot be judged (fail closed)."""
    condition = _condition(model, privacy_class)
    if condition is None or not isinstance(obj, model):
        return True
    return bool(condition(obj))


def fields_of(model: type[models.Model] | models.Model) -> Mapping[str, str]:
    """The restricted fields of a model (or of an instance's model) with their class; empty if none."""
    cls = model if isinstance(model, type) else type(model)
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):  # a proxy or subclass shares its parent's fields
        found.update(_REGISTRY.get(klass, {}))
    return found


def class_of(model: type[models.Model] | models.Model, field: str) -> str | None:
    return fields_of(model).get(field)


def classes_of(model: type[models.Model] | models.Model) -> frozenset[str]:
    return frozenset(fields_of(model).values())


def all_fields(privacy_class: str) -> dict[type[models.Model], list[str]]:
    """Every registered field of a class, by model (for searches and tag rules over those fields)."""
    return {
        model: [name for name, cls in fields.items() if cls == privacy_class]
        for model, fields in _REGISTRY.items()
        if privacy_class in fields.values()
    }


def may_see(user: User | AnonymousUser | None, privacy_class: str, obj: Any) -> bool:
    """Whether ``user`` may read the ``privacy_class`` fields of ``obj`` (a row with ``area_path``).

    The single rule: the class does not apply to the row (an adult's fields of class ``minors``), or the
    user holds the action ``privacy_class`` in the area (or grid) of the row. A row that is no instance of
    a model with a condition for the class (an audit event) is judged by the right alone (fail closed).
    Callers first found ``obj`` through ``visible_to(user)``; this decides only whether its values show.
    """
    if obj is not None and not applies(type(obj), privacy_class, obj):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    area_path = getattr(obj, "area_path", "") or ""
    grid_path = getattr(obj, "grid_path", "") or ""
    return path_allowed(user.scope_prefixes(privacy_class), area_path, grid_path)


def hidden_fields(user: User | AnonymousUser | None, obj: Any) -> frozenset[str]:
    """The restricted fields of ``obj`` that ``user`` may not see (empty for most models)."""
    fields = fields_of(type(obj))
    if not fields:
        return frozenset()
    allowed = {cls: may_see(user, cls, obj) for cls in set(fields.values())}
    return frozenset(name for name, cls in fields.items() if not allowed[cls])


def covers(
    user: User | AnonymousUser | None, privacy_class: str, *, area: str | None, grid: str | None
) -> bool:
    """Whether every row of a search in ``area``/``grid`` (None: the user's whole view scope) lies where
    ``user`` may read ``privacy_class``; a search filtering by such a field is allowed only then."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    allowed = user.scope_prefixes(privacy_class)
    if allowed is ALL:
        return True
    if grid:
        return path_allowed(allowed, grid[:-GRID_SUFFIX_DIGITS] if is_grid_path(grid) else grid, grid)
    if area:
        return any(area.startswith(p) for p in allowed if not is_grid_path(p))
    viewed = user.scope_prefixes("view")
    if viewed is ALL:
        return False
    return all(path_allowed(allowed, p, p if is_grid_path(p) else "") for p in viewed)


# ------------------------------------------------------------------------------- change details


def model_for_label(label_lower: str) -> type[models.Model] | None:
    """The registered model whose ``app_label.model_name`` is ``label_lower`` (audit rows name targets so)."""
    for model in _REGISTRY:
        if model._meta.label_lower == label_lower:
            return model
    return None


def _classes_by_key(model: type[models.Model]) -> dict[str, str]:
    """Classes keyed by the field's name and by its Chinese label, as change details key them."""
    keys: dict[str, str] = {}
    for name, cls in fields_of(model).items():
        keys[name] = cls
        keys[str(getattr(model._meta.get_field(name), "verbose_name", name))] = cls
    return keys


def hide_changes(model: type[models.Model] | None, changes: Any, *, readable: frozenset[str]) -> Any:
    """Change details with the values of restricted fields whose class is not ``readable`` hidden."""
    if model is None or not isinstance(changes, dict):
        return changes
    keys = _classes_by_key(model)
    if not keys:
        return changes
    hidden = str(HIDDEN_VALUE)
    result: dict[str, Any] = {}
    for key, value in changes.items():
        cls = keys.get(key)
        if cls is None or cls in readable:
            result[key] = value
        elif isinstance(value, list | tuple):
            result[key] = [v if v in (None, "") else hidden for v in value]
        else:
            result[key] = hidden
    return result


def readable(
    events: Iterable[Event],
    user: User | AnonymousUser | None,
    *,
    record: Any = None,
    targets: Iterable[models.Model] = (),
) -> list[Event]:
    """Audit events marked with the classes ``user`` may read on each (``AuditEvent.readable_classes``).

    Events hide restricted values by default (fail closed): a page showing change details marks them for
    its reader. An event about one of ``targets`` (a household page's members, already loaded) is judged on
    that row, so a per-record class (a minor's fields) hides only that person's values; otherwise ``record``
    (the person or household whose history a page shows) decides for all its events, with its grid;
    otherwise each event's own area decides.
    """
    known = {(t._meta.label_lower, str(t.pk)): t for t in targets}
    rows = list(events)
    for event in rows:
        model = model_for_label(getattr(event, "target_type", ""))
        classes = classes_of(model) if model is not None else frozenset()
        target = known.get((getattr(event, "target_type", ""), str(getattr(event, "target_id", ""))))
        on = target if target is not None else (record if record is not None else event)
        event.readable_classes = frozenset(  # type: ignore[attr-defined]
            cls for cls in classes if may_see(user, cls, on)
        )
    return rows


def may_see_in_admin(user: User | AnonymousUser | None, privacy_class: str, obj: Any = None) -> bool:
    """The admin shows restricted fields to superusers and to data admins holding the class's right;
    given a row (``obj``) the class does not apply to, to every staff user. Without a row, a conditional
    class counts as applying (fail closed: list columns and filters cover every row)."""
    if obj is not None and not applies(type(obj), privacy_class, obj):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    has_role = getattr(user, "has_role", None)
    prefixes = user.scope_prefixes(privacy_class)
    return bool(has_role and has_role("data_admin") and (prefixes is ALL or prefixes))

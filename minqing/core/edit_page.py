"""The one edit page flow: a valid POST goes to a service; success redirects, a conflict reloads the form.

Every create and edit page of the registry answers through ``form_page``: the template gets ``form``
(widgets with errors marked ``is-invalid``) and ``conflict`` (for ``core/_conflict.html``), plus its context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import restricted
from .editing import ConcurrentEditError, changeable
from .forms import mark_invalid
from .models import AuditEvent

if TYPE_CHECKING:
    from minqing.accounts.models import User


@dataclass(frozen=True)
class Conflict:
    """What ``core/_conflict.html`` shows: why nothing was saved, and what the other editors changed."""

    message: str
    events: list[AuditEvent]


def conflict_context(error: ConcurrentEditError, user: Any = None) -> Conflict:
    events = restricted.readable(error.events, user, record=error.record)  # health values: the reader's right
    return Conflict(message=error.messages[0], events=events)


def form_page(
    request: HttpRequest,
    template: str,
    form: Any,
    save: Callable[[Any], models.Model],
    *,
    reload: Callable[[Any], Any] | None = None,
    context: dict[str, Any] | None = None,
    message: str | Callable[[Any], str] | None = None,
    next_url: Callable[[Any], Any] | None = None,
) -> HttpResponse:
    """Render ``template`` with ``form``, or on a valid POST call ``save(form)`` and redirect to what it saved.

    ``reload(record)`` builds a fresh form from the record as it is now when someone else saved first; a
    service's ValidationError lands beside the fields. ``message`` (or ``message(record)``) is flashed on
    success, ``next_url(record)`` chooses where to go (the record itself by default).
    """
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            record = save(form)
        except ConcurrentEditError as error:
            conflict = conflict_context(error, request.user)
            if reload is not None:
                form = reload(error.record)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            text = message(record) if callable(message) else message
            messages.success(request, text or _("已保存。"))
            return redirect(next_url(record) if next_url else cast(Any, record))
    return render(request, template, {**(context or {}), "form": mark_invalid(form), "conflict": conflict})


def edit_page(
    request: HttpRequest,
    model: type[models.Model],
    pk: int,
    form_class: Any,
    update: Callable[..., models.Model],
    template: str,
    *,
    extra: Callable[[Any], dict[str, Any]] | None = None,
    **form_kwargs: Any,
) -> HttpResponse:
    """The edit page of one record: 404 outside the view scope, 403 without change rights, then ``form_page``.

    ``update`` is the service, called as ``update(actor=…, <model_name>=record, data=…, version=…)``; the
    template gets the record under its model name (``house``, ``person``…) plus ``extra(record)``.
    """
    name = str(model._meta.model_name)
    record = changeable(cast("User", request.user), model, pk, lock=False)
    return form_page(
        request,
        template,
        form_class(request.POST or None, instance=record, **form_kwargs),
        lambda form: update(
            actor=request.user, **{name: record}, data=form.service_data(), version=version_of(form)
        ),
        reload=lambda fresh: form_class(instance=fresh, **form_kwargs),
        context={name: record, **(extra(record) if extra else {})},
    )


def version_of(form: Any) -> int:
    """The record version the user loaded (0 when the form carried none: the service will see a conflict)."""
    return form.cleaned_data.get("version") or 0

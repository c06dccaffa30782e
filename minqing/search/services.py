"""Writes of the search app: saving and deleting saved searches, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import scope_root
from minqing.core import audit

from .models import SavedSearch


@transaction.atomic
def saved_search_save(*, actor, name: str, target: str, params: str, shared: bool) -> SavedSearch:
    """Save (or replace, by name) a search of ``actor``, filed under the actor's scope root. Audited."""
    if not actor.scope_prefixes("view"):
        raise PermissionDenied(_("您没有可查询的管辖范围。"))
    root = scope_root(actor, "view")
    search, created = SavedSearch.objects.update_or_create(
        owner=actor,
        target=target,
        name=name,
        defaults={"params": params, "shared": shared, "area_path": root},
    )
    audit.record(
        actor=actor,
        verb="search.saved" if created else "search.updated",
        target=search,
        changes={str(_("查询条件")): ["", params], str(_("共享给本区域")): ["", shared]},
    )
    return search


@transaction.atomic
def saved_search_delete(*, actor, search: SavedSearch) -> None:
    """Delete one of the actor's own saved searches. Others' look like "not found". Audited."""
    if search.owner_id != actor.pk:
        raise Http404
    audit.record(
        actor=actor, verb="search.deleted", target=search, changes={str(_("名称")): [search.name, ""]}
    )
    search.delete()

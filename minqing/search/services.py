"""Writes of the search app: saving and deleting saved searches, audited."""

from __future__ import annotations

from urllib.parse import parse_qsl

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import scope_root
from minqing.core import audit
from minqing.core.idnumber import contains_id_or_phone
from minqing.core.scoping import ALL

from .models import SavedSearch

NAME_MAX, PARAMS_MAX = 60, 2000  # the form says the same


@transaction.atomic
def saved_search_save(*, actor, name: str, target: str, params: str, shared: bool) -> SavedSearch:
    """Save (or replace, by name) a search of ``actor``, filed under one of the actor's own areas. Audited.

    Sharing must never reach colleagues outside the actor's areas: a user with two villages files under the
    first of them, not under the township that covers both (its other villages would see the search).
    """
    prefixes = actor.scope_prefixes("view")
    if not prefixes:
        raise PermissionDenied(_("您没有可查询的管辖范围。"))
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise ValidationError({"name": _("请填写名称（60个字以内）。")})
    if target not in SavedSearch.Target.values:
        raise ValidationError({"target": _("请选择查询对象（人员或户）。")})
    if len(params) > PARAMS_MAX:
        raise ValidationError({"params": _("查询条件太长，无法保存。")})
    if any(contains_id_or_phone(value) for _key, value in parse_qsl(params)):
        # Saved conditions are listed, shared and audited: they must never carry personal numbers.
        raise ValidationError(
            {"params": _("查询条件含身份证号或电话号码，不能保存。请改用姓名、区域或标签等条件保存。")}
        )
    root = scope_root(actor, "view")
    if prefixes is not ALL and root not in prefixes:
        root = min(prefixes)
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

"""Writes of the compliance app: quota rules (audited), and the visit figures derived from the visit log.

The figures (``HouseholdVisitStat``, ``VisitTally``) follow ``Visit.objects.counted()``: a visit entry
counts once, at its original time, unless it was withdrawn; revisions and corrections add nothing. They are
kept in the transaction that writes the visit entry (``on_visit_saved``, a ``post_save`` receiver: the
entry and its figures commit or roll back together) and recounted from the log by ``stats_rebuild`` (the
periodic ``compliance_reconcile`` job, and after bulk loads that send no signals). Each refresh locks the
household's stat row first and then recounts from the log: two visits of one household in concurrent
transactions are serialised on that row, and the second recount sees the first visit once it committed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.areas.models import Area
from minqing.core import audit, codes
from minqing.core.scoping import ALL, path_allowed
from minqing.registry.models import Household
from minqing.visits.models import EntryType, Visit

from .models import CadreDayTally, HouseholdVisitStat, QuotaRule, VisitTally
from .periods import month_of

if TYPE_CHECKING:
    from minqing.accounts.models import User

RULE_FIELDS = ("kind", "role", "count", "months", "unit", "enabled", "note")


# ------------------------------------------------------------------------------------------------ rules


def may_manage_rules(user: User, path: str) -> bool:
    """Rules of an area are kept by users who manage it (data_admin) or assign its pairings (assist)."""
    return any(path_allowed(user.scope_prefixes(action), path) for action in ("manage", "assist"))


def rule_areas(user: User) -> Any:
    """Areas where ``user`` may set rules (county, townships, villages), for the form's choices."""
    areas = Area.objects.filter(level__in=("county", "township", "village"))
    if user.is_superuser:
        return areas
    manage, assist = user.scope_prefixes("manage"), user.scope_prefixes("assist")
    prefixes = sorted(set(manage if manage is not ALL else []) | set(assist if assist is not ALL else []))
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(code__startswith=prefix)
    return areas.filter(q)


@transaction.atomic
def rule_save(*, actor: User, rule: QuotaRule | None, area: Area, data: dict[str, Any]) -> QuotaRule:
    """Create a rule, or change one (``rule``), on ``area``; validated like the form and audited."""
    if not may_manage_rules(actor, area.code):
        raise PermissionDenied(_("您不能设置该区域的考核规则。"))
    creating = rule is None
    if rule is None:
        rule = QuotaRule()
    elif not may_manage_rules(actor, rule.area_path):
        raise PermissionDenied(_("您不能修改该区域的考核规则。"))
    before = {name: getattr(rule, name) for name in RULE_FIELDS} | {"area": rule.area_path}
    rule.area, rule.area_path = area, area.code
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    rule.updated_by = actor
    rule.full_clean()
    rule.save()
    after = {name: getattr(rule, name) for name in RULE_FIELDS} | {"area": rule.area_path}
    changes = {k: [before[k], after[k]] for k in after if creating or before[k] != after[k]}
    verb = "compliance.rule.created" if creating else "compliance.rule.updated"
    audit.record(actor=actor, verb=verb, target=rule, changes=changes, label=rule.describe())
    return rule


@transaction.atomic
def rule_delete(*, actor: User, rule: QuotaRule) -> None:
    if not may_manage_rules(actor, rule.area_path):
        raise PermissionDenied(_("您不能删除该区域的考核规则。"))
    audit.record(actor=actor, verb="compliance.rule.deleted", target=rule, label=rule.describe())
    rule.delete()


# -------------------------------------------------------------------------------------- visit figures


def counted_visits() -> Any:
    return Visit.objects.counted()


def on_visit_saved(sender: Any, instance: Visit, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """``post_save`` of a visit entry: refresh the figures its household (and the origin's) depend on."""
    if not created or raw:
        return
    origin = instance
    if instance.entry_type != EntryType.VISIT:
        if instance.entry_type != EntryType.WITHDRAWAL or instance.origin_id is None:
            return  # revisions and corrections count nothing new
        origin = Visit.objects.get(pk=instance.origin_id)
    stats_refresh(household_id=origin.household_id, author_id=origin.author_id, at=origin.created_at)


def _ensure_stats(household_ids: list[int]) -> None:
    """Create missing stat rows (ignore_conflicts: a concurrent creator wins quietly)."""
    rows = Household.objects.filter(pk__in=household_ids).values_list(
        "pk", "area_path", "grid_path", "status"
    )
    HouseholdVisitStat.objects.bulk_create(
        [
            HouseholdVisitStat(
                household_id=pk, area_path=area, grid_path=grid, active=status == codes.HouseholdStatus.NORMAL
            )
            for pk, area, grid, status in rows
        ],
        ignore_conflicts=True,
    )


def stats_refresh(*, household_id: int, author_id: int, at: datetime.datetime) -> None:
    """Recount one household's last visit and one (household, author, month) tally from the log."""
    _ensure_stats([household_id])
    stat = HouseholdVisitStat.objects.select_for_update().get(pk=household_id)  # serialises per household
    last = counted_visits().filter(household_id=household_id).order_by("-created_at", "-id").first()
    stat.last_visit_at = last.created_at if last else None
    stat.last_visit_id = last.pk if last else None
    stat.save(update_fields=["last_visit_at", "last_visit_id"])
    first, after = month_of(timezone.localtime(at).date())
    month_visits = counted_visits().filter(
        household_id=household_id,
        author_id=author_id,
        created_at__gte=_midnight(first),
        created_at__lt=_midnight(after),
    )
    n = month_visits.count()
    path = month_visits.aggregate(p=Max("area_path"))["p"] or stat.area_path
    updated = VisitTally.objects.filter(household_id=household_id, author_id=author_id, month=first).update(
        visits=n, area_path=path
    )
    if not updated and n:
        VisitTally.objects.create(
            household_id=household_id, author_id=author_id, month=first, area_path=path, visits=n
        )
    _refresh_day(author_id, timezone.localtime(at).date())


def _refresh_day(author_id: int, day: datetime.date) -> None:
    """Recount one author's counted visits of one local day, under the lock of the author's day row."""
    CadreDayTally.objects.bulk_create([CadreDayTally(author_id=author_id, day=day)], ignore_conflicts=True)
    row = CadreDayTally.objects.select_for_update().get(author_id=author_id, day=day)
    row.visits = (
        counted_visits()
        .filter(
            author_id=author_id,
            created_at__gte=_midnight(day),
            created_at__lt=_midnight(day + datetime.timedelta(days=1)),
        )
        .count()
    )
    row.save(update_fields=["visits"])


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def on_households_changed(sender: Any, household_ids: list[int], **kwargs: Any) -> None:
    """Registry services announce changed households (moved, cancelled, created): follow their copies."""
    stats_sync(household_ids)


def on_household_saved(
    sender: Any, instance: Household, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        _ensure_stats([instance.pk])


def stats_sync(household_ids: list[int]) -> None:
    """Copy area, grid and status of these households onto their stat rows (creating missing rows)."""
    if not household_ids:
        return
    _ensure_stats(household_ids)
    source = Household.objects.filter(pk=OuterRef("pk"))
    for start in range(0, len(household_ids), 2000):
        HouseholdVisitStat.objects.filter(pk__in=household_ids[start : start + 2000]).update(
            area_path=Subquery(source.values("area_path")[:1]),
            grid_path=Subquery(source.values("grid_path")[:1]),
            active=Exists(source.filter(status=codes.HouseholdStatus.NORMAL)),
        )


def stats_rebuild() -> dict[str, int]:
    """Recount every figure from the registry and the visit log, set-based (the reconcile job, bulk loads).

    Runs in one transaction: readers see the old figures until it commits.
    """
    from . import rebuild

    with transaction.atomic():
        return rebuild.rebuild_all(connection)

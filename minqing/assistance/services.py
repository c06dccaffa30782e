"""结对帮扶 and 帮扶计划: every write, validated here (forms and API agree) and audited in its transaction.

Rights: pairing a cadre with a household takes the ``assist`` right where the household lies (village
cadres, township staff, data admins). Plans and measures take the same right, or being the household's
stationed cadre (``selectors.plannable_households``). Outside the view scope a household does not exist (404);
viewable but not allowed is 403.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.accounts.models import User
from minqing.accounts.selectors import CADRE_ROLES
from minqing.core import audit, codes
from minqing.core.editing import check_version, validate
from minqing.core.history import diff, snapshot
from minqing.registry.models import Household
from minqing.registry.signals import households_changed

from .models import AssistancePlan, Measure, MeasureStatus, Pairing
from .selectors import plannable_households

if TYPE_CHECKING:
    from collections.abc import Iterable

PLAN_FIELDS = ["year", "period_start", "period_end", "goal", "note"]
MEASURE_FIELDS = [
    "kind",
    "target",
    "status",
    "amount",
    "started_on",
    "completed_on",
    "outcome",
    "income_change",
    "risks_addressed",
]
FIRST_PLAN_YEAR = 2013  # 精准扶贫: the first year of 建档立卡


def _household(actor: User, household: Household | int, queryset: Any) -> Household:
    """Re-read and lock ``household`` through ``queryset``: 404 outside the view scope, 403 outside ``queryset``."""
    pk = household if isinstance(household, int) else household.pk
    if not Household.objects.visible_to(actor, "view").filter(pk=pk).exists():
        raise Http404
    row = queryset.select_for_update().filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(_("您的角色不能调整这户的结对帮扶。"))
    return row


def cadre_covers(cadre: User, household: Household) -> bool:
    """An active user holding an active cadre role whose area covers the household."""
    return cadre.is_active and any(
        a.role in CADRE_ROLES and household.area_path.startswith(a.area.code)
        for a in cadre.assignments.filter(is_active=True).select_related("area")
    )


def _set_responsible_cadre(household: Household, cadre: User | None) -> None:
    """Keep the registry's 帮扶责任人 equal to the open pairing's cadre (a focused update on the locked row)."""
    Household.objects.filter(pk=household.pk).update(responsible_cadre=cadre, updated_at=timezone.now())
    household.responsible_cadre = cadre
    households_changed.send(sender=Household, household_ids=[household.pk])


def _check_day(day: datetime.date | None, field: str, label: str) -> None:
    if day is None:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if day > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})


@transaction.atomic
def pair(*, actor: User, household: Household | int, cadre: User, started_on: datetime.date) -> Pairing:
    """结对: ``cadre`` becomes the household's 帮扶责任人 from ``started_on``; an open pairing ends that day."""
    row = _household(actor, household, Household.objects.visible_to(actor, "assist"))
    _check_day(started_on, "started_on", _("结对日期"))
    if not cadre_covers(cadre, row):
        raise ValidationError({"cadre": _("帮扶责任人须是在岗干部，且其负责区域包含这户，请重新选择。")})
    previous = Pairing.objects.select_for_update().filter(household=row, ended_on__isnull=True).first()
    if previous is not None:
        if previous.cadre_id == cadre.pk:
            raise ValidationError({"cadre": _("这户已与该干部结对，无需重复结对。")})
        if started_on < previous.started_on:
            raise ValidationError(
                {
                    "started_on": _("结对日期不能早于原结对的开始日期（%(day)s）。")
                    % {"day": previous.started_on}
                }
            )
        _close(actor, previous, started_on, _("更换帮扶责任人"))
    pairing = Pairing(
        household=row, cadre=cadre, area_path=row.area_path, started_on=started_on, created_by=actor
    )
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:  # another pairing of this household was opened at the same moment
        raise ValidationError(_("这户刚刚被他人结对，请刷新页面后再试。")) from None
    _set_responsible_cadre(row, cadre)
    audit.record(
        actor=actor,
        verb="assistance.paired",
        target=pairing,
        household_id=row.pk,
        changes={
            _("帮扶责任人"): [str(previous.cadre) if previous else "", str(cadre)],
            _("结对日期"): ["", started_on],
        },
    )
    return pairing


def _close(actor: User, pairing: Pairing, ended_on: datetime.date, reason: str) -> None:
    pairing.ended_on, pairing.end_reason, pairing.ended_by = ended_on, reason, actor
    pairing.save(update_fields=["ended_on", "end_reason", "ended_by"])
    audit.record(
        actor=actor,
        verb="assistance.unpaired",
        target=pairing,
        household_id=pairing.household_id,
        changes={_("解除日期"): ["", ended_on], _("解除原因"): ["", reason]},
    )


@transaction.atomic
def end_pairing(*, actor: User, pairing: Pairing, ended_on: datetime.date, reason: str) -> Pairing:
    """解除结对: the household has no 帮扶责任人 until the next pairing."""
    row = _household(actor, pairing.household_id, Household.objects.visible_to(actor, "assist"))
    current = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if current.ended_on is not None:
        raise ValidationError(_("该结对已于 %(day)s 解除。") % {"day": current.ended_on})
    _check_day(ended_on, "ended_on", _("解除日期"))
    if ended_on < current.started_on:
        raise ValidationError(
            {"ended_on": _("解除日期不能早于结对日期（%(day)s）。") % {"day": current.started_on}}
        )
    current.end_reason = (reason or "").strip()
    if not current.end_reason:
        raise ValidationError({"end_reason": _("请填写解除原因。")})
    validate(current)  # the length, and no ID or phone numbers in free text (core.editing)
    _close(actor, current, ended_on, current.end_reason)
    _set_responsible_cadre(row, None)
    return current


# ------------------------------------------------------------------------------------ plans and measures


def _plannable(actor: User, household: Household | int) -> Household:
    return _household(actor, household, plannable_households(actor))


def _check_plan(plan: AssistancePlan) -> None:
    errors: dict[str, Any] = {}
    this_year = timezone.localdate().year
    if plan.year is not None and not FIRST_PLAN_YEAR <= plan.year <= this_year + 1:
        errors["year"] = _("计划年度应在%(first)s年到明年之间。") % {"first": FIRST_PLAN_YEAR}
    if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
        errors["period_end"] = _("计划结束日期不能早于开始日期。")
    same_year = AssistancePlan.objects.filter(household_id=plan.household_id, year=plan.year).exclude(
        pk=plan.pk
    )
    if same_year.exists():
        errors["year"] = _("这户该年度已有帮扶计划，请直接修改原计划。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(*, actor: User, household: Household | int, data: dict[str, Any]) -> AssistancePlan:
    """帮扶计划: one per household and year."""
    row = _plannable(actor, household)
    plan = AssistancePlan(**{k: v for k, v in data.items() if k in PLAN_FIELDS})
    plan.household, plan.area_path, plan.created_by = row, row.area_path, actor
    _check_plan(plan)
    validate(plan)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError({"year": _("这户该年度已有帮扶计划，请直接修改原计划。")}) from None
    audit.record(
        actor=actor,
        verb="assistance.plan.created",
        target=plan,
        household_id=row.pk,
        changes={_("年度"): ["", plan.year]},
    )
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: AssistancePlan, data: dict[str, Any], version: int) -> AssistancePlan:
    _plannable(actor, plan.household_id)
    row = AssistancePlan.objects.select_for_update().get(pk=plan.pk)
    check_version(row, version)
    before = snapshot(row, PLAN_FIELDS)
    for name in PLAN_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    _check_plan(row)
    validate(row)
    changes = diff(row, before)
    if not changes:
        return row
    row.version += 1
    row.save()
    audit.record(
        actor=actor,
        verb="assistance.plan.updated",
        target=row,
        household_id=row.household_id,
        changes=changes,
    )
    return row


def _check_measure(measure: Measure, household: Household, risks_before: Iterable[str] = ()) -> None:
    """The rules of a measure that forms, API and imports share."""
    errors: dict[str, Any] = {}
    today = timezone.localdate()
    if measure.completed_on and measure.completed_on > today:
        errors["completed_on"] = _("完成日期不能晚于今天。")
    elif measure.completed_on and measure.started_on and measure.completed_on < measure.started_on:
        errors["completed_on"] = _("完成日期不能早于开始日期。")
    if measure.status == MeasureStatus.DONE:
        if not measure.completed_on:
            errors["completed_on"] = _("已完成的措施请填写完成日期。")
        if not (measure.outcome or "").strip():
            errors["outcome"] = _("已完成的措施请填写成效。")
    elif measure.completed_on and measure.status != MeasureStatus.CANCELLED:
        errors["completed_on"] = _("措施尚未完成，请清空完成日期，或把状态改为已完成。")
    if measure.status in (MeasureStatus.IN_PROGRESS, MeasureStatus.DONE) and not measure.started_on:
        errors["started_on"] = _("实施中或已完成的措施请填写开始日期。")
    if measure.amount is not None and measure.amount < 0:
        errors["amount"] = _("金额不能为负数。")
    risks = measure.risks_addressed
    if not isinstance(risks, list) or any(c not in codes.RiskType.values for c in risks):
        errors["risks_addressed"] = _("针对的风险类型只能从风险类型代码表中选择。")
    elif len(set(risks)) != len(risks):
        errors["risks_addressed"] = _("针对的风险类型不要重复选择。")
    else:
        known = set(household.risk_types or []) | ({household.risk_type} if household.risk_type else set())
        if new := [c for c in risks if c not in known and c not in set(risks_before)]:
            names = dict(codes.RiskType.choices)
            errors["risks_addressed"] = _(
                "这户没有登记以下风险类型：%(risks)s。请先在户档案中登记风险类型。"
            ) % {"risks": "、".join(str(names[c]) for c in new)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_create(*, actor: User, plan: AssistancePlan, data: dict[str, Any]) -> Measure:
    """帮扶措施: added to a plan of a household the actor may plan for."""
    household = _plannable(actor, plan.household_id)
    measure = Measure(**{k: v for k, v in data.items() if k in MEASURE_FIELDS})
    measure.plan, measure.household, measure.area_path, measure.created_by = (
        plan,
        household,
        household.area_path,
        actor,
    )
    _check_measure(measure, household)
    validate(measure)
    measure.save()
    audit.record(
        actor=actor,
        verb="assistance.measure.created",
        target=measure,
        household_id=household.pk,
        changes={
            _("措施类型"): ["", measure.get_kind_display()],
            _("状态"): ["", measure.get_status_display()],
        },
    )
    return measure


@transaction.atomic
def measure_update(*, actor: User, measure: Measure, data: dict[str, Any], version: int) -> Measure:
    """Edit a measure; a status change must follow the pipeline (计划 → 实施中 → 已完成, or 已取消)."""
    household = _plannable(actor, measure.household_id)
    row = Measure.objects.select_for_update().get(pk=measure.pk)
    check_version(row, version)
    before = snapshot(row, MEASURE_FIELDS)
    status = data.get("status", row.status)
    if not row.can_move_to(status):
        raise ValidationError(
            {
                "status": _("措施状态不能从“%(old)s”改为“%(new)s”。")
                % {"old": row.get_status_display(), "new": MeasureStatus(status).label}
            }
        )
    risks_before = list(row.risks_addressed or [])
    for name in MEASURE_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    _check_measure(row, household, risks_before)
    validate(row)
    changes = diff(row, before)
    if not changes:
        return row
    row.version += 1
    row.save()
    verb = "assistance.measure.status" if before["status"] != row.status else "assistance.measure.updated"
    audit.record(actor=actor, verb=verb, target=row, household_id=household.pk, changes=changes)
    return row


def measure_move(*, actor: User, measure: Measure, status: str, version: int, **fields: Any) -> Measure:
    """Move a measure along its pipeline (the quick buttons): ``fields`` may add outcome, completion and income."""
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("请选择有效的措施状态。")})
    return measure_update(actor=actor, measure=measure, data={"status": status, **fields}, version=version)


def cadre_phone_reveal(*, actor: User, pairing: Pairing) -> str:
    """The 帮扶责任人's phone in clear, under the rules of every reveal (``core.masking.sensitive_reveal``):
    the ``reveal`` right where the household lies (404 outside the view scope, 403 without it), the hourly
    limit (429), and an audit row naming the cadre."""
    from minqing.core import limits

    with transaction.atomic():
        if not Pairing.objects.visible_to(actor, "view").filter(pk=pairing.pk).exists():
            raise Http404
        if not Household.objects.visible_to(actor, "reveal").filter(pk=pairing.household_id).exists():
            raise PermissionDenied
        if limits.reveal_allowed(actor):
            cadre = pairing.cadre
            audit.record(
                actor=actor,
                verb=limits.REVEAL_VERB,
                target=cadre,
                area_path=pairing.area_path,
                household_id=pairing.household_id,
                changes={"field": str(User._meta.get_field("phone").verbose_name)},
            )
            return cadre.phone or ""
    limits.reveal_refused(actor)


def follow_households(household_ids: list[int]) -> None:
    """A household moved to another area (``registry.signals.households_changed``): its pairings, plans and
    measures follow, so they stay in the scope of the household's new area. Rows already in place are skipped."""
    from django.db.models import OuterRef, Subquery

    path = Subquery(Household.objects.filter(pk=OuterRef("household_id")).values("area_path")[:1])
    for model in (Pairing, AssistancePlan, Measure):
        model.objects.filter(household_id__in=household_ids).exclude(area_path=path).update(area_path=path)


def pairings_adopt(*, started_on: datetime.date | None = None) -> int:
    """Open pairings for the households that name a 帮扶责任人 but have no open pairing (data loaded in bulk: the
    demo seed, the migration of files kept before pairings had a history). One audit row for the batch."""
    missing = (
        Household.objects.filter(responsible_cadre__isnull=False)
        .exclude(pk__in=Pairing.objects.filter(ended_on__isnull=True).values("household_id"))
        .values_list("pk", "responsible_cadre_id", "area_path")
    )
    day = started_on or timezone.localdate()
    rows = [
        Pairing(household_id=pk, cadre_id=cadre, area_path=path, started_on=day)
        for pk, cadre, path in missing
    ]
    Pairing.objects.bulk_create(rows, batch_size=2000)
    if rows:
        audit.record(actor=None, verb="assistance.adopted", changes={_("结对户数"): ["", len(rows)]})
    return len(rows)

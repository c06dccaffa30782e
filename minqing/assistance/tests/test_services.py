"""Pairing and plan services: validation, history, one open pairing, 帮扶责任人 kept in sync, audit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.assistance import services
from minqing.assistance.models import MeasureKind, MeasureStatus, Pairing
from minqing.core.editing import ConcurrentEditError
from minqing.core.models import AuditEvent
from minqing.core.verbs import label
from minqing.registry.models import Household

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def stationed(tree):
    return assign(UserFactory(username="zhucun"), Role.STATIONED_CADRE, tree.v)


def responsible(household):
    return Household.objects.get(pk=household.pk).responsible_cadre_id


def test_pair_sets_the_responsible_cadre_and_records_history(users, records, stationed):
    pairing = services.pair(
        actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY - 9 * DAY
    )
    assert (
        pairing.is_open and pairing.area_path == records.hv.area_path and pairing.created_by == users.inside
    )
    assert responsible(records.hv) == stationed.pk
    event = AuditEvent.objects.get(verb="assistance.paired")
    assert event.household_id == records.hv.pk and event.area_path == records.hv.area_path
    assert label("assistance.paired") == "结对帮扶"

    # A new cadre ends the open pairing the same day: history keeps both, one stays open.
    second = services.pair(actor=users.above, household=records.hv, cadre=users.inside, started_on=TODAY)
    first = Pairing.objects.get(pk=pairing.pk)
    assert first.ended_on == TODAY and first.end_reason == "更换帮扶责任人" and first.ended_by == users.above
    assert list(Pairing.objects.filter(household=records.hv).open()) == [second]
    assert responsible(records.hv) == users.inside.pk
    assert AuditEvent.objects.filter(verb="assistance.unpaired").count() == 1

    services.end_pairing(actor=users.inside, pairing=second, ended_on=TODAY, reason="调离本村")
    assert responsible(records.hv) is None
    assert not Pairing.objects.filter(household=records.hv).open().exists()
    assert Pairing.objects.filter(household=records.hv).count() == 2


def test_one_open_pairing_per_household_in_the_database(users, records, stationed):
    services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            household=records.hv, cadre=users.inside, area_path=records.hv.area_path, started_on=TODAY
        )


@pytest.mark.parametrize(
    ("started_on", "message"),
    [(TODAY + DAY, "结对日期不能晚于今天"), (None, "请填写结对日期")],
)
def test_pair_refuses_bad_dates(users, records, stationed, started_on, message):
    with pytest.raises(ValidationError, match=message):
        services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=started_on)
    assert not Pairing.objects.exists() and responsible(records.hv) is None


def test_pair_refuses_cadres_outside_the_household_area_and_non_cadres(users, records, stationed, tree):
    elsewhere = assign(UserFactory(username="zhucun2"), Role.STATIONED_CADRE, tree.w)
    inactive = assign(UserFactory(username="gone", is_active=False), Role.VILLAGE_CADRE, tree.v)
    for cadre in (elsewhere, users.grid, users.county, users.desk, inactive, users.neighbour):
        with pytest.raises(ValidationError, match="负责区域包含这户"):
            services.pair(actor=users.inside, household=records.hv, cadre=cadre, started_on=TODAY)
    services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY)
    with pytest.raises(ValidationError, match="无需重复结对"):
        services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY)


def test_pair_cannot_start_before_the_open_pairing(users, records, stationed):
    services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY - DAY)
    with pytest.raises(ValidationError, match="不能早于原结对"):
        services.pair(
            actor=users.inside, household=records.hv, cadre=users.inside, started_on=TODAY - 2 * DAY
        )
    assert responsible(records.hv) == stationed.pk


def test_pair_rights(users, records, stationed):
    # Outside the view scope the household does not exist; viewable without `assist` is forbidden.
    with pytest.raises(Http404):
        services.pair(actor=users.neighbour, household=records.hv, cadre=stationed, started_on=TODAY)
    for actor in (users.grid, users.county, users.supervisor, stationed):
        with pytest.raises(PermissionDenied):
            services.pair(actor=actor, household=records.hv, cadre=stationed, started_on=TODAY)
    for actor in (users.desk, users.health, users.nobody):
        with pytest.raises(Http404):
            services.pair(actor=actor, household=records.hv, cadre=stationed, started_on=TODAY)
    assert services.pair(actor=users.data_admin, household=records.hv, cadre=stationed, started_on=TODAY)


def test_end_pairing_validation(users, records, stationed):
    pairing = services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY - DAY)
    cases = [
        (TODAY - 2 * DAY, "调离", "不能早于结对日期"),
        (TODAY + DAY, "调离", "不能晚于今天"),
        (TODAY, "  ", "请填写解除原因"),
        (TODAY, "联系13800001111", "身份证号或电话号码"),
    ]
    for ended_on, reason, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.end_pairing(actor=users.inside, pairing=pairing, ended_on=ended_on, reason=reason)
    assert responsible(records.hv) == stationed.pk
    with pytest.raises(PermissionDenied):
        services.end_pairing(actor=stationed, pairing=pairing, ended_on=TODAY, reason="调离")
    services.end_pairing(actor=users.inside, pairing=pairing, ended_on=TODAY, reason="调离")
    with pytest.raises(ValidationError, match="已于"):
        services.end_pairing(actor=users.inside, pairing=pairing, ended_on=TODAY, reason="调离")


def test_household_edits_leave_the_responsible_cadre_to_pairings(users, records, stationed):
    from minqing.registry.services import household_update

    hv = Household.objects.get(pk=records.hv.pk)
    with pytest.raises(ValidationError, match="结对帮扶"):
        household_update(
            actor=users.inside, household=hv, data={"responsible_cadre": stationed}, version=hv.version
        )
    assert responsible(records.hv) is None


# ------------------------------------------------------------------------------------ plans and measures


@pytest.fixture
def plan(users, records):
    records.hv.risk_types = ["01", "07"]
    records.hv.save(update_fields=["risk_types"])
    return services.plan_create(
        actor=users.inside, household=records.hv, data={"year": TODAY.year, "goal": "稳定增收"}
    )


def measure_data(**extra):
    return {"kind": MeasureKind.EMPLOYMENT, "target": "推荐到县工业园务工", "amount": Decimal("0"), **extra}


def test_plan_validation(users, records, plan):
    with pytest.raises(ValidationError, match="该年度已有帮扶计划"):
        services.plan_create(actor=users.inside, household=records.hv, data={"year": TODAY.year})
    with pytest.raises(ValidationError, match="计划年度应在"):
        services.plan_create(actor=users.inside, household=records.hv, data={"year": 1999})
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        services.plan_create(
            actor=users.inside,
            household=records.hv,
            data={"year": TODAY.year - 1, "period_start": TODAY, "period_end": TODAY - DAY},
        )
    with pytest.raises(ValidationError, match="身份证号或电话号码"):
        services.plan_update(
            actor=users.inside, plan=plan, data={"goal": "电话13912345678"}, version=plan.version
        )
    updated = services.plan_update(actor=users.inside, plan=plan, data={"goal": "年增收3000元"}, version=1)
    assert updated.version == 2
    with pytest.raises(ConcurrentEditError):
        services.plan_update(actor=users.inside, plan=plan, data={"goal": "旧页面"}, version=1)


def test_measure_validation(users, plan):
    cases = [
        (measure_data(amount=Decimal("-1")), "金额不能为负数"),
        (measure_data(status=MeasureStatus.DONE, started_on=TODAY - DAY, completed_on=TODAY), "请填写成效"),
        (measure_data(status=MeasureStatus.DONE, started_on=TODAY - DAY, outcome="增收"), "请填写完成日期"),
        (
            measure_data(
                status=MeasureStatus.DONE, started_on=TODAY, completed_on=TODAY + DAY, outcome="增收"
            ),
            "完成日期不能晚于今天",
        ),
        (
            measure_data(
                status=MeasureStatus.DONE, started_on=TODAY, completed_on=TODAY - DAY, outcome="增收"
            ),
            "完成日期不能早于开始日期",
        ),
        (measure_data(completed_on=TODAY), "措施尚未完成"),
        (measure_data(status=MeasureStatus.IN_PROGRESS), "请填写开始日期"),
        (measure_data(target="身份证520622197005170011"), "身份证号或电话号码"),
        (measure_data(risks_addressed=["03"]), "没有登记以下风险类型：因残"),
        (measure_data(risks_addressed=["01", "01"]), "不要重复"),
        (measure_data(risks_addressed=["xx"]), "代码表"),
        (measure_data(kind="magic"), "kind"),
    ]
    for data, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.measure_create(actor=users.inside, plan=plan, data=data)
    assert not plan.measures.exists()


def test_measure_pipeline_and_audit(users, plan):
    measure = services.measure_create(
        actor=users.inside, plan=plan, data=measure_data(risks_addressed=["07"], amount=Decimal("500"))
    )
    assert measure.household_id == plan.household_id and measure.area_path == plan.area_path
    measure = services.measure_move(
        actor=users.inside,
        measure=measure,
        status=MeasureStatus.IN_PROGRESS,
        version=1,
        started_on=TODAY - DAY,
    )
    with pytest.raises(ValidationError, match="请填写成效"):
        services.measure_move(
            actor=users.inside, measure=measure, status=MeasureStatus.DONE, version=2, completed_on=TODAY
        )
    measure = services.measure_move(
        actor=users.inside,
        measure=measure,
        status=MeasureStatus.DONE,
        version=2,
        completed_on=TODAY,
        outcome="稳定务工，月收入3000元",
        income_change=Decimal("36000"),
    )
    assert measure.status == MeasureStatus.DONE and measure.version == 3
    with pytest.raises(ValidationError, match="不能从“已完成”改为“实施中”"):
        services.measure_move(
            actor=users.inside, measure=measure, status=MeasureStatus.IN_PROGRESS, version=3
        )
    verbs = list(AuditEvent.objects.filter(target_type="assistance.measure").values_list("verb", flat=True))
    assert sorted(verbs) == [
        "assistance.measure.created",
        "assistance.measure.status",
        "assistance.measure.status",
    ]


def test_stationed_cadre_keeps_the_plan_of_paired_households_only(users, records, plan, stationed):
    with pytest.raises(PermissionDenied):
        services.measure_create(actor=stationed, plan=plan, data=measure_data())
    pairing = services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY)
    measure = services.measure_create(actor=stationed, plan=plan, data=measure_data())
    services.plan_update(actor=stationed, plan=plan, data={"note": "每月走访"}, version=plan.version)
    services.end_pairing(actor=users.inside, pairing=pairing, ended_on=TODAY, reason="调离")
    with pytest.raises(PermissionDenied):
        services.measure_update(actor=stationed, measure=measure, data={"target": "改"}, version=1)
    with pytest.raises(Http404):
        services.plan_create(actor=users.neighbour, household=records.hv, data={"year": TODAY.year - 1})
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=users.grid, household=records.hv, data={"year": TODAY.year - 1})


def test_pairings_and_plans_follow_a_moved_household(users, records, stationed, tree, plan):
    from minqing.registry.services import household_update

    services.pair(actor=users.inside, household=records.hv, cadre=stationed, started_on=TODAY)
    services.measure_create(actor=users.inside, plan=plan, data=measure_data())
    hv = Household.objects.get(pk=records.hv.pk)
    household_update(
        actor=users.above, household=hv, data={"area": tree.w1, "grid": None}, version=hv.version
    )
    for model in (Pairing, type(plan), type(plan.measures.first())):
        assert set(model.objects.filter(household=hv).values_list("area_path", flat=True)) == {tree.w1.code}
    assert not Pairing.objects.visible_to(users.inside).exists()
    assert Pairing.objects.visible_to(users.neighbour).count() == 1

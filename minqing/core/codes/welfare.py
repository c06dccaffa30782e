"""Children's welfare, guardianship, living conditions and other registry tables (local short codes).

None of these has a national code table the registry could use; values are short local codes,
labels the wording of the policy documents (国发〔2016〕13号, 国发〔2016〕36号, 民发〔2019〕62号 and the
防止返贫监测 forms).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "IN_SCHOOL_STAGES",
    "CannotGuard",
    "CookingFuel",
    "FamilyPlanning",
    "NoIdReason",
    "RoadAccess",
    "SchoolStage",
    "SelfCare",
]


# 学段 (local code; 10 … 50 follow the order of the education system)
class SchoolStage(models.TextChoices):
    PRESCHOOL = "10", _("学前教育")
    PRIMARY = "20", _("小学")
    JUNIOR = "30", _("初中")
    SENIOR = "40", _("高中")
    VOCATIONAL = "41", _("中职")
    HIGHER = "50", _("高等教育")
    NOT_ENROLLED = "90", _("未入学")
    DROPPED_OUT = "91", _("辍学")


#: Stages of a pupil or student "in school" (在校生).
IN_SCHOOL_STAGES = frozenset({"20", "30", "40", "41", "50"})


# 生活自理能力 (失能评估 levels as registry forms use them)
class SelfCare(models.TextChoices):
    FULL = "1", _("全自理")
    PARTIAL = "2", _("半护理")
    NONE = "3", _("全护理")


# 不能履行监护职责原因 (国发〔2016〕13号, 民发〔2019〕62号)
class CannotGuard(models.TextChoices):
    IMPRISONED = "1", _("服刑在押")
    DRUG_REHAB = "2", _("强制隔离戒毒")
    MISSING = "3", _("失联")
    GUARDIANSHIP_REVOKED = "4", _("被撤销监护资格")
    OTHER = "9", _("其他")


# 无身份证号原因
class NoIdReason(models.TextChoices):
    NOT_APPLIED = "1", _("未申领")
    REISSUING = "2", _("遗失补办中")
    FOREIGN = "3", _("港澳台/外籍")
    OTHER = "9", _("其他")


# 入户路类型
class RoadAccess(models.TextChoices):
    HARDENED = "1", _("硬化路")
    GRAVEL = "2", _("砂石路")
    DIRT = "3", _("泥土路")
    NONE = "4", _("无入户路")


# 主要燃料 (生活用能)
class CookingFuel(models.TextChoices):
    FIREWOOD = "1", _("柴草")
    COAL = "2", _("煤")
    GAS = "3", _("液化气/天然气")
    ELECTRICITY = "4", _("电")
    BIOGAS = "5", _("沼气")
    OTHER = "9", _("其他")


# 计生户类型 (计划生育奖励扶助)
class FamilyPlanning(models.TextChoices):
    ONE_CHILD = "1", _("独生子女户")
    TWO_DAUGHTERS = "2", _("二女户")
    SPECIAL = "3", _("计生特殊家庭")

"""GB/T 31000-2015 社会治安综合治理基础数据规范: registration, left-behind, places, disputes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BuildingUse",
    "DisputeCategory",
    "DisputeScale",
    "HazardType",
    "InflowReason",
    "KeyYouthType",
    "LeftBehindType",
    "RegistrationMatch",
    "ResidenceType",
    "ResolutionMethod",
]

# ---------------------------------------------------------------------------
# GB/T 31000-2015 社会治安综合治理基础数据规范
# ---------------------------------------------------------------------------


# GB/T 31000-2015 人户一致标识
class RegistrationMatch(models.TextChoices):
    SAME = "01", _("一致")
    DIFFERENT = "02", _("不一致")


# GB/T 31000-2015 5.15 留守人员类型
class LeftBehindType(models.TextChoices):
    ELDERLY = "01", _("留守老人")
    WOMAN = "02", _("留守妇女")
    CHILD = "03", _("留守儿童")


# GB/T 31000-2015 5.11 流入原因
class InflowReason(models.TextChoices):
    WORK = "01", _("务工")
    FARMING = "02", _("务农")
    BUSINESS = "03", _("经商")
    STUDY = "04", _("学习培训")
    MARRIAGE = "05", _("婚嫁")
    ACCOMPANY = "06", _("随迁")
    MEDICAL = "07", _("治病疗养")
    RELATIVES = "08", _("投亲靠友")
    TRANSFER = "09", _("工作调动")
    OTHER = "99", _("其他")


# GB/T 31000-2015 5.13 住所类型
class ResidenceType(models.TextChoices):
    OWNED = "01", _("自购房屋")
    RENTED = "02", _("租赁房屋")
    BOARDING = "03", _("寄宿")
    BORROWED = "04", _("借住")
    EMPLOYER_DORMITORY = "05", _("单位宿舍")
    TEMPORARY_DORMITORY = "06", _("临时性宿舍")
    MIGRANT_APARTMENT = "07", _("农民工公寓")
    OTHER = "99", _("其他")


# GB/T 31000-2015 5.17 建筑用途
class BuildingUse(models.TextChoices):
    RESIDENTIAL = "01", _("住宅")
    COMMERCIAL = "02", _("商业")
    OFFICE = "03", _("办公")
    INDUSTRIAL = "04", _("工业")
    STORAGE = "05", _("仓储")
    MIXED = "06", _("商住混用")
    OTHER = "99", _("其他")


# GB/T 31000-2015 5.19 隐患类型
class HazardType(models.TextChoices):
    NONE = "00", _("无")
    FIRE = "01", _("火灾隐患")
    PUBLIC_ORDER = "02", _("治安隐患")
    DISPUTE = "03", _("矛盾纠纷隐患")
    HAZARDOUS_CHEMICALS = "04", _("危化物品隐患")
    INFECTIOUS_DISEASE = "05", _("疾病传染隐患")
    OTHER = "99", _("其他")


# GB/T 31000-2015 5.41 重点青少年人员类型
class KeyYouthType(models.TextChoices):
    IDLE = "01", _("闲散青少年")
    MISBEHAVING = "02", _("有不良行为或严重不良行为青少年")
    VAGRANT = "03", _("流浪乞讨未成年人")
    PRISONERS_CHILD = "04", _("服刑人员未成年子女")
    LEFT_BEHIND_CHILD = "05", _("农村留守儿童")
    OTHER = "99", _("其他")


# GB/T 31000-2015 表30 矛盾纠纷: 事件规模
class DisputeScale(models.TextChoices):
    INDIVIDUAL = "01", _("个体性事件")
    GROUP = "02", _("一般群体性事件")
    MAJOR_GROUP = "03", _("重大群体性事件")


# GB/T 31000-2015 表30 矛盾纠纷: 事件类别 (level 1 only; level 2 appends two digits)
class DisputeCategory(models.TextChoices):
    FAMILY = "01", _("婚恋家庭")
    NEIGHBOUR = "02", _("邻里纠纷")
    PERSONALITY_RIGHTS = "03", _("人格权")
    PROPERTY_RIGHTS = "04", _("物权相关")
    TORT = "05", _("侵权相关")
    CONTRACT = "06", _("合同")
    LABOUR = "07", _("劳动人事争议")
    FINANCE = "08", _("金融借贷")
    LAND_RESOURCES = "09", _("土地及资源权属")
    OTHER_CIVIL = "10", _("其他民商事")
    URBAN_RURAL_CONSTRUCTION = "11", _("城乡建设发展")
    CIVIL_AFFAIRS = "12", _("涉民政")
    OTHER_ENFORCEMENT = "13", _("其他行政执法")
    LITIGATION = "14", _("涉法涉诉")
    ORGANISATION_DISCIPLINE = "15", _("涉组织涉纪检")
    ETHNIC_RELIGIOUS = "16", _("涉民族宗教")
    OTHER = "99", _("其他")


# GB/T 31000-2015 表30 矛盾纠纷: 化解方式 (level 1 only; 0101 司法调解 etc. are sub-codes)
class ResolutionMethod(models.TextChoices):
    MEDIATION = "01", _("调解")
    ARBITRATION = "02", _("仲裁")
    ADMINISTRATIVE_REVIEW = "03", _("行政复议")
    ADMINISTRATIVE_RULING = "04", _("行政裁决")
    LITIGATION = "05", _("诉讼")
    NEGOTIATION = "06", _("协商和解")

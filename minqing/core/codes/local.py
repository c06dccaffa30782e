"""Areas, local registry categories and rural revitalisation (防止返贫监测) tables: local short codes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "OWN_TABLES",
    "AssistanceLevel",
    "DestituteSupport",
    "HouseSafetyGrade",
    "HouseStructure",
    "HouseholdStatus",
    "HouseholdType",
    "LaborAbility",
    "MonitoringStatus",
    "MonitoringType",
    "PlaceType",
    "PovertyCause",
    "ResidenceStatus",
    "RiskType",
    "UrbanRuralType",
    "WorkLocation",
]

# ---------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------


# 统计用区划代码 城乡分类代码 (National Bureau of Statistics)
class UrbanRuralType(models.TextChoices):
    MAIN_URBAN = "111", _("主城区")
    URBAN_FRINGE = "112", _("城乡结合区")
    TOWN_CENTRE = "121", _("镇中心区")
    TOWN_FRINGE = "122", _("镇乡结合区")
    SPECIAL_AREA = "123", _("特殊区域")
    TOWNSHIP_CENTRE = "210", _("乡中心区")
    VILLAGE = "220", _("村庄")


# ---------------------------------------------------------------------------
# Local registry categories (no national code: short local codes)
# ---------------------------------------------------------------------------


# Local code: where a registered person currently is (居住状态)
class ResidenceStatus(models.TextChoices):
    AT_HOME = "10", _("在家")
    MIGRANT_WORKER = "20", _("外出务工")
    # Away but not working: children living with their parents where these work (随迁子女), elders living
    # with a child in a city (投亲). Not left behind, and not 留守 either.
    AWAY_WITH_FAMILY = "21", _("外出（随迁、投亲）")
    INFLOW = "30", _("流入")
    AT_SCHOOL = "40", _("在校")
    IN_SERVICE = "50", _("服役")


# Local code: 户别 as recorded in the household register (pre-2014 hukou type)
class HouseholdType(models.TextChoices):
    AGRICULTURAL = "1", _("农业")
    NON_AGRICULTURAL = "2", _("非农业")


# Local code: status of a household record
class HouseholdStatus(models.TextChoices):
    NORMAL = "1", _("正常")
    MOVED_OUT = "2", _("迁出")
    CANCELLED = "3", _("注销")


# 农村住房安全性鉴定 (住建部《农村危险房屋鉴定技术导则》) 房屋安全等级 A–D
class HouseSafetyGrade(models.TextChoices):
    A = "A", _("安全")
    B = "B", _("基本安全")
    C = "C", _("局部危险")
    D = "D", _("整体危险")


# Local code: 房屋结构
class HouseStructure(models.TextChoices):
    REINFORCED_CONCRETE = "1", _("钢混")
    BRICK_CONCRETE = "2", _("砖混")
    BRICK_WOOD = "3", _("砖木")
    EARTH_WOOD = "4", _("土木")
    WOOD = "5", _("木")
    OTHER = "9", _("其他")


# ---------------------------------------------------------------------------
# Rural revitalisation (防止返贫监测, 建档立卡): policy categories, local short codes [typical]
# ---------------------------------------------------------------------------


# Local code [typical]: 劳动能力
class LaborAbility(models.TextChoices):
    NORMAL = "1", _("普通劳动力")
    SKILLED = "2", _("技能劳动力")
    WEAK = "3", _("弱劳动力或半劳动力")
    LOST = "4", _("丧失劳动力")
    NONE = "5", _("无劳动力")


# Local code [typical]: 务工地点 (务工状况)
class WorkLocation(models.TextChoices):
    IN_TOWNSHIP = "1", _("乡内")
    IN_COUNTY = "2", _("县内")
    IN_PROVINCE = "3", _("省内县外")
    OUT_OF_PROVINCE = "4", _("省外")


# Local code: 致贫原因 (建档立卡)
class PovertyCause(models.TextChoices):
    ILLNESS = "01", _("因病")
    DISABILITY = "02", _("因残")
    EDUCATION = "03", _("因学")
    DISASTER = "04", _("因灾")
    MARRIAGE = "05", _("因婚")
    LACK_OF_LAND = "06", _("缺土地")
    LACK_OF_WATER = "07", _("缺水")
    LACK_OF_SKILLS = "08", _("缺技术")
    LACK_OF_CAPITAL = "09", _("缺资金")
    LACK_OF_LABOUR = "10", _("缺劳力")
    POOR_TRANSPORT = "11", _("交通条件落后")
    LACK_OF_MOTIVATION = "12", _("自身发展动力不足")
    OTHER = "99", _("其他")


# Local code: 防止返贫监测对象类型
class MonitoringType(models.TextChoices):
    UNSTABLE = "1", _("脱贫不稳定户")
    MARGINAL = "2", _("边缘易致贫户")
    SUDDEN_HARDSHIP = "3", _("突发严重困难户")


# Local code: 防止返贫监测 风险类型
class RiskType(models.TextChoices):
    ILLNESS = "01", _("因病")
    EDUCATION = "02", _("因学")
    DISABILITY = "03", _("因残")
    NATURAL_DISASTER = "04", _("因自然灾害")
    ACCIDENT = "05", _("因意外事故")
    FAILED_PROJECT = "06", _("因产业项目失败")
    UNSTABLE_EMPLOYMENT = "07", _("因务工就业不稳")
    LACK_OF_LABOUR = "08", _("缺劳动力")
    OTHER = "99", _("其他")


# Registry choices of our own (no national table): assistance, support, monitoring, place types.


class AssistanceLevel(models.TextChoices):
    NONE = "", _("无")
    URBAN = "urban", _("城市低保")
    RURAL = "rural", _("农村低保")


class DestituteSupport(models.TextChoices):
    NONE = "", _("无")
    CENTRALISED = "central", _("集中供养")
    DISPERSED = "dispersed", _("分散供养")


class MonitoringStatus(models.TextChoices):
    NONE = "", _("非监测对象")
    MONITORING = "monitoring", _("监测中")
    RISK_CLEARED = "cleared", _("风险消除")


class PlaceType(models.TextChoices):
    SHOP = "shop", _("商铺")
    MARKET = "market", _("集贸市场")
    SCHOOL = "school", _("学校")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    CLINIC = "clinic", _("卫生室/诊所")
    ENTERPRISE = "enterprise", _("企业")
    WORKSHOP = "workshop", _("作坊/加工点")
    RESTAURANT = "restaurant", _("餐饮")
    LODGING = "lodging", _("旅馆/民宿")
    RELIGIOUS = "religious", _("宗教活动场所")
    PUBLIC = "public", _("村(居)公共服务场所")
    OTHER = "other", _("其他")


# Tables of our own whose first choice is "none" (stored as ""), unlike the national tables above.
OWN_TABLES = (AssistanceLevel, DestituteSupport, MonitoringStatus)

"""National code tables (GB/T 2261, GB/T 3304, GB/T 4761, GB/T 31000 …) as ``TextChoices``.

Values are the official codes, labels the official Chinese names. Source: the project's
``reference/codes.md``. Items marked ``[unsure]`` come from secondary sources and should be
checked against the printed standard before being relied upon; policy categories without a
national code (poverty alleviation, housing) use short local codes and say so.

Model fields store the code (``CharField(max_length=..., choices=Ethnicity.choices)``); use
:func:`label` to show a code that may not (or no longer) be in the table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# ---------------------------------------------------------------------------
# Person: basic attributes
# ---------------------------------------------------------------------------


# GB/T 2261.1-2003 个人基本信息分类与代码 第1部分：人的性别代码
class Sex(models.TextChoices):
    UNKNOWN = "0", _("未知的性别")
    MALE = "1", _("男")
    FEMALE = "2", _("女")
    UNSPECIFIED = "9", _("未说明的性别")


# GB/T 2261.2-2003 婚姻状况代码
class MaritalStatus(models.TextChoices):
    UNMARRIED = "10", _("未婚")
    MARRIED = "20", _("已婚")
    FIRST_MARRIAGE = "21", _("初婚")
    REMARRIED = "22", _("再婚")
    REMARRIED_SAME = "23", _("复婚")
    WIDOWED = "30", _("丧偶")
    DIVORCED = "40", _("离婚")
    UNSPECIFIED = "90", _("未说明的婚姻状况")


# GB/T 2261.3-2003 健康状况代码 (30 chronic disease and 60 disability have sub-codes)
class Health(models.TextChoices):
    HEALTHY = "10", _("健康或良好")
    FAIR = "20", _("一般或较弱")
    CHRONIC = "30", _("有慢性病")
    CARDIOVASCULAR = "31", _("心血管病")
    CEREBROVASCULAR = "32", _("脑血管病")
    RESPIRATORY = "33", _("慢性呼吸系统病")
    DIGESTIVE = "34", _("慢性消化系统病")
    NEPHRITIS = "35", _("慢性肾炎")
    TUBERCULOSIS = "36", _("结核病")
    DIABETES = "37", _("糖尿病")
    NEUROLOGICAL_MENTAL = "38", _("神经或精神疾病")
    CANCER = "41", _("癌症")
    OTHER_CHRONIC = "49", _("其他慢性病")
    DISABLED = "60", _("残疾")
    VISUAL = "61", _("视力残疾")
    HEARING = "62", _("听力残疾")
    SPEECH = "63", _("言语残疾")
    PHYSICAL = "64", _("肢体残疾")
    INTELLECTUAL = "65", _("智力残疾")
    MENTAL = "66", _("精神残疾")
    MULTIPLE = "67", _("多重残疾")
    OTHER_DISABILITY = "69", _("其他残疾")


# Health codes meaning "has a chronic disease" (30-49) and "disabled" (60-69).
CHRONIC_DISEASE_CODES: frozenset[str] = frozenset(c for c in Health.values if "30" <= c <= "49")
DISABILITY_HEALTH_CODES: frozenset[str] = frozenset(c for c in Health.values if "60" <= c <= "69")


# GB/T 2261.4-2003 从业状况（个人身份）代码
class Employment(models.TextChoices):
    CIVIL_SERVANT = "11", _("国家公务员")
    PROFESSIONAL = "13", _("专业技术人员")
    CLERK = "17", _("职员")
    MANAGER = "21", _("企业管理人员")
    WORKER = "24", _("工人")
    FARMER = "27", _("农民")
    STUDENT = "31", _("学生")
    SOLDIER = "37", _("现役军人")
    FREELANCER = "51", _("自由职业者")
    SELF_EMPLOYED = "54", _("个体经营者")
    UNEMPLOYED = "70", _("无业人员")
    RETIRED = "80", _("退（离）休人员")
    OTHER = "90", _("其他")


# GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码
class Ethnicity(models.TextChoices):
    HAN = "01", _("汉族")
    MONGOL = "02", _("蒙古族")
    HUI = "03", _("回族")
    ZANG = "04", _("藏族")
    UYGUR = "05", _("维吾尔族")
    MIAO = "06", _("苗族")
    YI = "07", _("彝族")
    ZHUANG = "08", _("壮族")
    BUYEI = "09", _("布依族")
    CHOSEN = "10", _("朝鲜族")
    MAN = "11", _("满族")
    DONG = "12", _("侗族")
    YAO = "13", _("瑶族")
    BAI = "14", _("白族")
    TUJIA = "15", _("土家族")
    HANI = "16", _("哈尼族")
    KAZAK = "17", _("哈萨克族")
    DAI = "18", _("傣族")
    LI = "19", _("黎族")
    LISU = "20", _("傈僳族")
    VA = "21", _("佤族")
    SHE = "22", _("畲族")
    GAOSHAN = "23", _("高山族")
    LAHU = "24", _("拉祜族")
    SUI = "25", _("水族")
    DONGXIANG = "26", _("东乡族")
    NAXI = "27", _("纳西族")
    JINGPO = "28", _("景颇族")
    KIRGIZ = "29", _("柯尔克孜族")
    TU = "30", _("土族")
    DAUR = "31", _("达斡尔族")
    MULAO = "32", _("仫佬族")
    QIANG = "33", _("羌族")
    BLANG = "34", _("布朗族")
    SALAR = "35", _("撒拉族")
    MAONAN = "36", _("毛南族")
    GELAO = "37", _("仡佬族")
    XIBE = "38", _("锡伯族")
    ACHANG = "39", _("阿昌族")
    PUMI = "40", _("普米族")
    TAJIK = "41", _("塔吉克族")
    NU = "42", _("怒族")
    UZBEK = "43", _("乌孜别克族")
    RUSS = "44", _("俄罗斯族")
    EWENKI = "45", _("鄂温克族")
    DEANG = "46", _("德昂族")
    BONAN = "47", _("保安族")
    YUGUR = "48", _("裕固族")
    GIN = "49", _("京族")
    TATAR = "50", _("塔塔尔族")
    DERUNG = "51", _("独龙族")
    OROQEN = "52", _("鄂伦春族")
    HEZHEN = "53", _("赫哲族")
    MONBA = "54", _("门巴族")
    LHOBA = "55", _("珞巴族")
    JINO = "56", _("基诺族")
    # [unsure] 97/98 come from secondary sources.
    OTHER = "97", _("其他")
    FOREIGN_ORIGIN = "98", _("外国血统中国籍人士")


# GB/T 4762-1984 政治面貌代码
class PoliticalStatus(models.TextChoices):
    CPC_MEMBER = "01", _("中共党员")
    CPC_PROBATIONARY = "02", _("中共预备党员")
    CYL_MEMBER = "03", _("共青团员")
    RCCK = "04", _("民革会员")
    CDL = "05", _("民盟盟员")
    CNDCA = "06", _("民建会员")
    CAPD = "07", _("民进会员")
    CPWDP = "08", _("农工党党员")
    CZGP = "09", _("致公党党员")
    JS = "10", _("九三学社社员")
    TDSGL = "11", _("台盟盟员")
    NON_PARTY = "12", _("无党派民主人士")
    MASSES = "13", _("群众")


# GB/T 4658-2006 学历代码 (main levels only; 毕业/结业/肄业 sub-codes omitted)
class Education(models.TextChoices):
    DOCTORATE = "11", _("博士研究生")
    MASTER = "14", _("硕士研究生")
    BACHELOR = "21", _("大学本科")
    JUNIOR_COLLEGE = "31", _("大学专科")
    SECONDARY_SPECIALIZED = "41", _("中等专科")
    VOCATIONAL_HIGH = "44", _("职业高中")
    TECHNICAL_SCHOOL = "47", _("技工学校")
    HIGH_SCHOOL = "61", _("普通高中")
    JUNIOR_HIGH = "71", _("初中")
    PRIMARY = "81", _("小学")
    OTHER = "90", _("其他")
    # [unsure] Not in GB/T 4658-2006; older lists carry 文盲或半文盲. Code chosen locally.
    ILLITERATE = "99", _("文盲或半文盲")


# GB/T 4761-2008 家庭关系代码 (与户主关系; main codes, the standard has more sub-codes)
class Relation(models.TextChoices):
    SELF = "01", _("本人")
    HEAD = "02", _("户主")
    SPOUSE = "10", _("配偶")
    HUSBAND = "11", _("夫")
    WIFE = "12", _("妻")
    SON = "20", _("子")
    ONLY_SON = "21", _("独生子")
    ELDEST_SON = "22", _("长子")
    SECOND_SON = "23", _("次子")
    ADOPTED_SON = "27", _("养子或继子")
    SON_IN_LAW = "28", _("女婿")
    DAUGHTER = "30", pgettext_lazy("relation to the head", "女")
    ONLY_DAUGHTER = "31", _("独生女")
    ELDEST_DAUGHTER = "32", _("长女")
    SECOND_DAUGHTER = "33", _("次女")
    ADOPTED_DAUGHTER = "37", _("养女或继女")
    DAUGHTER_IN_LAW = "38", _("儿媳")
    GRANDCHILD = "40", _("孙子孙女或外孙子外孙女")
    GRANDSON = "41", _("孙子")
    GRANDDAUGHTER = "42", _("孙女")
    DAUGHTERS_SON = "43", _("外孙子")
    DAUGHTERS_DAUGHTER = "44", _("外孙女")
    PARENT = "50", _("父母")
    FATHER = "51", _("父亲")
    MOTHER = "52", _("母亲")
    HUSBANDS_FATHER = "53", _("公公")
    HUSBANDS_MOTHER = "54", _("婆婆")
    WIFES_FATHER = "55", _("岳父")
    WIFES_MOTHER = "56", _("岳母")
    GRANDPARENT = "60", _("祖父母或外祖父母")
    GRANDFATHER = "61", _("祖父")
    GRANDMOTHER = "62", _("祖母")
    MATERNAL_GRANDFATHER = "63", _("外祖父")
    MATERNAL_GRANDMOTHER = "64", _("外祖母")
    SIBLING = "70", _("兄弟姐妹")
    ELDER_BROTHER = "71", _("兄")
    ELDER_BROTHERS_WIFE = "72", _("嫂")
    YOUNGER_BROTHER = "73", _("弟")
    YOUNGER_BROTHERS_WIFE = "74", _("弟媳")
    ELDER_SISTER = "75", _("姐姐")
    ELDER_SISTERS_HUSBAND = "76", _("姐夫")
    YOUNGER_SISTER = "77", _("妹妹")
    YOUNGER_SISTERS_HUSBAND = "78", _("妹夫")
    OTHER = "80", _("其他")
    OTHER_RELATIVE = "97", _("其他亲属")
    NON_RELATIVE = "99", _("非亲属")


# GA 214.12-2004 宗教信仰代码 — [unsure] on 60/70
class Religion(models.TextChoices):
    NONE = "00", _("无宗教信仰")
    BUDDHISM = "10", _("佛教")
    LAMAISM = "20", _("喇嘛教")
    TAOISM = "30", _("道教")
    CATHOLICISM = "40", _("天主教")
    PROTESTANTISM = "50", _("基督教")
    ORTHODOX = "60", _("东正教")  # [unsure]
    ISLAM = "70", _("伊斯兰教")  # [unsure]
    OTHER = "99", _("其他")


# 兵役状况 (GB/T 2261.5-style) — [unsure] whole table, from secondary sources
class MilitaryService(models.TextChoices):
    NONE = "0", _("未服兵役")
    VETERAN = "1", _("退出现役")
    SOLDIER_RESERVE = "2", _("士兵预备役")
    OFFICER_RESERVE = "3", _("军官预备役")
    ACTIVE = "4", _("服现役")
    OTHER = "9", _("其他")


# GB/T 26341-2010 残疾人残疾分类和分级: 残疾类别
class DisabilityCategory(models.TextChoices):
    VISUAL = "1", _("视力残疾")
    HEARING = "2", _("听力残疾")
    SPEECH = "3", _("言语残疾")
    PHYSICAL = "4", _("肢体残疾")
    INTELLECTUAL = "5", _("智力残疾")
    MENTAL = "6", _("精神残疾")
    MULTIPLE = "7", _("多重残疾")


# GB/T 26341-2010 残疾人残疾分类和分级: 残疾等级 (一级 is the most severe)
class DisabilityGrade(models.TextChoices):
    GRADE_1 = "1", _("一级")
    GRADE_2 = "2", _("二级")
    GRADE_3 = "3", _("三级")
    GRADE_4 = "4", _("四级")


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


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def label(choices_cls: type[models.Choices], code: object) -> str:
    """Return the label of ``code`` in ``choices_cls``, or the code itself when it is unknown.

    Imported or historical data may carry codes that are not (or no longer) in a table; showing
    the raw code is better than hiding it. ``None`` and ``""`` give ``""``.
    """
    if code is None or code == "":
        return ""
    try:
        return str(choices_cls(str(code)).label)
    except ValueError:
        return str(code)


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

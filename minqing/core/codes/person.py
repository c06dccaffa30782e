"""Person attributes: GB/T 2261, GB/T 3304, GB/T 4658, GB/T 4761, GB/T 4762, GA 214.12, GB/T 26341."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "CHRONIC_DISEASE_CODES",
    "DISABILITY_HEALTH_CODES",
    "DisabilityCategory",
    "DisabilityGrade",
    "Education",
    "Employment",
    "Ethnicity",
    "Health",
    "MaritalStatus",
    "MilitaryService",
    "PoliticalStatus",
    "Relation",
    "Religion",
    "Sex",
]

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

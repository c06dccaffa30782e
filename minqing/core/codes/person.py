"""Person attributes: GB/T 2261, GB/T 3304, GB/T 4658, GB/T 4761, GB/T 4762, GA 214.12, GB/T 26341."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "CHRONIC_DISEASE_CODES",
    "DISABILITY_HEALTH_CODES",
    "EDUCATION_COLLEGE_CODES",
    "EXCHANGE_CODES",
    "RELATION_CHILD_CODES",
    "RELATION_CHILD_IN_LAW_CODES",
    "RELATION_GRANDCHILD_CODES",
    "RELATION_HEAD_CODES",
    "RELATION_PARENT_CODES",
    "RELATION_SPOUSE_CODES",
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
    "education_codes",
    "education_level",
    "exchange_code",
    "relation_codes",
    "relation_group",
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


# GB/T 4658-2006 学历代码. A hierarchical code: the x0 codes are the main levels (研究生教育 …), the others
# say whether the level was completed (毕业), finished without the certificate (结业) or left (肄业).
# Use :func:`education_level` to count a sub-code with its level. 99 is local (see below).
class Education(models.TextChoices):
    POSTGRADUATE = "10", _("研究生教育")
    DOCTORATE = "11", _("博士研究生毕业")
    DOCTORATE_COMPLETED = "12", _("博士研究生结业")
    DOCTORATE_INCOMPLETE = "13", _("博士研究生肄业")
    MASTER = "14", _("硕士研究生毕业")
    MASTER_COMPLETED = "15", _("硕士研究生结业")
    MASTER_INCOMPLETE = "16", _("硕士研究生肄业")
    GRADUATE_CLASS = "17", _("研究生班毕业")
    GRADUATE_CLASS_COMPLETED = "18", _("研究生班结业")
    GRADUATE_CLASS_INCOMPLETE = "19", _("研究生班肄业")
    UNDERGRADUATE = "20", _("大学本科教育")
    BACHELOR = "21", _("大学本科毕业")
    BACHELOR_COMPLETED = "22", _("大学本科结业")
    BACHELOR_INCOMPLETE = "23", _("大学本科肄业")
    ORDINARY_CLASS = "28", _("大学普通班毕业")  # entered university 1970–1976
    COLLEGE = "30", _("大学专科教育")
    JUNIOR_COLLEGE = "31", _("大学专科毕业")
    JUNIOR_COLLEGE_COMPLETED = "32", _("大学专科结业")
    JUNIOR_COLLEGE_INCOMPLETE = "33", _("大学专科肄业")
    SECONDARY_VOCATIONAL = "40", _("中等职业教育")
    SECONDARY_SPECIALIZED = "41", _("中等专科毕业")
    SECONDARY_SPECIALIZED_COMPLETED = "42", _("中等专科结业")
    SECONDARY_SPECIALIZED_INCOMPLETE = "43", _("中等专科肄业")
    VOCATIONAL_HIGH = "44", _("职业高中毕业")
    VOCATIONAL_HIGH_COMPLETED = "45", _("职业高中结业")
    VOCATIONAL_HIGH_INCOMPLETE = "46", _("职业高中肄业")
    TECHNICAL_SCHOOL = "47", _("技工学校毕业")
    TECHNICAL_SCHOOL_COMPLETED = "48", _("技工学校结业")
    TECHNICAL_SCHOOL_INCOMPLETE = "49", _("技工学校肄业")
    SENIOR_SECONDARY = "60", _("普通高级中学教育")
    HIGH_SCHOOL = "61", _("普通高中毕业")
    HIGH_SCHOOL_COMPLETED = "62", _("普通高中结业")
    HIGH_SCHOOL_INCOMPLETE = "63", _("普通高中肄业")
    JUNIOR_SECONDARY = "70", _("初级中学教育")
    JUNIOR_HIGH = "71", _("初中毕业")
    JUNIOR_HIGH_INCOMPLETE = "73", _("初中肄业")
    PRIMARY_EDUCATION = "80", _("小学教育")
    PRIMARY = "81", _("小学毕业")
    PRIMARY_INCOMPLETE = "83", _("小学肄业")
    OTHER = "90", _("其他")
    # Local code, not in GB/T 4658-2006 (the 1984 edition had 文盲或半文盲 as its 90). Kept apart because
    # village statistics count it; exchanged as 90 其他 (see EXCHANGE_CODES and exchange_code()).
    ILLITERATE = "99", _("文盲或半文盲")


# GB/T 4761-2008 家庭关系代码 (与户主关系). The x0 codes are the groups of the one-digit code; 81–99 all belong
# to its group 8 其他. Use :func:`relation_group` and the RELATION_*_CODES sets instead of single values.
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
    THIRD_SON = "24", _("三子")
    FOURTH_SON = "25", _("四子")
    FIFTH_SON = "26", _("五子")
    ADOPTED_SON = "27", _("养子或继子")
    SON_IN_LAW = "28", _("女婿")
    OTHER_SON = "29", _("其他儿子")
    DAUGHTER = "30", pgettext_lazy("relation to the head", "女")
    ONLY_DAUGHTER = "31", _("独生女")
    ELDEST_DAUGHTER = "32", _("长女")
    SECOND_DAUGHTER = "33", _("次女")
    THIRD_DAUGHTER = "34", _("三女")
    FOURTH_DAUGHTER = "35", _("四女")
    FIFTH_DAUGHTER = "36", _("五女")
    ADOPTED_DAUGHTER = "37", _("养女或继女")
    DAUGHTER_IN_LAW = "38", _("儿媳")
    OTHER_DAUGHTER = "39", _("其他女儿")
    GRANDCHILD = "40", _("孙子孙女或外孙子外孙女")
    GRANDSON = "41", _("孙子")
    GRANDDAUGHTER = "42", _("孙女")
    DAUGHTERS_SON = "43", _("外孙子")
    DAUGHTERS_DAUGHTER = "44", _("外孙女")
    GRANDSONS_WIFE = "45", _("孙媳妇或外孙媳妇")
    GRANDDAUGHTERS_HUSBAND = "46", _("孙女婿或外孙女婿")
    GREAT_GRANDSON = "47", _("曾孙子或外曾孙子")
    GREAT_GRANDDAUGHTER = "48", _("曾孙女或外曾孙女")
    OTHER_GRANDCHILD = "49", _("其他孙子、孙女或外孙子、外孙女")
    PARENT = "50", _("父母")
    FATHER = "51", _("父亲")
    MOTHER = "52", _("母亲")
    HUSBANDS_FATHER = "53", _("公公")
    HUSBANDS_MOTHER = "54", _("婆婆")
    WIFES_FATHER = "55", _("岳父")
    WIFES_MOTHER = "56", _("岳母")
    STEPFATHER = "57", _("继父或养父")
    STEPMOTHER = "58", _("继母或养母")
    OTHER_PARENT = "59", _("其他父母关系")
    GRANDPARENT = "60", _("祖父母或外祖父母")
    GRANDFATHER = "61", _("祖父")
    GRANDMOTHER = "62", _("祖母")
    MATERNAL_GRANDFATHER = "63", _("外祖父")
    MATERNAL_GRANDMOTHER = "64", _("外祖母")
    SPOUSES_GRANDPARENT = "65", _("配偶的祖父母或外祖父母")
    GREAT_GRANDFATHER = "66", _("曾祖父")
    GREAT_GRANDMOTHER = "67", _("曾祖母")
    SPOUSES_GREAT_GRANDPARENT = "68", _("配偶的曾祖父母或外曾祖父母")
    OTHER_GRANDPARENT = "69", _("其他祖父母或外祖父母关系")
    SIBLING = "70", _("兄弟姐妹")
    ELDER_BROTHER = "71", _("兄")
    ELDER_BROTHERS_WIFE = "72", _("嫂")
    YOUNGER_BROTHER = "73", _("弟")
    YOUNGER_BROTHERS_WIFE = "74", _("弟媳")
    ELDER_SISTER = "75", _("姐姐")
    ELDER_SISTERS_HUSBAND = "76", _("姐夫")
    YOUNGER_SISTER = "77", _("妹妹")
    YOUNGER_SISTERS_HUSBAND = "78", _("妹夫")
    OTHER_SIBLING = "79", _("其他兄弟姐妹")
    OTHER = "80", _("其他")
    FATHERS_ELDER_BROTHER = "81", _("伯父")
    FATHERS_ELDER_BROTHERS_WIFE = "82", _("伯母")
    FATHERS_YOUNGER_BROTHER = "83", _("叔父")
    FATHERS_YOUNGER_BROTHERS_WIFE = "84", _("婶母")
    MOTHERS_BROTHER = "85", _("舅父")
    MOTHERS_BROTHERS_WIFE = "86", _("舅母")
    MOTHERS_SISTERS_HUSBAND = "87", _("姨父")
    MOTHERS_SISTER = "88", _("姨母")
    FATHERS_SISTERS_HUSBAND = "89", _("姑父")
    FATHERS_SISTER = "90", _("姑母")
    PATERNAL_COUSIN = "91", _("堂兄弟、堂姐妹")
    MATERNAL_COUSIN = "92", _("表兄弟、表姐妹")
    BROTHERS_SON = "93", _("侄子")
    BROTHERS_DAUGHTER = "94", _("侄女")
    SISTERS_SON = "95", _("外甥")
    SISTERS_DAUGHTER = "96", _("外甥女")
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
# Main levels, groups and data exchange (学历 and 家庭关系 are hierarchical codes)
# ---------------------------------------------------------------------------


def _two_digits(code: object) -> str:
    text = "" if code is None else str(code).strip()
    return text if len(text) == 2 and text.isascii() and text.isdigit() else ""


def education_level(code: object) -> str:
    """The main level (``"10"`` 研究生教育 … ``"80"`` 小学教育, ``"90"`` 其他) of a 学历 code.

    Statistics and tag rules count a sub-code with its level: ``education_level("73") == "70"`` (初中肄业
    is junior-secondary schooling). The local ``"99"`` (文盲或半文盲) stays its own level so it can be
    counted; anything that is not a two-digit code gives ``""``.
    """
    text = _two_digits(code)
    if not text or text == Education.ILLITERATE:
        return text
    return text[0] + "0"


def relation_group(code: object) -> str:
    """The group of a 家庭关系 code, as the two-digit code of the standard's one-digit group.

    ``relation_group("45") == "40"`` (孙媳妇 is in the grandchildren group), ``"01"``/``"02"`` give
    ``"00"`` (本人或户主), and 81–99 give ``"80"`` (the standard's group 8 其他 covers 伯父 … 非亲属).
    Anything that is not a two-digit code gives ``""``. The groups mix blood and in-laws (女婿 28 is in
    group 20): rules about parents and children use the RELATION_*_CODES sets below.
    """
    text = _two_digits(code)
    if not text:
        return ""
    return "80" if text[0] == "9" else text[0] + "0"


def education_codes(*levels: str) -> frozenset[str]:
    """Every 学历 code at one of ``levels`` (for ``Q(education__in=…)``), the level codes included."""
    return frozenset(c for c in Education.values if education_level(c) in levels)


def relation_codes(*groups: str) -> frozenset[str]:
    """Every 家庭关系 code in one of ``groups`` (for ``Q(relation__in=…)``), the group codes included."""
    return frozenset(c for c in Relation.values if relation_group(c) in groups)


#: 大专及以上: 研究生, 本科 and 专科 at any completion (毕业, 结业, 肄业).
EDUCATION_COLLEGE_CODES: frozenset[str] = education_codes("10", "20", "30")

#: 本人 and 户主.
RELATION_HEAD_CODES: frozenset[str] = frozenset({Relation.SELF, Relation.HEAD})
#: 配偶, 夫, 妻.
RELATION_SPOUSE_CODES: frozenset[str] = relation_codes("10")
#: The head's children, born, adopted or step (子, 三子, 养子或继子, 其他儿子 … 女 … 其他女儿), not in-laws.
RELATION_CHILD_CODES: frozenset[str] = relation_codes("20", "30") - {
    Relation.SON_IN_LAW,
    Relation.DAUGHTER_IN_LAW,
}
#: 女婿 and 儿媳: married to one of the head's children.
RELATION_CHILD_IN_LAW_CODES: frozenset[str] = frozenset({Relation.SON_IN_LAW, Relation.DAUGHTER_IN_LAW})
#: The head's grandchildren (孙子 … 外孙女, 其他孙子女); not their spouses (45, 46) nor great-grandchildren.
RELATION_GRANDCHILD_CODES: frozenset[str] = relation_codes("40") - {
    Relation.GRANDSONS_WIFE,
    Relation.GRANDDAUGHTERS_HUSBAND,
    Relation.GREAT_GRANDSON,
    Relation.GREAT_GRANDDAUGHTER,
}
#: The head's own parents, step or adoptive included (父母, 父亲, 母亲, 继父/继母, 其他父母关系), not in-laws.
RELATION_PARENT_CODES: frozenset[str] = relation_codes("50") - {
    Relation.HUSBANDS_FATHER,
    Relation.HUSBANDS_MOTHER,
    Relation.WIFES_FATHER,
    Relation.WIFES_MOTHER,
}

#: Codes replaced when data leaves the system for another one (data exchange, 数据交换), per table. Only
#: 学历 has one: the local 99 文盲或半文盲 is not in GB/T 4658-2006 and goes out as 90 其他. 家庭关系 keeps 99,
#: which is the standard's own 非亲属 (its 90 is 姑母).
EXCHANGE_CODES: dict[type[models.TextChoices], dict[str, str]] = {
    Education: {Education.ILLITERATE.value: Education.OTHER.value},
}


def exchange_code(table: type[models.TextChoices], code: object) -> str:
    """The code to send to another system for ``code`` of ``table`` (``exchange_code(Education, "99") == "90"``)."""
    text = "" if code is None else str(code)
    return EXCHANGE_CODES.get(table, {}).get(text, text)

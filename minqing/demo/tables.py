"""Word tables and shares for the demo data generator (:mod:`minqing.demo.generator`).

Places and phrases of a rural county in eastern Guizhou (玉屏侗族自治县): migrant-work destinations,
jobs, skills, illnesses, typical requests (困难及诉求), village places and hazards, mobile prefixes,
and the shares the generator draws household compositions, houses and schooling from. Plain data
only, so the generator modules stay readable; people's names are in :mod:`minqing.demo.names`.
"""

from __future__ import annotations

# Migrant-work destinations: (place, work location code, weight). 4 = 省外, 3 = 省内县外.
DESTINATIONS: tuple[tuple[str, str, float], ...] = (
    ("浙江宁波", "4", 12.0),
    ("浙江温州", "4", 6.0),
    ("浙江杭州", "4", 5.0),
    ("浙江义乌", "4", 5.0),
    ("广东东莞", "4", 10.0),
    ("广东深圳", "4", 8.0),
    ("广东佛山", "4", 5.0),
    ("广东广州", "4", 5.0),
    ("广东中山", "4", 3.0),
    ("福建厦门", "4", 4.0),
    ("福建晋江", "4", 3.0),
    ("江苏苏州", "4", 4.0),
    ("江苏昆山", "4", 2.0),
    ("上海", "4", 3.0),
    ("湖南长沙", "4", 2.0),
    ("湖南怀化", "4", 2.0),
    ("贵州贵阳", "3", 8.0),
    ("贵州铜仁", "3", 5.0),
    ("贵州遵义", "3", 2.0),
    ("贵州凯里", "3", 2.0),
)
# Jobs near home for people who live in the village: (place, work location code). 1 乡内, 2 县内.
LOCAL_WORKPLACES: tuple[tuple[str, str], ...] = (
    ("玉屏大龙经济开发区", "2"),
    ("玉屏县城", "2"),
    ("本乡镇集镇", "1"),
    ("本村合作社", "1"),
)

MIGRANT_JOBS: tuple[str, ...] = (
    "电子厂普工",
    "建筑工人",
    "服装厂工人",
    "鞋厂工人",
    "快递员",
    "外卖骑手",
    "餐饮服务员",
    "货车司机",
    "保安",
    "装修工",
    "电焊工",
    "厨师",
    "物流分拣员",
    "超市收银员",
    "家政服务员",
    "汽车修理工",
)
LOCAL_JOBS: tuple[str, ...] = (
    "务农",
    "务农",
    "务农",
    "养殖",
    "茶叶种植",
    "油茶种植",
    "建筑零工",
    "工厂工人",
    "护林员",
    "保洁员",
    "个体经营",
    "乡村医生",
    "乡村教师",
    "村干部",
)
MIGRANT_WORKPLACES: tuple[str, ...] = ("电子厂", "工地", "服装厂", "鞋厂", "物流园", "餐馆", "工业园区")

SKILLS: tuple[str, ...] = (
    "泥瓦工",
    "电焊",
    "种植",
    "养殖",
    "木工",
    "厨师",
    "驾驶",
    "水电安装",
    "箫笛制作",
    "侗族刺绣",
    "茶叶种植",
    "油茶种植",
    "挖掘机操作",
    "缝纫",
    "美发",
    "家电维修",
    "钢筋工",
    "油漆工",
)

# Health code -> what cadres write in the 慢性病 box.
CHRONIC_DISEASES: dict[str, tuple[str, ...]] = {
    "31": ("高血压", "冠心病", "高血压、冠心病"),
    "32": ("脑梗死后遗症", "脑出血后遗症"),
    "33": ("慢性阻塞性肺疾病", "慢性支气管炎"),
    "34": ("慢性胃炎", "肝硬化"),
    "35": ("慢性肾炎", "慢性肾功能不全"),
    "36": ("肺结核",),
    "37": ("2型糖尿病", "糖尿病"),
    "38": ("癫痫", "精神分裂症"),
    "41": ("肺癌", "胃癌", "乳腺癌", "肝癌"),
    "49": ("类风湿关节炎", "腰椎间盘突出", "骨质增生"),
}
CHRONIC_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("31", 40.0),
    ("37", 15.0),
    ("32", 10.0),
    ("33", 8.0),
    ("34", 8.0),
    ("49", 10.0),
    ("35", 3.0),
    ("38", 2.0),
    ("41", 3.0),
    ("36", 1.0),
)

# 困难及诉求, by cause; "general" fits any household.
DIFFICULTIES: dict[str, tuple[str, ...]] = {
    "illness": (
        "家中老人患慢性病，药费负担重，希望办理慢病卡。",
        "家中有重病患者，医疗费用高，希望申请临时救助。",
        "长期服药开支大，希望落实医疗救助和家庭医生签约服务。",
    ),
    "disability": (
        "家中有残疾人需要长期照料，希望申请重度残疾人护理补贴。",
        "残疾人证需换证，希望协助办理。",
    ),
    "house": (
        "房屋年久失修，漏雨严重，希望申请危房改造。",
        "木房电线老化，担心火灾，希望帮助改造线路。",
    ),
    "water": (
        "饮水管道老化，旱季供水不足，希望维修。",
        "水源离家远，希望接通自来水。",
    ),
    "education": (
        "孩子上高中费用较高，希望申请教育资助。",
        "孩子考上大学，希望办理生源地助学贷款。",
    ),
    "elderly": (
        "子女在外务工，老人无人照料，希望村里多走访。",
        "老人行动不便，希望协助办理高龄津贴。",
    ),
    "general": (
        "缺乏技术，希望参加种养殖技能培训。",
        "家中劳动力不足，农忙时需要帮工。",
        "通组路未硬化，雨天出行不便。",
        "希望帮助联系县内就近务工岗位。",
        "希望申请小额信贷发展养殖。",
        "希望协助办理养老保险补缴。",
    ),
}
WATER_DIFFICULTIES: tuple[str, ...] = (
    "旱季水源不足，需到远处挑水。",
    "自来水管道老化，经常停水。",
    "水质浑浊，雨季更明显。",
)

# Places: (type, weight, name suffixes). Names become "<village><suffix>", e.g. 鱼塘村便民超市.
PLACE_KINDS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("shop", 34.0, ("便民超市", "小卖部", "副食店", "农资店", "五金店", "手机店", "理发店")),
    ("restaurant", 8.0, ("农家乐", "米粉店", "小吃店")),
    ("clinic", 8.0, ("卫生室", "诊所")),
    ("school", 3.0, ("小学", "教学点")),
    ("kindergarten", 4.0, ("幼儿园",)),
    ("workshop", 10.0, ("箫笛加工坊", "油茶加工坊", "茶叶加工厂", "木材加工点", "米粉加工坊")),
    ("enterprise", 5.0, ("养殖场", "种植专业合作社", "建材厂")),
    ("lodging", 4.0, ("民宿", "旅馆")),
    ("religious", 3.0, ("萨坛", "土地庙", "观音阁")),
    ("public", 12.0, ("鼓楼", "风雨桥", "村综合服务中心", "文化广场", "新时代文明实践站")),
    ("market", 2.0, ("农贸市场",)),
    ("other", 2.0, ("停车场", "垃圾转运点")),
)
# Hidden dangers: (hazard code, weight, notes). "00" means none.
HAZARDS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("00", 88.0, ("",)),
    ("01", 7.0, ("木质结构，电线老化", "灭火器过期", "疏散通道堆放杂物")),
    ("02", 2.0, ("无监控，夜间照明不足",)),
    ("04", 1.0, ("农药与食品混放",)),
    ("05", 1.0, ("卫生条件差，垃圾未及时清运",)),
    ("99", 1.0, ("护栏破损",)),
)
TENANTS: tuple[str, ...] = ("玉屏县某建筑公司", "外地务工人员", "本村合作社", "乡村医生")

MOBILE_PREFIXES: tuple[str, ...] = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "180",
    "181",
    "182",
    "183",
    "185",
    "187",
    "188",
    "189",
)

# ---------------------------------------------------------------------------
# Shares and profiles the generator draws from
# ---------------------------------------------------------------------------

# Household compositions and their share: one elder alone, an empty-nest couple, a single adult,
# a couple with children, three generations, a couple with the head's parents, a couple with
# grown-up unmarried children. Mean size about 3.2 living persons.
KINDS: tuple[tuple[str, float], ...] = (
    ("alone", 12.0),
    ("empty_nest", 16.0),
    ("single", 7.0),
    ("nuclear", 27.0),
    ("three_gen", 17.0),
    ("with_parents", 9.0),
    ("adult_kids", 12.0),
    ("inflow", 1.5),
)
STRUCTURES: tuple[tuple[str, float], ...] = (
    ("2", 42.0),
    ("5", 25.0),
    ("3", 15.0),
    ("1", 12.0),
    ("4", 5.0),
    ("9", 1.0),
)
# Structure -> (first build year, last build year, min m², max m², safety weights A B C D).
STRUCTURE_PROFILE: dict[str, tuple[int, int, int, int, tuple[float, float, float, float]]] = {
    "1": (2005, 2024, 120, 360, (80.0, 19.5, 0.4, 0.1)),
    "2": (1995, 2024, 100, 320, (75.0, 24.0, 0.8, 0.2)),
    "3": (1985, 2015, 80, 220, (45.0, 51.5, 3.0, 0.5)),
    "4": (1955, 1995, 50, 120, (10.0, 75.0, 12.0, 3.0)),
    "5": (1960, 2012, 80, 240, (35.0, 60.0, 4.0, 1.0)),
    "9": (1980, 2020, 30, 100, (40.0, 55.0, 4.0, 1.0)),
}
# Education of people no longer at school, by birth year (upper bound exclusive).
EDUCATION_BY_COHORT: tuple[tuple[int, tuple[tuple[str, float], ...]], ...] = (
    # 83 小学肄业 and 73 初中肄业 (left school early) are common among older villagers.
    (1950, (("99", 35.0), ("81", 36.0), ("83", 14.0), ("71", 9.0), ("73", 3.0), ("61", 3.0))),
    (1966, (("99", 15.0), ("81", 33.0), ("83", 12.0), ("71", 24.0), ("73", 6.0), ("61", 8.0), ("41", 2.0))),
    (1981, (("99", 3.0), ("81", 25.0), ("71", 46.0), ("73", 9.0), ("61", 10.0), ("44", 3.0), ("31", 4.0))),
    (1996, (("81", 8.0), ("71", 50.0), ("61", 15.0), ("44", 6.0), ("47", 5.0), ("31", 10.0), ("21", 6.0))),
    (9999, (("71", 28.0), ("61", 18.0), ("44", 10.0), ("47", 7.0), ("31", 20.0), ("21", 15.0), ("14", 2.0))),
)
DISABILITY_CATEGORIES: tuple[tuple[str, float], ...] = (
    ("4", 45.0),
    ("2", 15.0),
    ("1", 12.0),
    ("6", 10.0),
    ("5", 8.0),
    ("7", 8.0),
    ("3", 2.0),
)
DISABILITY_GRADES: tuple[tuple[str, float], ...] = (("1", 10.0), ("2", 20.0), ("3", 30.0), ("4", 40.0))
RISK_BY_CAUSE = {"illness": "01", "disability": "03", "education": "02"}
POVERTY_CAUSE_BY_CAUSE = {"illness": "01", "disability": "02", "education": "03"}
OTHER_POVERTY_CAUSES = ("08", "09", "10", "11", "12", "06", "04")
OTHER_RISKS = ("04", "05", "06", "07", "08", "99")
ALLEVIATED_YEARS: tuple[tuple[int, float], ...] = (
    (2016, 10.0),
    (2017, 25.0),
    (2018, 30.0),
    (2019, 25.0),
    (2020, 10.0),
)

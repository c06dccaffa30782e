"""Regional facts behind the demo data: ID address codes as issued, vital rates, lines, schools, sites.

玉屏侗族自治县 was 522223 (铜仁地区) until 2011 and is 520622 (铜仁市) since; the neighbouring counties
of Guizhou and Hunan that spouses marry in from were renumbered too (怀化地区 → 怀化市 in 1997). Every
code here is in python-stdnum's GB/T 2260 table (``stdnum/cn/loc.dat``), which the ID validator checks.
Birth and death rates follow the Guizhou statistical communiqués (出生率 about 13‰ around 2015,
about 10‰ by 2024; 死亡率 about 7‰). Plain data only.
"""

from __future__ import annotations

import functools

#: (first birth year with the code, address code), oldest first, per place of origin.
AddressEras = tuple[tuple[int, str], ...]

#: Yuping itself: 522223 until the 2011 renumbering, 520622 since.
YUPING_CODES: AddressEras = ((0, "522223"), (2011, "520622"))
#: Share of people born in Yuping before 2011 whose number already has 520622 (births registered late).
LATE_REGISTERED = 0.03

#: Native place (籍贯, as in names.NATIVE_PLACES) -> the address codes of ID numbers issued there.
ORIGIN_CODES: dict[str, AddressEras] = {
    "贵州玉屏": YUPING_CODES,
    "湖南新晃": ((0, "433026"), (1997, "431227")),
    "贵州万山": ((0, "522230"), (2011, "520603")),
    "湖南芷江": ((0, "433027"), (1997, "431228")),
    "贵州岑巩": ((0, "522626"),),
    "贵州镇远": ((0, "522625"),),
    "贵州松桃": ((0, "522229"), (2011, "520628")),
    "贵州江口": ((0, "522222"), (2011, "520621")),
    "湖南怀化": ((0, "433001"), (1997, "431202")),
    "贵州碧江": ((0, "522221"), (1987, "522201"), (2011, "520602")),
    "贵州三穗": ((0, "522624"),),
    "湖南麻阳": ((0, "433025"), (1997, "431226")),
    "四川宜宾": ((0, "512527"), (1996, "511521")),
}
#: Where the county of an origin is today (current 6-digit code), for 户籍地区划代码 of inflow persons.
ORIGIN_AREA = {place: eras[-1][1] for place, eras in ORIGIN_CODES.items()}
#: Province and county names for the registered address of persons registered elsewhere.
ORIGIN_ADDRESS = {
    "湖南新晃": "湖南省新晃侗族自治县",
    "贵州万山": "贵州省铜仁市万山区",
    "湖南芷江": "湖南省芷江侗族自治县",
    "贵州岑巩": "贵州省岑巩县",
    "贵州镇远": "贵州省镇远县",
    "贵州松桃": "贵州省松桃苗族自治县",
    "贵州江口": "贵州省江口县",
    "湖南怀化": "湖南省怀化市鹤城区",
    "贵州碧江": "贵州省铜仁市碧江区",
    "贵州三穗": "贵州省三穗县",
    "湖南麻阳": "湖南省麻阳苗族自治县",
    "四川宜宾": "四川省宜宾市",
}
#: Origins of inflow households (workers of the 大龙 development zone and the county seat).
INFLOW_ORIGINS: tuple[tuple[str, float], ...] = (
    ("湖南新晃", 25.0),
    ("湖南芷江", 12.0),
    ("贵州万山", 12.0),
    ("贵州碧江", 10.0),
    ("贵州岑巩", 10.0),
    ("湖南麻阳", 8.0),
    ("贵州三穗", 8.0),
    ("湖南怀化", 8.0),
    ("四川宜宾", 7.0),
)


def address_code(eras: AddressEras, birth_year: int) -> str:
    """The address code issued to someone born in ``birth_year`` at a place with these ``eras``."""
    code = eras[0][1]
    for first, value in eras:
        if birth_year >= first:
            code = value
    return code


#: Current 6-digit codes of the migrant-work destinations of tables.DESTINATIONS (现住地区划代码).
DESTINATION_AREA = {
    "浙江宁波": "330200",
    "浙江温州": "330300",
    "浙江杭州": "330100",
    "浙江义乌": "330782",
    "广东东莞": "441900",
    "广东深圳": "440300",
    "广东佛山": "440600",
    "广东广州": "440100",
    "广东中山": "442000",
    "福建厦门": "350200",
    "福建晋江": "350582",
    "江苏苏州": "320500",
    "江苏昆山": "320583",
    "上海": "310100",
    "湖南长沙": "430100",
    "湖南怀化": "431200",
    "贵州贵阳": "520100",
    "贵州铜仁": "520600",
    "贵州遵义": "520300",
    "贵州凯里": "522601",
}
COUNTY_AREA = "520622"

# Crude birth rate (‰) of Guizhou by year; years before the first are at the first value, after the last
# at the last. The falling tail is what makes the 0–5 cohort smaller than the 10–15 one.
BIRTH_RATE: dict[int, float] = {
    1995: 20.0,
    2000: 15.8,
    2005: 14.6,
    2010: 13.9,
    2011: 13.3,
    2012: 13.3,
    2013: 13.1,
    2014: 12.9,
    2015: 13.0,
    2016: 13.4,
    2017: 13.9,
    2018: 13.9,
    2019: 13.6,
    2020: 13.7,
    2021: 12.2,
    2022: 11.1,
    2023: 10.5,
    2024: 10.0,
    2025: 9.6,
    2026: 9.3,
}
MAX_BIRTH_RATE = max(BIRTH_RATE.values())
#: Crude death rate (‰), and how many years of deaths the registry keeps on file (注销 older ones).
DEATH_RATE = 7.0
DEATH_YEARS = 5


@functools.cache
def birth_rate(year: int) -> float:
    """Guizhou's crude birth rate (‰) in ``year``, interpolated between the years of the table."""
    if year <= 1995:
        return BIRTH_RATE[1995]
    if year in BIRTH_RATE:
        return BIRTH_RATE[year]
    if year > 2026:
        return BIRTH_RATE[2026]
    low = max(y for y in BIRTH_RATE if y < year)
    high = min(y for y in BIRTH_RATE if y > year)
    share = (year - low) / (high - low)
    return BIRTH_RATE[low] + (BIRTH_RATE[high] - BIRTH_RATE[low]) * share


# Yearly per-capita lines (元): Tongren's rural 低保 standard and the 防止返贫 monitoring line.
DIBAO_LINE = 5_700
MONITOR_LINE = 7_500

# Schools (就读学校): "{township}" is the township's short name.
PRESCHOOLS = ("{township}中心幼儿园", "{township}幼儿园", "{village}幼儿园")
PRIMARY_SCHOOLS = ("{township}中心小学", "{village}小学", "{township}完全小学")
JUNIOR_SCHOOLS = ("{township}中学", "玉屏侗族自治县第二中学", "玉屏侗族自治县民族中学")
SENIOR_SCHOOLS = ("玉屏侗族自治县第一中学", "玉屏侗族自治县民族中学", "铜仁市第一中学")
VOCATIONAL_SCHOOLS = ("玉屏侗族自治县中等职业学校", "铜仁市交通学校", "贵州省电子信息技师学院")
COLLEGES: tuple[tuple[str, str], ...] = (  # (school, its area code)
    ("铜仁学院", "520602"),
    ("铜仁职业技术学院", "520602"),
    ("贵州大学", "520111"),
    ("贵州师范大学", "520103"),
    ("贵州民族大学", "520111"),
    ("怀化学院", "431202"),
    ("贵州健康职业学院", "520602"),
)
#: Schools in the cities migrant parents work in (随迁子女), "{city}" is the destination.
CITY_SCHOOLS = ("{city}外来务工子弟学校", "{city}实验小学", "{city}第二中学")

# 易地扶贫搬迁 resettlement sites of the county (the 2016–2020 programme): township, site.
RESETTLEMENT_SITES: tuple[str, ...] = (
    "大龙街道易地扶贫搬迁安置点",
    "皂角坪街道易地扶贫搬迁安置点",
    "平溪街道易地扶贫搬迁安置点",
    "麻音塘街道易地扶贫搬迁安置点",
    "朱家场镇集镇安置点",
    "田坪镇集镇安置点",
)

# Living conditions (生活条件): weights of 入户路 and 主要燃料, and the share of sanitary toilets.
ROAD_ACCESS: tuple[tuple[str, float], ...] = (("1", 86.0), ("2", 8.0), ("3", 5.0), ("4", 1.0))
COOKING_FUEL: tuple[tuple[str, float], ...] = (
    ("4", 44.0),
    ("1", 24.0),
    ("3", 22.0),
    ("2", 5.0),
    ("5", 4.0),
    ("9", 1.0),
)
OLD_COOKING_FUEL: tuple[tuple[str, float], ...] = (
    ("1", 55.0),
    ("4", 30.0),
    ("3", 8.0),
    ("2", 5.0),
    ("5", 2.0),
)
SANITARY_TOILET = 0.76

#: Guardians of left-behind children when no grandparent lives in the household.
OUTSIDE_GUARDIANS = ("祖母", "祖父", "外祖母", "外祖父", "伯父", "姑母", "舅舅")

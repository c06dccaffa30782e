"""What the demo's cadres write in their visit log: found / done phrases per visit kind, as cadres word them.

Visits to a household with a registered 防止返贫监测 risk (illness, schooling, disability, lack of labour,
unstable work) mostly speak of that risk. Texts hold no ID or phone numbers (the visit log's rule).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minqing.registry.models import Household

#: (found, done) pairs per visit kind.
GENERAL = {
    "home": [
        (
            "了解到户主腰椎旧伤复发，近期干不了重活，农活由妻子操持。",
            "叮嘱按时复查，联系村医每月上门随访一次。",
        ),
        ("家中一切正常，老人身体尚可，饮食起居能够自理。", "核实家庭人口和收入情况，更新了户档案。"),
        ("子女均在浙江务工，两位老人留守在家，老屋有一处漏雨。", "联系组上泥水匠，约好本周上门修补屋面。"),
        (
            "户主在县城工地务工，收入稳定，孩子在镇中心小学读四年级。",
            "提醒家长关注孩子假期安全，宣传防溺水知识。",
        ),
        ("家中种的两亩辣椒长势好，预计可增收三千元左右。", "联系村合作社按保底价收购，登记了预计产量。"),
        ("家中养了八头生猪，圈舍卫生条件一般。", "讲解生猪防疫要求，提醒按时打疫苗、勤清理圈舍。"),
        ("户主反映今年水稻受旱，产量比去年少两成。", "登记受灾情况，报镇农业服务中心核实。"),
        ("儿媳刚生二胎，家中劳动力紧张。", "讲解生育津贴和城乡居民医保报销政策。"),
    ],
    "support": [
        ("户主住院半个月刚出院，医疗费用自付部分约八千元。", "协助申请临时救助，材料已报镇民政办。"),
        ("家中过冬准备不足，老人棉被单薄。", "送去米、油和棉被等慰问品，叮嘱注意用火安全。"),
        ("户主想外出务工，但缺少技能。", "推荐参加县人社局的电工培训，已帮助报名。"),
        ("家中辣椒出现病害，叶片发黄。", "联系镇农业服务中心技术员上门指导病虫害防治。"),
        ("户主有劳动能力，但照顾老人走不开。", "协调村里的公益性岗位，推荐担任护林员。"),
        ("家中想扩大养牛规模，缺少启动资金。", "讲解脱贫人口小额信贷政策，登记贷款意向并报信用社。"),
    ],
    "policy": [
        ("暑期临近，家中有两个上小学的孩子。", "宣传防溺水安全知识，发放《致家长的一封信》。"),
        ("家庭成员明年的城乡居民医保尚未缴费。", "宣传医保缴费政策，讲解缴费标准和手机缴费办法。"),
        ("户主对防止返贫监测政策不太了解。", "宣传防止返贫监测帮扶政策和自主申报渠道。"),
        ("老人前几天接到自称“医保局”的可疑电话。", "宣传反电信诈骗知识，帮助安装国家反诈中心APP。"),
        ("秋冬季节山上干燥，家中有上山烧纸的习惯。", "宣传森林防火，提醒不在山上用火、不烧荒。"),
        ("家中两个年轻人没有参加养老保险。", "宣传城乡居民养老保险政策，动员按档次参保缴费。"),
    ],
    "mediation": [
        ("与邻居因宅基地边界发生争执。", "会同组长现场丈量，双方达成一致意见，矛盾已化解。"),
        ("兄弟二人因赡养老人的费用分摊产生矛盾。", "组织家庭会议调解，约定两人按月分担老人生活费。"),
        ("因灌溉用水与上游农户有矛盾。", "协调两户错时放水，双方均表示满意。"),
        ("邻居家的牛多次踩坏自家菜地。", "上门调解，邻居同意赔偿菜苗并圈养耕牛。"),
    ],
    "safety": [
        ("厨房电线老化，插座有烧焦痕迹。", "叮嘱暂停使用，联系电工更换线路。"),
        ("房屋后坡有滑坡隐患，雨季需注意。", "纳入地灾隐患点台账，告知雨天转移路线和避险点。"),
        ("家中液化气罐未安装减压阀。", "现场讲解燃气安全，督促更换合格的减压阀。"),
        ("检查房屋安全，墙体无新增裂缝。", "提醒雨后注意观察，发现异常及时报告。"),
        ("院坝旁水塘没有护栏，孩子常在附近玩耍。", "设置警示牌，联系村里安排加装护栏。"),
    ],
    "phone": [
        ("电话回访，户主表示身体已好转，已能下地干活。", "告知临时救助金已发放到一卡通。"),
        ("电话联系在外务工的儿子，了解其务工收入稳定。", "提醒其常给家中老人打电话，过年回家看看。"),
        ("电话回访，户主反映合作社收购款已到账。", "记录增收情况，下次入户时核对。"),
    ],
    "other": [("参加组上院坝会，听取群众意见。", "整理群众意见，提交村两委研究。")],
}

#: (found, done) pairs for a household's registered risk type (codes.RiskType).
BY_RISK = {
    "01": [
        ("了解到户主慢性病加重，每月药费四百元左右。", "协助办理门诊慢特病待遇认定，减轻药费负担。"),
        ("老人患高血压多年，近期头晕。", "联系家庭医生签约团队上门检查，叮嘱按时服药。"),
    ],
    "02": [
        ("孩子在读高中，学费和生活费压力大。", "协助申请国家助学金和雨露计划补助。"),
        ("孩子考上铜仁职院，学费有困难。", "协助申请生源地信用助学贷款，已帮助准备材料。"),
    ],
    "03": [
        ("家中有一名肢体残疾人，生活需要照料。", "协助办理残疾人两项补贴申请。"),
        ("残疾人证到期需要换证。", "联系县残联，预约了换证评定时间。"),
    ],
    "07": [
        ("户主上月从广东回乡，暂时没有找到工作。", "推荐到县城扶贫车间务工，已约好面试时间。"),
        ("户主务工的工厂停工，收入中断。", "登记就业需求，推送县人社局的招聘岗位。"),
    ],
    "08": [
        ("家中只有两位老人，缺少劳动力，田地撂荒。", "协调合作社代耕代种，土地流转收入归老人。"),
        ("老人独自生活，体力不支。", "落实兜底保障政策，安排邻居日常照看。"),
    ],
}

#: Phrases that fit some months only (by the opening words of what was found): summer, winter, autumn.
SEASONS = {
    "暑期临近": (5, 6, 7, 8),
    "户主在县城工地务工": (5, 6, 7, 8, 9),
    "家中过冬准备不足": (11, 12, 1, 2),
    "家庭成员明年的城乡居民医保": (9, 10, 11, 12),
    "秋冬季节山上干燥": (10, 11, 12, 1, 2, 3),
    "家中种的两亩辣椒长势好": (6, 7, 8, 9),
    "家中辣椒出现病害": (6, 7, 8),
    "户主反映今年水稻受旱": (8, 9, 10),
    "房屋后坡有滑坡隐患": (4, 5, 6, 7, 8, 9),
}


def in_season(found: str, month: int) -> bool:
    return all(month in months for opening, months in SEASONS.items() if found.startswith(opening))


#: Kinds of visit where residents speak up (群众诉求 are noted).
SPOKEN = ("home", "support", "policy", "mediation")
RAISED = [
    "希望帮助解决组上通组路的路灯问题。",
    "反映自来水压力小，高处农户时常停水。",
    "希望村里协调产业资金发展养牛。",
    "询问农村危房改造补助的申请条件。",
    "希望在组上增设垃圾收集点。",
]


def phrase_for(kind: str, household: Household, month: int, rng: random.Random) -> tuple[str, str]:
    """(found, done) for a visit of ``kind`` in ``month``: about the household's risk on most home and support
    visits, else a phrase of the kind that fits the season."""
    risks = [code for code in (household.risk_types or []) if code in BY_RISK]
    if household.risk_type in BY_RISK and household.risk_type not in risks:
        risks.insert(0, household.risk_type)
    if risks and kind in ("home", "support") and rng.random() < 0.6:
        return rng.choice(BY_RISK[rng.choice(risks)])
    return rng.choice([pair for pair in GENERAL.get(kind) or GENERAL["other"] if in_season(pair[0], month)])

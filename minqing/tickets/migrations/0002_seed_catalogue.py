"""Seed the request categories (two levels where natural) and the default time limits (特急 6 小时,
紧急 24 小时, 一般 5 个工作日); make the timeline append-only on PostgreSQL."""

from django.db import migrations

CATEGORIES = [
    ("01", "医疗健康", ["就医困难", "医疗费用报销", "家庭医生签约", "慢病与大病救治"]),
    ("02", "住房安全", ["危房改造", "房屋漏雨与修缮", "灾后住房"]),
    ("03", "饮水安全", ["停水断水", "水质问题", "管网维修"]),
    ("04", "低保救助", ["低保申请", "特困供养", "临时救助"]),
    ("05", "就业创业", ["务工就业", "公益性岗位", "创业贷款"]),
    ("06", "教育助学", ["入学就学", "助学资助", "控辍保学"]),
    ("07", "养老服务", ["养老保险待遇", "居家养老", "高龄津贴"]),
    ("08", "残疾人服务", ["残疾证办理", "残疾人补贴", "康复服务"]),
    ("09", "道路交通", ["道路破损", "路灯", "客运班车"]),
    ("10", "环境卫生", ["垃圾清运", "污水排放", "噪声扰民"]),
    ("11", "邻里纠纷", []),
    ("12", "婚恋家庭", ["家庭矛盾", "赡养抚养"]),
    ("13", "土地承包", ["承包经营权", "土地流转", "征地补偿"]),
    ("14", "宅基地", []),
    ("15", "劳动争议", ["拖欠工资", "劳动合同"]),
    ("16", "社会保险", ["医保参保缴费", "社保认证"]),
    ("17", "户籍证件", ["户口迁移", "身份证办理", "出生登记"]),
    ("18", "农业生产", ["农资农技", "动物防疫", "农业补贴"]),
    ("19", "电力通信", ["停电", "网络与通信信号"]),
    ("99", "其他", []),
]

LIMITS = [("critical", 6, "hours"), ("urgent", 24, "hours"), ("normal", 5, "working_days")]


def seed(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    TimeLimit = apps.get_model("tickets", "TimeLimit")
    for position, (code, name, children) in enumerate(CATEGORIES, start=1):
        parent, _created = Category.objects.get_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        for sub, child in enumerate(children, start=1):
            Category.objects.get_or_create(
                code=f"{code}{sub:02d}", defaults={"name": child, "position": sub, "parent": parent}
            )
    for urgency, amount, unit in LIMITS:
        TimeLimit.objects.get_or_create(category=None, urgency=urgency, defaults={"amount": amount, "unit": unit})


def unseed(apps, schema_editor):
    """Nothing to undo: the tables go with the previous migration."""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from minqing.core.appendonly import append_only_sql

        schema_editor.execute(append_only_sql("tickets_ticketevent")[0], None)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from minqing.core.appendonly import append_only_sql

        schema_editor.execute(append_only_sql("tickets_ticketevent")[1], None)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(append_only, drop_append_only),
    ]

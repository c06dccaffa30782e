"""Demo accounts of DESIGN.md. The password is published, so the deploy check refuses it outside DEBUG."""

from __future__ import annotations

from django.db import transaction

from minqing.accounts.checks import DEMO_PASSWORD
from minqing.accounts.models import Assignment, Department, User
from minqing.accounts.roles import Role
from minqing.areas.models import Area

DEPARTMENTS = [
    ("health", "卫健局"),
    ("housing", "住建局"),
    ("civil", "民政局"),
    ("hrss", "人社局"),
    ("education", "教育局"),
    ("agriculture", "农业农村局"),
    ("water", "水务局"),
    ("police", "公安局"),
    ("justice", "司法局"),
    ("medicare", "医保局"),
    ("revitalisation", "乡村振兴局"),
    ("natural-resources", "自然资源局"),
    ("ecology", "生态环境局"),
    ("transport", "交通运输局"),
    ("power", "供电局"),
    ("disabled", "残联"),
]

# username, family name, given name, role, area code, department code
DEMO_USERS = [
    ("county", "蒋", "新成", Role.COUNTY_LEADER, "520622", None),
    ("township", "舒", "坦", Role.TOWNSHIP_STAFF, "520622102", None),
    ("village", "龙", "光明", Role.VILLAGE_CADRE, "520622102211", None),
    ("grid", "杨", "秀英", Role.GRID_WORKER, "520622102211901", None),
    ("stationed", "姚", "源桥", Role.STATIONED_CADRE, "520622102211", None),
    ("desk", "吴", "晓燕", Role.SERVICE_DESK, "520622", None),
    ("health", "田", "卫民", Role.DEPARTMENT_STAFF, "520622", "health"),
    ("supervisor", "石", "正清", Role.SUPERVISOR, "520622", None),
    ("resident", "龙", "大伯", Role.RESIDENT, "520622102211", None),
]


@transaction.atomic
def ensure_departments() -> dict[str, Department]:
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    return {d.code: d for d in Department.objects.all()}


@transaction.atomic
def ensure_demo_users() -> dict[str, User]:
    """Create the demo logins once; re-running changes nothing."""
    departments = ensure_departments()
    users: dict[str, User] = {}
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"is_superuser": True, "is_staff": True, "last_name": "系统", "first_name": "管理员"},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    users["admin"] = admin
    for username, family, given, role, area_code, department in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"last_name": family, "first_name": given}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Assignment.objects.get_or_create(
            user=user,
            role=role,
            area=Area.objects.get(code=area_code),
            defaults={"department": departments[department] if department else None},
        )
        users[username] = user
    return users

"""Reads about users, scoped like everything else."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import User
from .roles import Role

#: Roles that may be paired with households as 帮扶责任人: stationed and village cadres, township officials, and
#: officials of any county department (部门干部, whose pairing is their only right on a household).
CADRE_ROLES = (Role.STATIONED_CADRE, Role.VILLAGE_CADRE, Role.TOWNSHIP_STAFF, Role.DEPARTMENT_STAFF)


def manageable_users(user: User) -> QuerySet[User]:
    """Users a data admin may manage: those assigned inside the admin's "manage" scope and nowhere else.

    A user who also holds an active assignment outside the scope (a county leader, a cadre of two
    townships) is managed from above, as are superusers. Superusers manage everyone; a user with no
    assignment is managed by superusers only. The account services check against this set too.
    """
    from minqing.core.scoping import ALL

    if user.is_superuser and user.is_active:
        return User.objects.all()
    prefixes = user.scope_prefixes("manage")
    if prefixes is ALL or not prefixes:
        return User.objects.none()
    from .models import Assignment

    mine = Assignment.objects.visible_to(user, "manage")
    outside = Assignment.objects.filter(is_active=True).exclude(pk__in=mine.values("pk")).values("user_id")
    return User.objects.filter(pk__in=mine.values("user_id"), is_superuser=False).exclude(pk__in=outside)

"""Reads about users, scoped like everything else."""

from __future__ import annotations

from django.db.models import QuerySet

from minqing.areas.models import Area

from .models import User
from .roles import Role

CADRE_ROLES = (Role.STATIONED_CADRE, Role.VILLAGE_CADRE, Role.TOWNSHIP_STAFF)


def assignable_cadres(user: User) -> QuerySet[User]:
    """Cadres who may be named 帮扶责任人 by ``user``: active, assigned inside the user's view scope."""
    return (
        User.objects.filter(
            is_active=True,
            assignments__is_active=True,
            assignments__role__in=CADRE_ROLES,
            assignments__area__in=Area.objects.visible_to(user, "view"),
        )
        .distinct()
        .order_by("username")
    )


def manageable_users(user: User) -> QuerySet[User]:
    """Users a data admin may manage: everyone with an assignment inside the admin's "manage" scope.

    Superusers manage everyone; a user with no assignment is managed by superusers only.
    """
    from minqing.core.scoping import ALL

    if user.is_superuser:
        return User.objects.all()
    prefixes = user.scope_prefixes("manage")
    if prefixes is ALL or not prefixes:
        return User.objects.none()
    from .models import Assignment

    inside = Assignment.objects.visible_to(user, "manage").values("user_id")
    return User.objects.filter(pk__in=inside, is_superuser=False)

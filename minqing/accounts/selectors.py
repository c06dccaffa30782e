"""Reads about users, scoped like everything else."""

from __future__ import annotations

from minqing.areas.models import Area

from .models import User
from .roles import Role

CADRE_ROLES = (Role.STATIONED_CADRE, Role.VILLAGE_CADRE, Role.TOWNSHIP_STAFF)


def assignable_cadres(user):
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

"""Saved condition searches (保存的查询): a name for a query string, private or shared inside an area."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import ancestor_paths
from minqing.core.scoping import ALL, under


def _ancestors(prefix: str) -> list[str]:
    """The prefix itself and every shorter area path above it, "" (superuser) included."""
    return ["", *ancestor_paths(prefix), prefix]


class SavedSearchQuerySet(models.QuerySet):
    def visible_to(self, user, action: str = "view"):
        """Own searches, plus shared searches saved under an area related to the user's view scope.

        A shared search is visible when its ``area_path`` lies inside one of the user's view prefixes
        (a village cadre's search is seen by the township above) or is one of their ancestors,
        including "" (a township's search is seen by its villages). Siblings never see each other's.
        Opening a search runs it with the viewer's own scope, so sharing never widens what anyone sees.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        prefixes = user.scope_prefixes("view")
        if prefixes is ALL:
            return self.filter(Q(owner=user) | Q(shared=True))
        shared = Q(pk__in=[])
        for prefix in prefixes:
            shared |= under("area_path", prefix) | Q(area_path__in=_ancestors(prefix))
        return self.filter(Q(owner=user) | (Q(shared=True) & shared))


class SavedSearch(models.Model):
    """A condition search saved by a cadre under a name, optionally shared with colleagues of the area."""

    class Target(models.TextChoices):
        PERSON = "person", _("人员")
        HOUSEHOLD = "household", _("户")

    name = models.CharField(_("名称"), max_length=60)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("保存人"), on_delete=models.CASCADE, related_name="+"
    )
    target = models.CharField(_("对象"), max_length=10, choices=Target.choices, default=Target.PERSON)
    params = models.CharField(_("查询条件"), max_length=2000, blank=True)
    area_path = models.CharField(_("区域路径"), max_length=15, blank=True, db_index=True)
    shared = models.BooleanField(_("共享给本区域"), default=False)
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("保存的查询")
        verbose_name_plural = _("保存的查询")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "target", "name"], name="savedsearch_owner_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("search:saved", args=[self.pk])

    def search_url(self) -> str:
        name = "search:persons" if self.target == self.Target.PERSON else "search:households"
        return reverse(name) + (f"?{self.params}" if self.params else "")


# ---------------------------------------------------------------------------------------------- writes

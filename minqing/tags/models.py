"""Tag catalog (标签) and the tags set on persons and households, manual or derived by a rule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.scoping import GridScopedQuerySet


class Category(models.TextChoices):
    DEMOGRAPHIC = "demographic", _("人口特征")
    SPECIAL = "special", _("特殊人群")
    HARDSHIP = "hardship", _("困难群体")
    FOCUS = "focus", _("重点关注")
    SERVICE = "service", _("服务需求")
    EMPLOYMENT = "employment", _("就业与流动")
    HEALTH = "health", _("健康与残疾")
    POLITICAL = "political", _("党建与兵役")


class Tag(models.Model):
    """One label in the catalog. Derived tags are set by a rule and kept current; manual ones by cadres."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("手动")
        DERIVED = "derived", _("规则")

    class Target(models.TextChoices):
        PERSON = "person", _("人员")
        HOUSEHOLD = "household", _("户")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    category = models.CharField(_("分类"), max_length=12, choices=Category.choices)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    target = models.CharField(_("对象"), max_length=10, choices=Target.choices, default=Target.PERSON)
    # Derived tags: a built-in rule (``rule``) or conditions written by a data admin (``conditions``).
    rule = models.CharField(_("内置规则"), max_length=40, blank=True)
    conditions = models.JSONField(_("自定义条件"), default=list, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_key_group = models.BooleanField(_("重点人群"), default=False, help_text=_("在重点人群页一键查看"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["category", "order", "code"]

    def __str__(self) -> str:
        return self.name


class TagLink(models.Model):
    """A tag on a record. ``area_path``/``grid_path`` are copied so tag searches are one index range per scope."""

    # No single-column indexes on the foreign keys: the composite indexes below lead with the tag and with
    # the record, and nothing looks links up by who set them (at 1M households those three indexes were
    # 875 MB that no query read; users are deactivated, not deleted).
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="%(class)s_links", db_index=False)
    area_path = models.CharField(max_length=15)
    grid_path = models.CharField(max_length=15, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    set_at = models.DateTimeField(auto_now_add=True)

    objects = GridScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class PersonTag(TagLink):
    """A tag on a person, with the person's birth date, sex and household copied (kept equal by the tag
    services, ``PERSON_COPIES``).

    The copies let a search of a big group by age or sex read the group's links alone: "独居老人 aged
    0–30" finds no one by scanning 130,000 links, not by looking up 130,000 persons; and a household
    search by a members' tag ("households with a 退役军人") reads the households from the links, not
    37,000 persons.
    """

    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    # A copy, not a relation of its own: the link goes with its person (no constraint, no index alone).
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        constraints = [models.UniqueConstraint(fields=["tag", "person"], name="persontag_unique")]
        indexes = [
            models.Index(
                fields=["tag", "area_path", "person"], include=["household"], name="persontag_scope_idx"
            ),
            models.Index(fields=["person", "tag"], name="persontag_person_idx"),
            # A household search walking a county in list order checks each household for a members' tag
            # (tag, household probes); households with members of two tags are found by a merge join of
            # two tags' links in household order (``TagsMixin.few_with_all``); the area narrows in the index.
            models.Index(
                fields=["tag", "household"], include=["area_path"], name="persontag_tag_household_idx"
            ),
            # A big group searched or charted by age and sex ("老年人 aged 60+, women"): the ages asked, not
            # every link of the group, and the sex checked in the index (no row read per link).
            models.Index(
                fields=["tag", "birth_date"], include=["area_path", "person", "sex"], name="persontag_age_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"


class HouseholdTag(TagLink):
    """A tag on a household."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )

    class Meta:
        verbose_name = _("户标签")
        verbose_name_plural = _("户标签")
        constraints = [models.UniqueConstraint(fields=["tag", "household"], name="householdtag_unique")]
        indexes = [
            models.Index(fields=["tag", "area_path", "household"], name="householdtag_scope_idx"),
            models.Index(fields=["household", "tag"], name="householdtag_household_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.tag_id}"


class TagCount(models.Model):
    """How many persons or households of one village carry a tag: key-group counts for big scopes.

    Summing ~100 village rows per tag answers a county leader at once, where counting millions of links
    would take a second. Kept by the tag services whenever links change; grid and group scopes count live.
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="counts")
    village_path = models.CharField(max_length=12)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("标签人数")
        verbose_name_plural = _("标签人数")
        constraints = [models.UniqueConstraint(fields=["tag", "village_path"], name="tagcount_unique")]
        indexes = [models.Index(fields=["village_path", "tag"], name="tagcount_village_idx")]

    def __str__(self) -> str:
        return f"{self.tag_id}@{self.village_path}: {self.count}"


class TagProfile(models.Model):
    """Persons of one village carrying a person tag, by sex and age band: group charts of big scopes.

    Rebuilt with ``TagCount`` (``tags.services.recount``): ages are as of that moment, like the members
    of an age-derived tag themselves, which the nightly refresh re-derives.
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="profiles")
    village_path = models.CharField(max_length=12)
    sex = models.CharField(max_length=1, blank=True)
    band = models.CharField(max_length=8)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("标签人群构成")
        verbose_name_plural = _("标签人群构成")
        constraints = [
            models.UniqueConstraint(fields=["tag", "village_path", "sex", "band"], name="tagprofile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tag_id}@{self.village_path} {self.sex}/{self.band}: {self.count}"


class TagPair(models.Model):
    """Persons of one village carrying two key-group person tags: the key-group chart of a big group.

    Rebuilt with ``TagCount`` (``tags.services.recount``) for the tags that are key groups at that moment;
    ``tag == other`` rows are the group's own count, which tells that a tag's pairs were counted.
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="pairs")
    other = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False)
    village_path = models.CharField(max_length=12)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("重点人群交叉人数")
        verbose_name_plural = _("重点人群交叉人数")
        constraints = [
            models.UniqueConstraint(fields=["tag", "other", "village_path"], name="tagpair_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tag_id}+{self.other_id}@{self.village_path}: {self.count}"

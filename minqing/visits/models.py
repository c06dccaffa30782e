"""走访记录 / 帮扶日志: append-only, hash-chained visit entries and their photos.

A stored entry is never changed. Within ``settings.VISIT_GRACE_MINUTES`` its author may revise it (a new
entry of type ``revision`` that replaces it) or withdraw it (an entry of type ``withdrawal``); afterwards only a
``correction`` (更正) entry may reference it. Each entry is chained to the previous entry of the same author
(``core.hashchain``, ``chain_key = "author"``); ``manage.py verify_logs`` walks every author's chain.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core.hashchain import ChainedModel, ChainedQuerySet
from minqing.core.scoping import GridScopedQuerySet
from minqing.registry.models import Household
from minqing.registry.models.paired import PairedScopeMixin

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User


class VisitKind(models.TextChoices):
    """What the visit was for (走访类型)."""

    HOME = "home", _("入户走访")
    SUPPORT = "support", _("帮扶慰问")
    POLICY = "policy", _("政策宣传")
    MEDIATION = "mediation", _("矛盾调解")
    SAFETY = "safety", _("安全检查")
    PHONE = "phone", _("电话回访")
    OTHER = "other", _("其他")


class EntryType(models.TextChoices):
    """What an entry does: a new visit, or a later entry about an earlier one."""

    VISIT = "visit", _("走访记录")
    REVISION = "revision", _("修改")  # within the grace period: replaces the entry it references
    WITHDRAWAL = "withdrawal", _("撤回")  # within the grace period: the visit no longer counts
    CORRECTION = "correction", _("更正")  # after the grace period: replaces it, both stay on record


#: Entry types that carry a visit's content (kind, found, done, photos).
CONTENT_TYPES = (EntryType.VISIT, EntryType.REVISION, EntryType.CORRECTION)


class PhotoQuerySet(PairedScopeMixin, GridScopedQuerySet):
    """A photo is read as its visit is (its household's area, grid, or pairing)."""

    household_field = "visit__household"


class VisitQuerySet(PairedScopeMixin, ChainedQuerySet, GridScopedQuerySet):  # type: ignore[override]
    """Scoped like households (area, and grid for grid workers, and the households paired with a department
    official: ``registry.models.paired``); rows are only ever appended."""

    def visible_to(self, user: User | AnonymousUser | None, action: str = "view") -> Self:
        return super().visible_to(user, action)

    def current(self) -> Self:
        """Entries that carry the present content of a visit: not replaced, not withdrawn."""
        later = Visit.objects.filter(corrects=OuterRef("pk"))
        return self.filter(entry_type__in=CONTENT_TYPES).filter(~Exists(later))

    def counted(self) -> Self:
        """One row per visit that counts (quotas, compliance): the original entry, unless withdrawn.

        Its ``created_at`` is when the visit was logged; revisions and corrections do not add visits.
        """
        withdrawn = Visit.objects.filter(origin=OuterRef("pk"), entry_type=EntryType.WITHDRAWAL)
        return self.filter(entry_type=EntryType.VISIT).filter(~Exists(withdrawn))


class Visit(ChainedModel):
    """One entry of the visit log (走访记录): who visited which household, what they found and did."""

    # The idempotency key the phone sends: the same entry sent twice is stored once.
    client_id = models.UUIDField(_("客户端编号"), unique=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("户"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,  # the (household, created_at) index leads with it
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False)
    grid_path = models.CharField(_("网格路径"), max_length=15, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,  # the (author, created_at) and (author, id) indexes lead with it
    )
    author_name = models.CharField(_("记录人姓名"), max_length=150, blank=True)
    entry_type = models.CharField(
        _("记录类型"), max_length=12, choices=EntryType.choices, default=EntryType.VISIT
    )
    kind = models.CharField(_("走访类型"), max_length=12, choices=VisitKind.choices, blank=True)
    found = models.TextField(_("发现情况"), blank=True)
    done = models.TextField(_("帮扶措施/处理情况"), blank=True)
    raised = models.TextField(_("群众诉求"), blank=True)
    reason = models.CharField(_("修改或撤回原因"), max_length=200, blank=True)
    # The server's time, set when the row is built (hashed before the insert); never the client's.
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    # The browser's geolocation, with its accuracy radius (metres).
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.DecimalField(_("定位精度(米)"), max_digits=8, decimal_places=1, null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("所更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        db_index=False,  # the unique constraint below indexes it
    )
    # The first entry of the thread (a visit and its revisions, corrections, withdrawal); null on a visit.
    origin = models.ForeignKey(
        "self",
        verbose_name=_("原始记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="thread",
    )
    # SHA-256 of each stored photo file, in order: the chain covers the photos too.
    photo_hashes = models.JSONField(_("照片哈希"), default=list, blank=True)

    objects = VisitQuerySet.as_manager()

    chain_key = "author"
    chain_fields = (
        "client_id",
        "household",
        "area_path",
        "grid_path",
        "author",
        "author_name",
        "entry_type",
        "kind",
        "found",
        "done",
        "raised",
        "reason",
        "created_at",
        "latitude",
        "longitude",
        "accuracy_m",
        "corrects",
        "origin",
        "photo_hashes",
    )

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An entry is revised, corrected or withdrawn at most once: the next change refers to the newest.
            models.UniqueConstraint(fields=["corrects"], name="visit_corrected_once"),
            models.CheckConstraint(
                condition=Q(entry_type=EntryType.VISIT, corrects__isnull=True, origin__isnull=True)
                | (~Q(entry_type=EntryType.VISIT) & Q(corrects__isnull=False, origin__isnull=False)),
                name="visit_thread_links",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="visit_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="visit_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "created_at"], name="visit_author_time_idx"),
            models.Index(fields=["household", "created_at"], name="visit_household_time_idx"),
            models.Index(fields=["area_path", "created_at"], name="visit_area_time_idx"),
            # Each author's chain in order: its head on append, its rows on verify.
            models.Index(fields=["author", "id"], name="visit_author_chain_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or self.get_entry_type_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("visits:detail", args=[self.pk])

    @property
    def status(self) -> str:
        """ "current", or what its successor did: "revised", "corrected", "withdrawn"; "withdrawal" for one.

        Reads ``successors`` (prefetch it for lists).
        """
        if self.entry_type == EntryType.WITHDRAWAL:
            return "withdrawal"
        later = list(self.successors.all())
        if not later:
            return "current"
        names: dict[str, str] = {
            EntryType.REVISION: "revised",
            EntryType.CORRECTION: "corrected",
            EntryType.WITHDRAWAL: "withdrawn",
        }
        return names.get(later[0].entry_type, "current")

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def grace_ends(self) -> datetime.datetime:
        return self.created_at + datetime.timedelta(minutes=settings.VISIT_GRACE_MINUTES)

    def in_grace(self) -> bool:
        """Whether the author may still revise or withdraw this entry."""
        return timezone.now() < self.grace_ends()


def photo_path(instance: VisitPhoto, filename: str) -> str:
    # Random stored names (the uploaded name may be hostile); grouped by township for backups.
    import uuid

    return f"visits/{instance.area_path[:9]}/{uuid.uuid4().hex}"


class VisitPhoto(models.Model):
    """A photo of a visit entry: re-encoded without metadata; its EXIF position and time kept as evidence."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), on_delete=models.PROTECT, related_name="photos"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False, db_index=True)
    grid_path = models.CharField(_("网格路径"), max_length=15, blank=True, editable=False)
    file = models.FileField(_("照片"), upload_to=photo_path)
    thumbnail = models.FileField(_("缩略图"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    exif_latitude = models.DecimalField(_("照片纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    exif_longitude = models.DecimalField(_("照片经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    exif_taken_at = models.DateTimeField(_("拍摄时间(照片)"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["visit", "position"]
        constraints = [models.UniqueConstraint(fields=["visit", "position"], name="visit_photo_position")]

    def __str__(self) -> str:
        return f"{self.visit_id}-{self.position}"

    @property
    def has_exif_location(self) -> bool:
        return self.exif_latitude is not None and self.exif_longitude is not None

"""Files on a household or person, in private storage, served only through checked views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.scoping import GridScopedQuerySet

from .households import Household, Person
from .paired import PairedScopeMixin


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored names never reuse the uploaded name (it may be hostile); the original is kept in a field.
    import uuid

    return f"attachments/{instance.area_path[:9]}/{uuid.uuid4().hex}"


class AttachmentQuerySet(PairedScopeMixin, GridScopedQuerySet):
    """Files; those of a stationed cadre's paired households are changeable by them (``paired``)."""


class Attachment(models.Model):
    """A file on a household or person (ID copy, certificate, photo); private, served only through a checked view."""

    class Kind(models.TextChoices):
        ID_COPY = "id_copy", _("身份证复印件")
        HUKOU = "hukou", _("户口簿")
        CERTIFICATE = "certificate", _("证明材料")
        DISABILITY_CARD = "disability", _("残疾人证")
        PHOTO = "photo", _("照片")
        OTHER = "other", _("其他")

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.CASCADE, related_name="attachments"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    area_path = models.CharField(_("区域路径"), max_length=15, editable=False, db_index=True)
    grid_path = models.CharField(_("网格路径"), max_length=15, blank=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("说明"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    thumbnail = models.FileField(_("缩略图"), upload_to=attachment_path, blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    IDENTITY_KINDS = frozenset({"id_copy", "hukou", "disability"})

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title or self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_identity(self) -> bool:
        """An identity document: seeing it (its thumbnail too) needs the reveal right and leaves an audit row."""
        return self.kind in self.IDENTITY_KINDS
